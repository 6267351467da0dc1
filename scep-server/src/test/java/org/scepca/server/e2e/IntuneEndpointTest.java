package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.scepca.ca.testing.Csrs.csr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.intune.IntuneRevocationSync;
import org.scepca.intune.fake.FakeIntune;
import org.scepca.intune.fake.FakeIntune.Route;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;
import org.scepca.server.integrations.Integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An Intune endpoint against a local HTTPS fake that follows Microsoft's documented contract (token endpoint, Graph
 * discovery, ScepActions, PKI connector): validate → issue → successNotification → CertRep; refusals with Intune's
 * codes; failureNotification after the reply; an Intune outage refuses fast and leaves other endpoints alone; the SID
 * SAN only where Intune validated; Intune's revocation requests applied and reported back.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class IntuneEndpointTest {
    private static final String SID = "uri:tag:microsoft.com,2022-09-14:sid:S-1-5-21-1004336348-1177238915-682003330-512";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static FakeIntune intune;
    static Running server;
    static ScepWire wire;

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        intune = FakeIntune.start();
        Properties p = intune.properties(dir);
        p.setProperty("intune.timeout-seconds", "2");
        p.setProperty("intune.retries", "1");
        p.setProperty("intune.breaker-failure-threshold", "3");
        p.setProperty("intune.breaker-open-seconds", "60");
        p.setProperty("endpoint.intune.auth", "intune");
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p, dir),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.disabled(), System::nanoTime,
                new Integrations.Options(Optional.of(intune.clientSslContext()), Optional.empty()));
        wire = new ScepWire(server);
    }

    @AfterAll
    static void stop() {
        server.close();
        intune.close();
    }

    private static Reply enroll(String path, String txid, KeyPair keys, org.bouncycastle.pkcs.PKCS10CertificationRequest c) {
        Signer s = Signer.throwaway(keys);
        return wire.send(wire.pkcsReq(txid, c, s), s, path);
    }

    private static JsonNode body(FakeIntune.Recorded r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<FakeIntune.Recorded> calls(Route route, String txid) {
        return intune.requests(route).stream().filter(r -> r.body().contains("\"" + txid + "\"")).toList();
    }

    @Test
    void validateThenIssueThenNotify_withWhatMicrosoftsContractAsksFor() throws Exception {
        KeyPair keys = TestKeys.rsa2048(80);
        var request = csr().keys(keys).subject("CN=3f2504e0-4f89-11d3-9a0c-0305e82c3301")
                .uri("IntuneDeviceId://3F2504E0-4F89-11D3-9A0C-0305E82C3301").uri(SID.substring(4))
                .challenge("intune-encrypted-challenge-blob-" + "x".repeat(200)).build();
        X509Certificate cert = enroll("/scep/intune", "intune-ok-1", keys, request).issued();

        List<FakeIntune.Recorded> validate = calls(Route.VALIDATE, "intune-ok-1");
        List<FakeIntune.Recorded> notify = calls(Route.SUCCESS_NOTIFICATION, "intune-ok-1");
        assertThat(validate).hasSize(1);
        assertThat(notify).hasSize(1);
        assertThat(intune.requests().indexOf(validate.get(0))).isLessThan(intune.requests().indexOf(notify.get(0)));
        JsonNode v = body(validate.get(0)).path("request");
        assertThat(v.path("certificateRequest").asText()).isEqualTo(Base64.getEncoder().encodeToString(request.getEncoded()));
        assertThat(v.path("callerInfo").asText()).isEqualTo("scepca/intune");
        assertThat(validate.get(0).header("api-version")).isEqualTo("2018-02-20");
        assertThat(validate.get(0).header("authorization")).startsWith("Bearer ");
        assertThat(validate.get(0).header("client-request-id")).matches("[0-9a-f-]{36}");
        JsonNode n = body(notify.get(0)).path("notification");
        assertThat(n.path("certificateThumbprint").asText().toLowerCase(Locale.ROOT)).isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded())));
        assertThat(new java.math.BigInteger(n.path("certificateSerialNumber").asText(), 16)).isEqualTo(cert.getSerialNumber());
        assertThat(n.path("issuingCertificateAuthority").asText())
                .isEqualTo(server.ca().material().intermediateCertificate().getSubjectX500Principal().getName());
        assertThat(intune.violations()).isEmpty();

        CertificateRecord rec = server.ca().certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(rec.endpointName()).isEqualTo("intune");
        assertThat(rec.issuedFor().intuneDeviceId()).contains("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        assertThat(rec.subjectAltNames()).contains(SID);
        // A retransmission gets the stored answer without asking Intune again.
        assertThat(enroll("/scep/intune", "intune-ok-1", keys, request).issued()).isEqualTo(cert);
        assertThat(calls(Route.VALIDATE, "intune-ok-1")).hasSize(1);
    }

    @Test
    void intunesRefusalCodes_areBadRequest_nothingIsIssued_andIntuneHearsOfIt() {
        for (String code : List.of("ChallengeExpired", "ChallengeDecryptionError", "SubjectNameMismatch",
                "SubjectAltNameMismatch", "KeyLengthMismatch", "EnhancedKeyUsageMismatch")) {
            String txid = "intune-refused-" + code;
            intune.answerValidation(txid, code, "refused by the fake");
            KeyPair keys = TestKeys.rsa2048(81);
            long before = server.ca().certificates().count();
            LiveScepServer.assertBadRequest(enroll("/scep/intune", txid, keys, csr().keys(keys).subject("CN=dev")
                    .challenge("intune-blob").build()));
            assertThat(server.ca().certificates().count()).isEqualTo(before);
            await().atMost(Duration.ofSeconds(20)).until(() -> calls(Route.FAILURE_NOTIFICATION, txid).size() == 1);
            assertThat(body(calls(Route.FAILURE_NOTIFICATION, txid).get(0)).path("notification").path("hResult").isIntegralNumber())
                    .isTrue();
            assertThat(calls(Route.SUCCESS_NOTIFICATION, txid)).isEmpty();
        }
    }

    @Test
    void ourOwnPolicyRefusal_afterIntunesSuccess_isReportedToo() {
        KeyPair keys = TestKeys.rsa2048(82);
        // Intune says Success, but the CSR asks for a CA's power: refused by our policy, reported as a failure.
        LiveScepServer.assertBadRequest(enroll("/scep/intune", "intune-policy-1", keys, csr().keys(keys)
                .subject("CN=dev").extension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                        new org.bouncycastle.asn1.x509.BasicConstraints(true)).challenge("intune-blob").build()));
        await().atMost(Duration.ofSeconds(20)).until(() -> calls(Route.FAILURE_NOTIFICATION, "intune-policy-1").size() == 1);
    }

    @Test
    void aSidOutsideAnIntuneEndpoint_isSpoofing_andRefused() {
        KeyPair keys = TestKeys.rsa2048(83);
        String challenge = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty(), Optional.empty(),
                ChallengeOrigin.admin(ChallengeOrigin.DEFAULT_ENDPOINT)).secret();
        LiveScepServer.assertBadRequest(enroll("/scep", "sid-spoof-1", keys, csr().keys(keys).subject("CN=alice")
                .uri(SID.substring(4)).challenge(challenge).build()));
        assertThat(enroll("/scep", "sid-spoof-2", keys, csr().keys(keys).subject("CN=alice").challenge(challenge).build())
                .success()).as("the refusal left the challenge usable").isTrue();
    }

    @Test
    void intunesRevocationRequests_revokeOnlyIntuneCertificates_publishTheCrl_andAreReported() throws Exception {
        KeyPair keys = TestKeys.rsa2048(84);
        X509Certificate cert = enroll("/scep/intune", "intune-revoke-1", keys, csr().keys(keys).subject("CN=wiped")
                .challenge("intune-blob").build()).issued();
        String challenge = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty()).secret();
        X509Certificate other = enroll("/scep", "intune-revoke-2", TestKeys.rsa2048(85), csr().keys(TestKeys.rsa2048(85))
                .subject("CN=jamf-mac").challenge(challenge).build()).issued();
        String issuer = server.ca().material().intermediateCertificate().getSubjectX500Principal().getName();
        intune.queueRevocation("ctx-1", cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT), issuer, "scepca:/scep/intune");
        intune.queueRevocation("ctx-2", other.getSerialNumber().toString(16), issuer, "scepca:/scep/intune");
        intune.queueRevocation("ctx-3", "abcdef0123", issuer, "scepca:/scep/intune");

        new IntuneRevocationSync(server.integrations().intuneClient().orElseThrow(),
                org.scepca.server.integrations.IntegrationsAccess.intuneRevoker(server.ca(), issuer), issuer, 100).runOnce();

        assertThat(server.ca().certificates().find(cert.getSerialNumber()).orElseThrow().status())
                .isEqualTo(CertificateStatus.REVOKED);
        assertThat(server.ca().certificates().find(other.getSerialNumber()).orElseThrow().status())
                .as("Intune cannot revoke a certificate it did not validate").isEqualTo(CertificateStatus.VALID);
        assertThat(server.ca().crls().current().crl().getRevokedCertificate(cert.getSerialNumber())).isNotNull();
        List<JsonNode> results = intune.uploadedResults();
        assertThat(results).anySatisfy(r -> {
            assertThat(r.path("requestContext").asText()).isEqualTo("ctx-1");
            assertThat(r.path("succeeded").asBoolean()).isTrue();
        });
        assertThat(results).anySatisfy(r -> {
            assertThat(r.path("requestContext").asText()).isEqualTo("ctx-2");
            assertThat(r.path("succeeded").asBoolean()).isFalse();
        });
        assertThat(results).anySatisfy(r -> {
            assertThat(r.path("requestContext").asText()).isEqualTo("ctx-3");
            assertThat(r.path("succeeded").asBoolean()).isFalse();
        });
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE - 1)
    void aSuccessNotificationIntuneDidNotTake_staysQueuedWithTheCertificate_andIsSentLater() throws Exception {
        try {
            intune.failAlways(Route.SUCCESS_NOTIFICATION, 503);
            KeyPair keys = TestKeys.rsa2048(87);
            X509Certificate cert = enroll("/scep/intune", "intune-queued-1", keys, csr().keys(keys).subject("CN=queued")
                    .challenge("intune-blob").build()).issued();
            assertThat(server.ca().mdmReports().count()).isEqualTo(1);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.body()).contains("not yet acknowledged by Intune");
            // Not due yet: nothing sent.
            assertThat(server.integrations().retryReports(server.ca().clock().instant())).isZero();
            intune.heal();
            int before = calls(Route.SUCCESS_NOTIFICATION, "intune-queued-1").size();
            assertThat(server.integrations().retryReports(server.ca().clock().instant().plus(Duration.ofMinutes(2))))
                    .isEqualTo(1);
            assertThat(calls(Route.SUCCESS_NOTIFICATION, "intune-queued-1")).hasSize(before + 1);
            assertThat(body(calls(Route.SUCCESS_NOTIFICATION, "intune-queued-1").get(before)).path("notification")
                    .path("certificateSerialNumber").asText().toLowerCase(Locale.ROOT))
                    .isEqualTo(cert.getSerialNumber().toString(16));
            assertThat(server.ca().mdmReports().count()).isZero();
        } finally {
            intune.heal();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // leaves the circuit open for its open period
    void anIntuneOutage_refusesIntuneEnrollmentsFast_andNeverTheOtherEndpoints() throws Exception {
        try {
            intune.failAlways(Route.VALIDATE, 503);
            KeyPair keys = TestKeys.rsa2048(86);
            for (int i = 0; i < 5; i++) {
                LiveScepServer.assertBadRequest(enroll("/scep/intune", "intune-down-" + i, keys, csr().keys(keys)
                        .subject("CN=dev").challenge("intune-blob").build()));
            }
            int calls = intune.count(Route.VALIDATE);
            LiveScepServer.assertBadRequest(enroll("/scep/intune", "intune-down-open", keys, csr().keys(keys)
                    .subject("CN=dev").challenge("intune-blob").build()));
            assertThat(intune.count(Route.VALIDATE)).as("the open circuit does not call Intune").isEqualTo(calls);
            String challenge = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty()).secret();
            assertThat(enroll("/scep", "intune-down-other", keys, csr().keys(keys).subject("CN=laptop")
                    .challenge(challenge).build()).success()).isTrue();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("degraded").contains("intune");
        } finally {
            intune.heal();
        }
    }

    @Test
    void anIntuneEndpointWithoutIntuneKeys_stopsTheStart_namingTheKey(@TempDir Path other) throws Exception {
        TestPki.create(other).close();
        Properties p = new Properties();
        p.setProperty("endpoint.mdm.auth", "intune");
        assertThatThrownBy(() -> Running.start(new CaDirectory(other), TestPki.PASSPHRASE, CaConfig.from(p, other),
                ServerConfig.defaults("127.0.0.1", 0))).hasMessageContaining("endpoint.mdm.auth")
                .hasMessageContaining("intune.tenant-id");
        Properties q = new Properties();
        q.setProperty("intune.tenant", "x");
        assertThatThrownBy(() -> Running.start(new CaDirectory(other), TestPki.PASSPHRASE, CaConfig.from(q, other),
                ServerConfig.defaults("127.0.0.1", 0))).hasMessageContaining("intune.tenant");
    }
}
