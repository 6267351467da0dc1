package org.scepca.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.est.EstService;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;
import org.scepca.fuzz.ServletStandIns;
import org.scepca.server.app.ServerConfig;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Fuzzes EST enrollment (RFC 7030 section 4.2) in the real {@link EstServlet} over the fuzz CA's default endpoint
 * (EST on, its static challenge as the Basic password), below Jetty: the request is a {@link ServletStandIns} stand-in
 * that says it came over TLS, since the public HTTPS connector is the only way in (the plain port answers 403).
 *
 * <p>Every answer must be one RFC 7030 allows, well-formed: 200 with {@code application/pkcs7-mime} whose base64
 * body is a CMS SignedData; 202 (pending); or an RFC 9457 problem document with a 4xx status (501 for the operations
 * we do not offer). No 500, no 503, no exception. Nothing is issued without a valid credential: a 200 or 202 needs the
 * right Basic password on simpleenroll (simplereenroll needs a TLS client certificate, which these requests never
 * carry).
 */
class EstEnrollFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What byte 0 picks: method and path below /.well-known/est. */
    static final List<String[]> TARGETS = List.of(new String[] {"POST", "/simpleenroll"},
            new String[] {"POST", "/simplereenroll"}, new String[] {"POST", "/nosuchlabel/simpleenroll"},
            new String[] {"GET", "/cacerts"}, new String[] {"GET", "/csrattrs"}, new String[] {"POST", "/serverkeygen"},
            new String[] {"GET", "/simpleenroll"}, new String[] {"POST", "/default/simpleenroll"});
    static final List<String> CONTENT_TYPES = Arrays.asList("application/pkcs10", "application/pkcs10; charset=x",
            "APPLICATION/PKCS10", null, "application/json", "text/plain");

    private static EstServlet servlet;

    @BeforeAll
    static void start() {
        CertificateAuthority ca = FuzzCa.get().running().ca();
        servlet = new EstServlet(Map.of(ChallengeOrigin.DEFAULT_ENDPOINT,
                new EstService(ca, ca.endpoints().defaultEndpoint())), ServerConfig.defaults("127.0.0.1", 0)
                .maxMessageBytes());
    }

    /**
     * Whole requests: byte 0 picks the operation, byte 1 the Content-Type, byte 2 the credentials (none, Basic with
     * the right password, Basic with a wrong one, or the first line of the rest as the raw Authorization header);
     * the rest is the body (base64 with any line breaks, or anything).
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void enrollRequest(byte[] input) throws Exception {
        if (input.length < 3) {
            return;
        }
        String[] target = TARGETS.get((input[0] & 0xff) % TARGETS.size());
        String contentType = CONTENT_TYPES.get((input[1] & 0xff) % CONTENT_TYPES.size());
        byte[] body = Arrays.copyOfRange(input, 3, input.length);
        String authorization;
        switch ((input[2] & 0xff) % 4) {
            case 1 -> authorization = basic("device", FuzzCa.STATIC_CHALLENGE);
            case 2 -> authorization = basic("device", "not-the-challenge");
            case 3 -> {
                int nl = 0;
                while (nl < body.length && body[nl] != '\n') {
                    nl++;
                }
                authorization = new String(body, 0, nl, StandardCharsets.ISO_8859_1);
                body = nl < body.length ? Arrays.copyOfRange(body, nl + 1, body.length) : new byte[0];
            }
            default -> authorization = null;
        }
        boolean rightPassword = authorization != null && isOurPassword(authorization);
        run("EstEnrollFuzzTest.enrollRequest", target[0], target[1], contentType, authorization, body,
                rightPassword && target[1].endsWith("/simpleenroll"));
    }

    /**
     * CSRs (any DER) as real clients send them: base64 in lines, the right Basic password, so that the fuzzer
     * reaches CSR parsing, the endpoint's policy and issuance. Byte 0: bit 0 simplereenroll, bits 1-2 the line
     * width (none, 64, 76 with CRLF, 1); the rest is the DER.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void csrDer(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        boolean reenroll = (input[0] & 1) != 0;
        byte[] der = Arrays.copyOfRange(input, 1, input.length);
        byte[] body = switch ((input[0] >> 1) & 3) {
            case 1 -> Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der);
            case 2 -> Base64.getMimeEncoder().encode(der);
            case 3 -> Base64.getMimeEncoder(4, new byte[] {' ', '\t'}).encode(der);
            default -> Base64.getEncoder().encode(der);
        };
        run("EstEnrollFuzzTest.csrDer", "POST", reenroll ? "/simplereenroll" : "/simpleenroll", "application/pkcs10",
                basic("device", FuzzCa.STATIC_CHALLENGE), body, !reenroll);
    }

    private static void run(String stats, String method, String path, String contentType, String authorization,
            byte[] body, boolean mayIssue) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        headers.put("Authorization", authorization);
        ServletStandIns.Response response = new ServletStandIns.Response();
        servlet.service(ServletStandIns.request(method, path, true, headers, body), response.proxy());
        int status = response.status();
        String type = response.header("Content-Type");
        String outcome;
        if (status == 200 || status == 202) {
            if (!mayIssue && path.contains("enroll")) {
                throw new AssertionError(method + " " + path + " answered " + status + " without a valid credential");
            }
            if (status == 200 && path.contains("enroll")) {
                if (type == null || !type.startsWith("application/pkcs7-mime")) {
                    throw new AssertionError(path + " answered 200 with Content-Type " + type);
                }
                new CMSSignedData(Base64.getMimeDecoder().decode(response.body()));
            }
            outcome = String.valueOf(status);
        } else if (status == 204 && path.endsWith("/csrattrs")) {
            outcome = "204";
        } else {
            if (status < 400 || status > 501 || (status > 499 && status != 501)) {
                throw new AssertionError(method + " " + path + " answered " + status + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            if (type == null || !type.startsWith(Problem.CONTENT_TYPE)) {
                throw new AssertionError(path + " answered " + status + " with Content-Type " + type);
            }
            JsonNode problem = JSON.readTree(response.body());
            if (!problem.path("type").asText().startsWith(Problem.TYPE_BASE) || problem.path("status").asInt() != status) {
                throw new AssertionError(path + " answered a malformed problem: " + problem);
            }
            outcome = status + ":" + problem.path("type").asText().substring(Problem.TYPE_BASE.length());
        }
        FuzzStats.of(stats).record(outcome);
    }

    /** Whether the header carries the static challenge as its Basic password (RFC 7617: after the first colon). */
    private static boolean isOurPassword(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
            return pair.indexOf(':') >= 0 && pair.substring(pair.indexOf(':') + 1).equals(FuzzCa.STATIC_CHALLENGE);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
