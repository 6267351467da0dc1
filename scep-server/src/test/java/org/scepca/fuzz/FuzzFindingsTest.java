package org.scepca.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scepca.est.EstCredentials;
import org.scepca.est.EstReply;
import org.scepca.est.EstService;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * What the fuzz targets found, each as a plain test over real HTTP against the fuzz CA (the inputs stay in the
 * targets' regression corpora as well).
 */
class FuzzFindingsTest {
    /** Leading zero bytes make Jackson read the body as UTF-32; 0x7a7d01 is then no Unicode character. */
    private static final byte[] UTF32_INVALID_CHARACTER = {0, 0, 0, 0, 0, '{', '}', 1, 0, 0, 0, 0, 0, 0, 0};

    private static FuzzCa ca;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        ca = FuzzCa.get();
        http = HttpClient.newHttpClient();
    }

    private static HttpResponse<String> postJson(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ca.running().adminPort() + path))
                .header("Authorization", "Bearer " + ca.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonBodyThatJacksonReadsAsInvalidUtf32_is400MalformedJson_notA500() throws Exception {
        HttpResponse<String> r = postJson("/api/v1/challenges", UTF32_INVALID_CHARACTER);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/problem+json"));
        assertThat(r.body()).contains("malformed-json");
    }

    @Test
    void jamfWebhookWithABodyThatJacksonReadsAsInvalidUtf32_stillMintsAChallenge_notA500() throws Exception {
        // The webhook reads its body leniently (any content type, not necessarily JSON): no event, no device note.
        HttpResponse<String> r = postJson("/api/v1/jamf/scep-challenge", UTF32_INVALID_CHARACTER);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().strip()).matches("[0-9a-f]{32}");
    }

    @Test
    void pathWithBadUtf8PercentEncoding_isProblemJson400_withoutTheUriEchoed_onBothConnectors() throws Exception {
        for (int port : new int[] {ca.running().port(), ca.running().adminPort()}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/crl/echo-me%FF%C3")).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("\"status\":400").doesNotContain("echo-me").doesNotContain("<html");
        }
    }

    @Test
    void ocspPostWithAnUnknownCharsetParameter_isAnOcspAnswer_notA500() throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ca.running().port()
                + "/ocsp")).header("Content-Type", "application/ocsp-request; charset=x")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xc2, 'w', '*'})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        assertThat(new org.bouncycastle.cert.ocsp.OCSPResp(r.body()).getStatus()).isEqualTo(1); // malformedRequest
    }

    @Test
    void adminJsonWithAnUnknownCharsetParameter_isReadAsJson_notA500() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + ca.running().adminPort() + "/api/v1/challenges")).header("Authorization", "Bearer " + ca.adminToken())
                .header("Content-Type", "application/json; charset=x")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ttl\":60}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
    }

    private static final List<String> CHARSETS = List.of("x", "\"no such charset\"", "%%", "utf-8x");

    static Stream<Arguments> requests() {
        List<Arguments> out = new ArrayList<>();
        String[][] publicPort = {
            {"/scep?operation=PKIOperation", "application/x-pki-message"},
            {"/scep?operation=PKIOperation", "application/x-www-form-urlencoded"},
            {"/ocsp", "application/ocsp-request"},
            {"/acme/" + FuzzCa.ACME_ENDPOINT + "/new-account", "application/jose+json"},
            {"/acme/" + FuzzCa.ACME_ENDPOINT + "/new-nonce", "application/jose+json"},
            {"/.well-known/est/simpleenroll", "application/pkcs10"},
            {"/ca/root.pem", "text/plain"},
            {"/healthz", "application/json"},
        };
        String[][] adminPort = {
            {"/api/v1/challenges", "application/json"},
            {"/api/v1/challenges", "application/x-www-form-urlencoded"},
            {"/api/v1/certificates/1/revoke", "application/json"},
        };
        for (String charset : CHARSETS) {
            for (String[] r : publicPort) {
                out.add(Arguments.of(false, r[0], r[1] + "; charset=" + charset));
            }
            for (String[] r : adminPort) {
                out.add(Arguments.of(true, r[0], r[1] + "; charset=" + charset));
            }
        }
        return out.stream();
    }

    /**
     * The same finding again, in ACME (HttpServerFuzzTest#publicPort: {@code POST /acme/acme/} with
     * {@code charset=x}), so fixed once for every servlet (GuardFilter.AsSent) and swept here: an unknown or unnameable
     * charset parameter on each servlet of both connectors is never a 500.
     */
    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("requests")
    void anUnknownCharsetParameter_onEveryServlet_isNeverA500(boolean admin, String path, String contentType)
            throws Exception {
        int port = admin ? ca.running().adminPort() : ca.running().port();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString("a=b"));
        if (admin) {
            b.header("Authorization", "Bearer " + ca.adminToken());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 499);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.");
    }

    /** ACME key rollover (RFC 8555 section 7.3.5) whose inner payload names the account but has no oldKey. */
    @Test
    void acmeKeyChangeWithoutOldKey_isAMalformedProblem_notServerInternal() throws Exception {
        String base = FuzzCa.ACME_BASE_URL + "/acme/" + FuzzCa.ACME_ENDPOINT + "/";
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        ECKey newKey = new ECKeyGenerator(Curve.P_256).generate();
        HttpResponse<String> account = acmePost("new-account", new JWSHeader.Builder(JWSAlgorithm.ES256)
                .jwk(key.toPublicJWK()).customParam("url", base + "new-account").customParam("nonce", acmeNonce())
                .build(), "{\"termsOfServiceAgreed\":true}", key);
        assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
        String kid = account.headers().firstValue("Location").orElseThrow();
        JWSObject inner = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(newKey.toPublicJWK())
                .customParam("url", base + "key-change").build(), new Payload("{\"account\":\"" + kid + "\"}"));
        inner.sign(new ECDSASigner(newKey));
        HttpResponse<String> r = acmePost("key-change", new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid)
                .customParam("url", base + "key-change").customParam("nonce", acmeNonce()).build(),
                flattened(inner), key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.body()).contains("urn:ietf:params:acme:error:malformed").contains("oldKey");
    }

    private static String acmeNonce() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(acmeUrl("new-nonce"))).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).headers()
                .firstValue("Replay-Nonce").orElseThrow();
    }

    private static HttpResponse<String> acmePost(String path, JWSHeader header, String payload, ECKey key)
            throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(payload));
        jws.sign(new ECDSASigner(key));
        return http.send(HttpRequest.newBuilder(URI.create(acmeUrl(path))).header("Content-Type", "application/jose+json")
                .POST(HttpRequest.BodyPublishers.ofString(flattened(jws))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String acmeUrl(String path) {
        return "http://127.0.0.1:" + ca.running().port() + "/acme/" + FuzzCa.ACME_ENDPOINT + "/" + path;
    }

    private static String flattened(JWSObject jws) {
        return "{\"protected\":\"" + jws.getHeader().toBase64URL() + "\",\"payload\":\"" + jws.getPayload().toBase64URL()
                + "\",\"signature\":\"" + jws.getSignature() + "\"}";
    }

    /**
     * An EST CSR whose subject has a UTF8String that is not UTF-8 (the corpus input, past its layout byte): Bouncy
     * Castle throws only when the name is rendered, which was after the CSR parse and so an internal error.
     */
    @Test
    void estCsrWithASubjectThatIsNotUtf8_isABadRequest_notAnInternalError() throws Exception {
        byte[] input = Objects.requireNonNull(FuzzFindingsTest.class.getResourceAsStream(
                "/org/scepca/server/http/EstEnrollFuzzTestInputs/csrDer/crash-subject-utf8string-not-utf8"))
                .readAllBytes();
        byte[] csr = java.util.Arrays.copyOfRange(input, 1, input.length);
        EstService est = new EstService(ca.running().ca(), ca.running().ca().endpoints().defaultEndpoint());
        EstCredentials password = new EstCredentials(Optional.of(FuzzCa.STATIC_CHALLENGE), Optional.empty());
        for (EstReply reply : List.of(est.simpleEnroll(csr, password), est.simpleReenroll(csr, password))) {
            assertThat(reply).isInstanceOfSatisfying(EstReply.Refused.class,
                    r -> assertThat(r.kind()).isEqualTo(EstReply.Kind.BAD_REQUEST));
        }
    }
}
