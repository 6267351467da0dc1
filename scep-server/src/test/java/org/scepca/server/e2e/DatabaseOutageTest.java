package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.scepca.ca.testing.Csrs.csr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import org.jscep.transaction.FailInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * PostgreSQL stops under a running server and comes back (issue 13). While it is gone, an enrollment gets HTTP 503
 * with Retry-After (problem JSON), not a SUCCESS and not a final FAILURE: the device may send the same message again.
 * Once PostgreSQL is back the server reconnects by itself (no restart), /readyz says so, and that same message gets
 * its certificate, stored, with the one-time challenge spent once. A cluster of the test's own: the shared one must
 * never stop under other tests.
 */
class DatabaseOutageTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path pgDir;
    static PgCluster pg;
    static Running server;
    static ScepWire wire;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        pg = PgCluster.start(pgDir);
        TestPki.create(dir).close();
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE,
                CaConfig.defaults().withDatabase(PgCluster.databaseConfig(pg.newDatabase())),
                ServerConfig.defaults("127.0.0.1", 0));
        wire = new ScepWire(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static int readyz() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/readyz"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void whilePostgresqlIsDown_enrollmentGets503_andTheSameMessageLaterGetsItsCertificate() throws Exception {
        String secret = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty()).secret();
        KeyPair keys = TestKeys.freshRsa2048();
        Signer signer = Signer.throwaway(keys);
        byte[] message = wire.pkcsReq("outage-1", csr().keys(keys).subject("CN=outage,O=Acme").challenge(secret).build(),
                signer);
        long before = server.ca().certificates().count();

        pg.stopImmediately();
        try {
            HttpResponse<byte[]> r = wire.post(message);
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(body).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
            assertThat(body).contains("database-unavailable").doesNotContain("Exception").doesNotContain("jdbc:");

            // Readiness names the failing check; the CRL is not checked without a database.
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/readyz")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            var problem = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ready.body());
            assertThat(problem.path("type").asText()).endsWith("/not-ready");
            assertThat(problem.path("failing").toString()).isEqualTo("[\"database\"]");
            assertThat(problem.path("detail").asText()).isEqualTo("not ready: database (the database does not answer)");
            assertThat(problem.path("checks").findValuesAsText("status")).containsExactly("fail", "ok", "skipped", "ok");

            // The metrics: the enrollment counted as unavailable, and the store gauges say the database is gone.
            server.metrics().refreshStoreGauges();
            var metrics = org.scepca.server.metrics.PrometheusText.parse(server.metrics().scrape());
            assertThat(metrics.sum("scepca_scep_enrollments_total", "outcome", "unavailable")).isEqualTo(1);
            assertThat(metrics.sum("scepca_scep_requests_seconds_count", "operation", "PKCSReq", "outcome",
                    "unavailable")).isEqualTo(1);
            assertThat(metrics.sum("scepca_store_up")).isZero();
        } finally {
            pg.restart();
        }

        // The pool finds the server again on its own; nothing was issued while it was away.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> readyz() == 200);
        assertThat(server.ca().certificates().count()).isEqualTo(before);
        X509Certificate cert = wire.send(message, signer).issued();
        assertThat(server.ca().certificates().find(cert.getSerialNumber())).isPresent();
        assertThat(wire.send(message, signer).issued()).as("a retransmission gets the same certificate").isEqualTo(cert);

        KeyPair other = TestKeys.freshRsa2048();
        Signer otherSigner = Signer.throwaway(other);
        var reuse = wire.send(wire.pkcsReq("outage-2", csr().keys(other).subject("CN=outage-2,O=Acme").challenge(secret)
                .build(), otherSigner), otherSigner);
        assertThat(reuse.failInfo()).as("the challenge was spent once").contains(FailInfo.badRequest);
    }
}
