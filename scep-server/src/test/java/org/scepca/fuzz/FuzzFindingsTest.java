package org.scepca.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
}
