package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.scepca.ca.testing.Csrs.csr;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import org.jscep.client.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.metrics.PrometheusText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code /metrics} on a real server: jscep enrolls, a certificate is revoked, OCSP is asked, and the scrape shows
 * exactly that; the store's gauges match certificates of chosen notAfter; the CA gauges match the CA certificates.
 */
class MetricsEndToEndTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Running server;
    static String viewer;

    /** A fresh CA in {@code dir} and a server on port 0 with the admin connector as given. */
    static Running startWithAdmin(Path dir, AdminConfig admin) throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        return Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), admin);
    }

    @BeforeAll
    static void start() throws Exception {
        server = startWithAdmin(dir, AdminConfig.loopback(0));
        viewer = server.ca().tokens().create("prometheus", AdminRole.VIEWER).token();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static PrometheusText scrape() throws Exception {
        HttpResponse<String> r = get(server.adminPort(), "/metrics", viewer);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(r.body());
    }

    static byte[] ocspRequest(Running server, BigInteger serial) throws Exception {
        var id = new org.bouncycastle.cert.ocsp.CertificateID(new org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder()
                .build().get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1),
                new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(server.ca().material().intermediateCertificate()),
                serial);
        return new org.bouncycastle.cert.ocsp.OCSPReqBuilder().addRequest(id).build().getEncoded();
    }

    static int ocsp(Running server, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    /** A certificate record with the notAfter asked for (the gauges count records, whatever their DER). */
    static void stored(Instant notAfter) {
        BigInteger serial = new BigInteger(64, new java.security.SecureRandom()).setBit(63);
        Instant now = Instant.now();
        server.ca().certificates().insertIssued(new CertificateRecord(serial,
                server.ca().material().intermediateCertificate().getSubjectX500Principal().getName(), "CN=gauge " + serial,
                List.of(), now.minus(Duration.ofDays(400)), notAfter, CertificateStatus.VALID, Optional.empty(),
                Optional.empty(), Optional.empty(), "test", CertificateProfile.CLIENT, now,
                Pem.sha256Hex(serial.toByteArray()), new byte[] {1}), IssuanceEffects.none());
    }

    @Test
    void enrollRevokeAndOcsp_theScrapeCountsExactlyThat_andTheGaugesMatchTheStore() throws Exception {
        PrometheusText before = scrape();
        Instant now = Instant.now();
        stored(now.plus(Duration.ofDays(3)));
        stored(now.plus(Duration.ofDays(20)));
        stored(now.plus(Duration.ofDays(60)));
        stored(now.plus(Duration.ofDays(200)));
        stored(now.minus(Duration.ofDays(2)));
        String used = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty()).secret();
        server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty());
        server.ca().tokens().create("ops", AdminRole.ADMIN);
        server.ca().tokens().create("old", AdminRole.VIEWER);
        server.ca().tokens().revoke("old");

        Client client = ScepClients.client("http://127.0.0.1:" + server.port() + "/scep");
        KeyPair keys = TestKeys.freshRsa2048();
        var ok = client.enrol(ScepClients.selfSigned(keys, "CN=throwaway"), keys.getPrivate(),
                csr().keys(keys).subject("CN=metrics-device").challenge(used).build());
        assertThat(ok.isSuccess()).isTrue();
        X509Certificate cert = ScepClients.certificates(ok.getCertStore()).get(0);
        KeyPair other = TestKeys.freshRsa2048();
        var refused = client.enrol(ScepClients.selfSigned(other, "CN=throwaway"), other.getPrivate(),
                csr().keys(other).subject("CN=wrong").challenge("not-a-challenge").build());
        assertThat(refused.isFailure()).isTrue();
        server.ca().revocation().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
        assertThat(ocsp(server, ocspRequest(server, cert.getSerialNumber()))).isEqualTo(200);
        assertThat(ocsp(server, ocspRequest(server, BigInteger.valueOf(12345)))).isEqualTo(200);
        assertThat(ocsp(server, new byte[] {0x30, 0x00})).isEqualTo(200);
        server.metrics().refreshStoreGauges();
        // The HTTP timer is recorded when the filter chain returns, which can be just after the client has read the
        // whole answer (a loaded machine showed 2 of the 3 OCSP requests): wait, bounded, for the last one.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> new Delta(before, scrape())
                .of("scepca_http_requests_seconds_count", "connector", "scep", "endpoint", "ocsp", "status", "200") >= 3);
        PrometheusText after = scrape();

        Delta d = new Delta(before, after);
        assertThat(d.of("scepca_scep_enrollments_total", "scep_endpoint", "default", "kind", "enrollment",
                "outcome", "issued")).isEqualTo(1);
        assertThat(d.of("scepca_scep_enrollments_total", "scep_endpoint", "default", "kind", "enrollment",
                "outcome", "refused", "fail_info", "badRequest", "reason", "challenge")).isEqualTo(1);
        assertThat(d.of("scepca_scep_enrollments_total")).isEqualTo(2);
        // One count per audit line, for every protocol alike (ACME finalize, EST enrollments count the same way).
        assertThat(d.of("scepca_audit_operations_total", "op", "PKCSReq", "audit_endpoint", "scep", "outcome", "issued"))
                .isEqualTo(1);
        assertThat(d.of("scepca_audit_operations_total", "op", "PKCSReq")).isEqualTo(2);
        assertThat(d.of("scepca_scep_requests_seconds_count", "operation", "PKCSReq", "outcome", "success",
                "fail_info", "none")).isEqualTo(1);
        assertThat(d.of("scepca_scep_requests_seconds_count", "operation", "PKCSReq", "outcome", "failure",
                "fail_info", "badRequest")).isEqualTo(1);
        assertThat(d.of("scepca_scep_requests_seconds_count", "operation", "GetCACert")).isPositive();
        // The histogram's +Inf bucket holds every request of the series.
        assertThat(after.sum("scepca_scep_requests_seconds_bucket", "operation", "PKCSReq", "le", "+Inf"))
                .isEqualTo(after.sum("scepca_scep_requests_seconds_count", "operation", "PKCSReq"));
        assertThat(d.of("scepca_ocsp_answers_total", "status", "revoked")).isEqualTo(1);
        assertThat(d.of("scepca_ocsp_answers_total", "status", "unknown")).isEqualTo(1);
        assertThat(d.of("scepca_ocsp_answers_total", "status", "malformed_request")).isEqualTo(1);
        assertThat(d.of("scepca_ocsp_answers_total", "status", "good")).isZero();
        assertThat(d.of("scepca_http_requests_seconds_count", "connector", "scep", "endpoint", "ocsp", "status", "200"))
                .isEqualTo(3);

        assertThat(d.of("scepca_certificates", "status", "active")).isEqualTo(4);
        assertThat(d.of("scepca_certificates", "status", "expired")).isEqualTo(1);
        assertThat(d.of("scepca_certificates", "status", "revoked")).isEqualTo(1);
        assertThat(d.of("scepca_certificates_expiring", "within", "7d")).isEqualTo(1);
        assertThat(d.of("scepca_certificates_expiring", "within", "30d")).isEqualTo(2);
        assertThat(d.of("scepca_certificates_expiring", "within", "90d")).isEqualTo(3);
        assertThat(d.of("scepca_challenges", "state", "unused")).isEqualTo(1);
        assertThat(d.of("scepca_challenges", "state", "used")).isEqualTo(1);
        assertThat(d.of("scepca_api_tokens", "state", "active", "role", "admin")).isEqualTo(1);
        assertThat(d.of("scepca_api_tokens", "state", "active", "role", "viewer")).isZero();
        assertThat(d.of("scepca_api_tokens", "state", "revoked")).isEqualTo(1);
        assertThat(after.sum("scepca_api_tokens", "state", "active", "role", "viewer")).isEqualTo(1);
        assertThat(after.sum("scepca_store_up")).isEqualTo(1);

        // The revocation published a new CRL: its number and dates as the CA has them.
        var crl = server.ca().crls().current().crl();
        assertThat(after.sum("scepca_crl_number")).isEqualTo(
                org.scepca.ca.crl.CrlService.crlNumber(crl).doubleValue());
        assertThat(after.sum("scepca_crl_age_seconds")).isCloseTo(
                ChronoUnit.MILLIS.between(crl.getThisUpdate().toInstant(), Instant.now()) / 1000.0, within(30.0));
        assertThat(after.sum("scepca_crl_next_update_seconds")).isCloseTo(
                ChronoUnit.MILLIS.between(Instant.now(), crl.getNextUpdate().toInstant()) / 1000.0, within(30.0));
    }

    @Test
    void caDaysLeft_matchTheCaCertificates() throws Exception {
        PrometheusText t = scrape();
        var m = server.ca().material();
        assertThat(t.sum("scepca_ca_days_left", "ca", "issuing")).isCloseTo(daysUntil(m.intermediateCertificate()),
                within(0.01));
        assertThat(t.sum("scepca_ca_days_left", "ca", "root")).isCloseTo(daysUntil(m.root()), within(0.01));
    }

    private static double daysUntil(X509Certificate c) {
        return ChronoUnit.MILLIS.between(Instant.now(), c.getNotAfter().toInstant()) / 86_400_000.0;
    }

    @Test
    void jvmPoolAndJettyMetersAreThere() throws Exception {
        System.gc(); // the GC meters appear with the first collection
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> scrape().has("jvm_gc_pause_seconds_count"));
        PrometheusText t = scrape();
        assertThat(t.names()).contains("jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds",
                "hikaricp_connections_active", "jetty_threads_busy", "scepca_replicas");
        assertThat(t.sum("scepca_replicas")).isEqualTo(1);
    }

    @Test
    void withoutAToken_401ProblemJson_andAnEnrollerTokenIsRefused() throws Exception {
        HttpResponse<String> anonymous = get(server.adminPort(), "/metrics", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm="));
        JsonNode problem = JSON.readTree(anonymous.body());
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(problem.path("detail").asText()).contains("admin.metrics-public");
        assertThat(anonymous.body()).doesNotContain("scepca_");

        assertThat(get(server.adminPort(), "/metrics", "scepca_not-a-token").statusCode()).isEqualTo(401);
        String enroller = server.ca().tokens().create("jamf", AdminRole.ENROLLER).token();
        assertThat(get(server.adminPort(), "/metrics", enroller).statusCode()).isEqualTo(403);
        // Never on the public SCEP port.
        assertThat(get(server.port(), "/metrics", viewer).statusCode()).isEqualTo(404);
    }

    @Test
    void metricsPublic_scrapesWithoutAToken(@TempDir Path other) throws Exception {
        try (Running open = startWithAdmin(other, AdminConfig.loopback(0).withMetricsPublic(true))) {
            HttpResponse<String> r = get(open.adminPort(), "/metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(PrometheusText.parse(r.body()).has("scepca_ca_days_left")).isTrue();
        }
    }

    /** after - before, series by series. */
    record Delta(PrometheusText before, PrometheusText after) {
        double of(String name, String... labels) {
            return after.sum(name, labels) - before.sum(name, labels);
        }
    }
}
