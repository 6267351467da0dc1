package org.scepca.server.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;
import org.scepca.server.ocsp.OcspResponder;
import org.scepca.server.ocsp.OcspResult;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes what the SCEP and OCSP servlets make of request text before anything is decrypted: the raw query string
 * ({@code operation}, the GET {@code message}, GetCACert's CA identifier), the tolerant base64 decoding of
 * {@link Base64Message}, and the OCSP GET path. Decoding may refuse only with IllegalArgumentException (the servlet's
 * 400), and every spelling of base64 that real clients send must decode to the same bytes.
 *
 * <p>Regression inputs: {@code src/test/resources/org/scepca/server/http/RequestParametersFuzzTestInputs/<method>/}.
 */
class RequestParametersFuzzTest {
    private static OcspResponder ocsp;

    @BeforeAll
    static void start() {
        ocsp = FuzzCa.get().running().ocsp();
    }

    /** A query string, bytes as Jetty hands them over (ISO-8859-1), through the servlet's parameter handling. */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void scepQuery(byte[] input) {
        String query = new String(input, StandardCharsets.ISO_8859_1);
        FuzzStats stats = FuzzStats.of("RequestParametersFuzzTest.scepQuery");
        // Neither may throw: an operation that does not decode is just an unknown operation (400).
        Base64Message.rawParameter(query, "operation").map(Base64Message::percentDecodeSafe);
        Optional<String> message = Base64Message.rawParameter(query, "message");
        if (message.isEmpty()) {
            stats.record("no-message");
            return;
        }
        try {
            byte[] decoded = Base64Message.decode(message.get());
            if (decoded.length > message.get().length()) {
                throw new AssertionError("decoded more bytes than the text had characters");
            }
            stats.record("decoded");
        } catch (IllegalArgumentException e) {
            stats.record("not-base64");
        }
    }

    /**
     * Round trip: the bytes, base64-encoded the ways clients do it (escaped or not, URL-safe alphabet, '+' turned into
     * a space by a proxy, wrapped lines, no padding), decode back to the same bytes.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void base64Spellings(byte[] data) {
        String standard = Base64.getEncoder().encodeToString(data);
        String[] spellings = {
            standard,
            URLEncoder.encode(standard, StandardCharsets.US_ASCII),
            Base64.getUrlEncoder().withoutPadding().encodeToString(data),
            standard.replace('+', ' '),
            Base64.getMimeEncoder().encodeToString(data),
            standard.replace("=", ""),
        };
        for (String s : spellings) {
            if (!Arrays.equals(Base64Message.decode(s), data)) {
                throw new AssertionError("base64 spelling decodes to other bytes: " + s);
            }
        }
        FuzzStats.of("RequestParametersFuzzTest.base64Spellings").record("round-trip");
    }

    /** The path after {@code /ocsp/} of a GET (RFC 6960 appendix A), decoded as OcspServlet does, then answered. */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void ocspGetPath(byte[] input) throws Exception {
        String encoded = new String(input, StandardCharsets.ISO_8859_1);
        byte[] der;
        try {
            der = Base64Message.decode(encoded);
        } catch (IllegalArgumentException e) {
            der = new byte[0];
        }
        OcspResult result = ocsp.respond(der);
        boolean unauthorized = result.status() == OcspResult.Status.UNAUTHORIZED && org.scepca.server.ocsp.OcspOracle
                .unauthorizedIsRight(der, FuzzCa.get().running().ca().material().intermediateCertificate());
        if (result.status() != OcspResult.Status.SUCCESSFUL && result.status() != OcspResult.Status.MALFORMED_REQUEST
                && !unauthorized) {
            throw new AssertionError("OCSP GET answered " + result.status());
        }
        if (new OCSPResp(result.der()).getStatus() != result.status().code()) {
            throw new AssertionError("encoded status differs");
        }
        FuzzStats.of("RequestParametersFuzzTest.ocspGetPath").record(result.status().name().toLowerCase(java.util.Locale.ROOT));
    }
}
