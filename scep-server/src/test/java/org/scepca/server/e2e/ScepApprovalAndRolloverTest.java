package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.jscep.client.EnrollmentResponse;
import org.jscep.transaction.FailInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

class ScepApprovalAndRolloverTest {
    @BeforeAll
    static void providers() {
        Providers.register();
    }

    @Test
    void pendingUntilApprovedThenPollReturnsTheCertificate(@TempDir Path dir) throws Exception {
        TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults().withManualApproval(true),
                ServerConfig.defaults("127.0.0.1", 0))) {
            String url = "http://127.0.0.1:" + server.port() + "/scep";
            String ch = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty()).secret();
            KeyPair keys = TestKeys.freshRsa2048();
            X509Certificate self = ScepClients.selfSigned(keys, "CN=throwaway");
            var client = ScepClients.client(url);
            EnrollmentResponse first = client.enrol(self, keys.getPrivate(), csr().keys(keys).subject("CN=needs-approval").challenge(ch).build());
            assertThat(first.isPending()).isTrue();
            var issuer = server.ca().material().intermediateCertificate().getSubjectX500Principal();
            assertThat(client.poll(self, keys.getPrivate(), issuer, first.getTransactionId()).isPending()).isTrue();
            assertThat(server.ca().certificates().count()).isZero();
            // The challenge was consumed when the request was parked: it cannot be used again.
            assertThat(server.ca().challenges().check(ch)).isEmpty();

            String txid = first.getTransactionId().toString();
            assertThat(server.ca().requests().find(txid).orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
            server.ca().approvals().approve(txid, "test-operator");
            EnrollmentResponse after = client.poll(self, keys.getPrivate(), issuer, first.getTransactionId());
            assertThat(after.isSuccess()).isTrue();
            X509Certificate cert = ScepClients.certificates(after.getCertStore()).get(0);
            assertThat(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded())).isEqualTo(new X500Name("CN=needs-approval"));
            cert.verify(server.ca().material().intermediateCertificate().getPublicKey());
        }
    }

    @Test
    void rejectedRequestFailsOnTheNextPoll(@TempDir Path dir) throws Exception {
        TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults().withManualApproval(true),
                ServerConfig.defaults("127.0.0.1", 0))) {
            String url = "http://127.0.0.1:" + server.port() + "/scep";
            String ch = server.ca().challenges().mint(Duration.ofMinutes(5), Optional.empty()).secret();
            KeyPair keys = TestKeys.freshRsa2048();
            X509Certificate self = ScepClients.selfSigned(keys, "CN=throwaway");
            var client = ScepClients.client(url);
            var first = client.enrol(self, keys.getPrivate(), csr().keys(keys).subject("CN=unwanted").challenge(ch).build());
            server.ca().approvals().reject(first.getTransactionId().toString(), "unknown device", "test-operator");
            var issuer = server.ca().material().intermediateCertificate().getSubjectX500Principal();
            var after = client.poll(self, keys.getPrivate(), issuer, first.getTransactionId());
            assertThat(after.isFailure()).isTrue();
            assertThat(after.getFailInfo()).isEqualTo(FailInfo.badRequest);
        }
    }

    @Test
    void stagedNextCaIsAnnouncedAndServedByGetNextCaCert(@TempDir Path dir) throws Exception {
        try (CertificateAuthority ca = TestPki.create(dir)) {
            new CaInitializer(ca.clock(), ca.random()).stageNext(ca.directory(), ca.material().rootKey().orElseThrow(),
                    ca.material().root(), new X500Name("CN=Test Issuing CA 2"), 2048, Duration.ofDays(1000),
                    new X500Name("CN=Test SCEP RA 2"), TestPki.PASSPHRASE, java.util.Optional.empty());
        }
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0))) {
            String url = "http://127.0.0.1:" + server.port() + "/scep";
            var client = ScepClients.client(url);
            assertThat(client.getCaCapabilities().isRolloverSupported()).isTrue();
            var next = ScepClients.certificates(client.getRolloverCertificate());
            assertThat(next).extracting(c -> c.getSubjectX500Principal().getName())
                    .contains("CN=Test Issuing CA 2", "CN=Test SCEP RA 2");
            for (X509Certificate c : next) {
                if (c.getSubjectX500Principal().getName().equals("CN=Test Issuing CA 2")) {
                    c.verify(server.ca().material().root().getPublicKey());
                }
            }
        }
    }
}
