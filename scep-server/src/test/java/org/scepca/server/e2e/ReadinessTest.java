package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.CrlStore;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.metrics.PrometheusText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code /readyz} names each check; a CRL past its nextUpdate makes the replica unready with the {@code crl} check
 * named (the database outage: {@link DatabaseOutageTest}).
 */
class ReadinessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static HttpResponse<String> readyz(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthyServer_200WithEveryCheckNamed_onBothConnectors(@TempDir Path dir) throws Exception {
        try (Running server = MetricsEndToEndTest.startWithAdmin(dir, AdminConfig.loopback(0))) {
            for (int port : new int[] {server.port(), server.adminPort()}) {
                HttpResponse<String> r = readyz(port);
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.path("status").asText()).isEqualTo("ok");
                assertThat(body.path("warnings").size()).isZero();
                assertThat(body.path("checks").findValuesAsText("name")).containsExactly("database", "issuing-ca", "crl",
                        "integrations");
                assertThat(body.path("checks").findValuesAsText("status")).containsOnly("ok");
            }
        }
    }

    @Test
    void crlPastItsNextUpdate_503NamingTheCrlCheck_andTheMetricsShowIt(@TempDir Path dir) throws Exception {
        try (Running server = MetricsEndToEndTest.startWithAdmin(dir, AdminConfig.loopback(0))) {
            Instant nextUpdate = staleCrl(server);
            HttpResponse<String> r = readyz(server.port());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(r.body());
            assertThat(problem.path("failing").toString()).isEqualTo("[\"crl\"]");
            assertThat(problem.path("detail").asText()).startsWith("not ready: crl (the CRL is past its nextUpdate ("
                    + nextUpdate);
            assertThat(problem.path("checks").findValuesAsText("status")).containsExactly("ok", "ok", "fail", "ok");
            assertThat(readyz(server.adminPort()).statusCode()).as("the same on the admin connector").isEqualTo(503);
            // Liveness is unaffected: the process answers.
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            server.metrics().refreshStoreGauges();
            PrometheusText m = PrometheusText.parse(server.metrics().scrape());
            assertThat(m.sum("scepca_crl_next_update_seconds")).isNegative()
                    .isCloseTo(-Duration.between(nextUpdate, Instant.now()).toSeconds(),
                            org.assertj.core.api.Assertions.within(30.0));
        }
    }

    /** Stores a CRL of the issuing CA, signed by it, whose nextUpdate passed an hour ago; returns that nextUpdate. */
    static Instant staleCrl(Running server) {
        var m = server.ca().material();
        Instant thisUpdate = Instant.now().minus(Duration.ofDays(8)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant nextUpdate = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String keyId = Pem.sha256Hex(m.intermediateCertificate().getPublicKey().getEncoded());
        new CrlStore(server.ca().database()).publish(keyId, any -> true, n -> {
            try {
                X509v2CRLBuilder b = new X509v2CRLBuilder(
                        X500Name.getInstance(m.intermediateCertificate().getSubjectX500Principal().getEncoded()),
                        Date.from(thisUpdate));
                b.setNextUpdate(Date.from(nextUpdate));
                b.addExtension(Extension.cRLNumber, false, new CRLNumber(n));
                byte[] der = b.build(new JcaContentSignerBuilder(
                        m.intermediateKey().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA").build(m.intermediateKey())).getEncoded();
                return new CrlStore.Stored(n, thisUpdate, nextUpdate, der);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return nextUpdate;
    }
}
