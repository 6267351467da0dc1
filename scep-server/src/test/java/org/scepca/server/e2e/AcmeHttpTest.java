package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * The ACME adapter on a real server: URLs from configuration (never from the request), the headers every answer
 * carries, problem documents with ACME types for what the adapter refuses itself (content type, size, method,
 * unknown endpoint), and an ACME endpoint that is not a SCEP endpoint. The protocol itself is AcmeCertbotIT's and the
 * acme module's.
 */
class AcmeHttpTest {
    @TempDir
    static Path dir;
    static Running server;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Properties p = new Properties();
        p.setProperty("public-base-url", "http://ca.example.org");
        p.setProperty("endpoint.web.protocol", "acme");
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p, dir),
                ServerConfig.defaults("127.0.0.1", 0));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAcmeProblem(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(JSON.readTree(r.body()).path("type").asText()).isEqualTo("urn:ietf:params:acme:error:" + type);
        assertThat(r.headers().firstValue("Replay-Nonce")).isPresent();
        assertThat(r.headers().firstValue("Link")).contains("<http://ca.example.org/acme/web/directory>;rel=\"index\"");
    }

    /**
     * An attested ACME device's certificate records its serial number (device search finds it), but the Jamf device
     * sync, which revokes certificates of devices Jamf no longer lists, leaves it alone: no Jamf event vouched for
     * it. A SCEP endpoint's certificate for a device is in the sync's scope.
     */
    @Test
    void theJamfDeviceSyncLeavesAcmeDeviceCertificatesAlone() {
        java.util.function.BiFunction<String, String, java.math.BigInteger> issue = (endpoint, device) -> server.ca()
                .issuance().issue(new org.scepca.ca.issuance.IssuanceRequest(
                        org.scepca.ca.testing.Csrs.csr().subject("CN=" + device + ",O=Test").build(), "test",
                        org.scepca.ca.policy.CertificateProfile.CLIENT, org.scepca.ca.store.IssuanceEffects.none(),
                        org.scepca.ca.policy.NameRule.any(), new org.scepca.ca.store.IssuedFor(
                                java.util.Optional.of(endpoint), java.util.Optional.empty(), java.util.Optional.empty(),
                                java.util.Optional.of(device), java.util.Optional.empty(), java.util.Optional.empty())))
                .record().serial();
        java.math.BigInteger acme = issue.apply("web", "C02ACMEDEV01");
        java.math.BigInteger scep = issue.apply("default", "C02SCEPDEV01");
        assertThat(org.scepca.server.integrations.IntegrationsAccess.activeJamfCertificates(server.ca()))
                .extracting(org.scepca.jamf.JamfDeviceSync.DeviceCertificate::serial).contains(scep).doesNotContain(acme);
    }

    @Test
    void theDirectoryNamesTheConfiguredUrlsNotTheOneTheRequestCameTo() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/acme/web/directory")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode d = JSON.readTree(r.body());
        assertThat(d.path("newNonce").asText()).isEqualTo("http://ca.example.org/acme/web/new-nonce");
        assertThat(d.path("newOrder").asText()).isEqualTo("http://ca.example.org/acme/web/new-order");
        assertThat(d.path("revokeCert").asText()).isEqualTo("http://ca.example.org/acme/web/revoke-cert");
        assertThat(d.path("keyChange").asText()).isEqualTo("http://ca.example.org/acme/web/key-change");
        assertThat(r.body()).doesNotContain("127.0.0.1");
    }

    @Test
    void newNonceCarriesANonceTheIndexLinkAndNoStore() throws Exception {
        HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-nonce"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Replay-Nonce").orElseThrow()).matches("[A-Za-z0-9_-]{22}");
        assertThat(head.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(head.headers().firstValue("Link")).contains("<http://ca.example.org/acme/web/directory>;rel=\"index\"");
        // The guard filter is in front, as for every path on this port.
        assertThat(head.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-nonce"))).statusCode()).isEqualTo(204);
    }

    @Test
    void theAdapterRefusesWithAcmeProblems() throws Exception {
        assertAcmeProblem(send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-account"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))), 415,
                "malformed");
        assertAcmeProblem(send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-account"))
                .header("Content-Type", "application/jose+json")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(70_000)))), 413, "malformed");
        assertAcmeProblem(send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-account"))
                .header("Content-Type", "application/jose+json").POST(HttpRequest.BodyPublishers.ofString("{}"))), 400,
                "malformed");
        assertAcmeProblem(send(HttpRequest.newBuilder(URI.create(base + "/acme/web/new-order"))), 405, "malformed");
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(base + "/acme/nope/directory")));
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void anAcmeEndpointIsNoScepEndpoint() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/scep/web?operation=GetCACaps")));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/scep?operation=GetCACaps"))).statusCode())
                .isEqualTo(200);
    }
}
