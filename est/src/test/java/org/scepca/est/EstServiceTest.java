package org.scepca.est;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.challenge.ChallengeService.MintedChallenge;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.testing.TestProperties;

/** The EST core against a real CA and H2 store: what each enrollment comes to, and what it leaves in the store. */
class EstServiceTest {
    @TempDir
    Path dir;
    CertificateAuthority ca;
    EstService est;

    @BeforeEach
    void open() {
        ca = TestPki.create(dir, config("endpoint.default.est", "true", "endpoint.approve.auth", "none",
                "endpoint.approve.est", "true", "endpoint.keep.auth", "one-time", "endpoint.keep.est", "true",
                "endpoint.keep.supersede-on-renewal", "false"));
        est = new EstService(ca, ca.endpoints().defaultEndpoint());
    }

    @AfterEach
    void close() {
        ca.close();
    }

    static CaConfig config(String... kv) {
        return CaConfig.from(TestProperties.of(kv));
    }

    MintedChallenge challenge(String endpoint, Optional<NameBinding> binding) {
        return ca.challenges().mint(Duration.ofHours(1), Optional.empty(), binding, ChallengeOrigin.admin(endpoint));
    }

    static byte[] csr(KeyPair keys, String subject, String... dns) throws Exception {
        Csrs c = Csrs.csr().keys(keys).subject(subject);
        for (String d : dns) {
            c.dns(d);
        }
        return c.build().getEncoded();
    }

    static X509Certificate issued(EstReply reply) throws Exception {
        assertThat(reply).isInstanceOf(EstReply.Issued.class);
        EstReply.Issued ok = (EstReply.Issued) reply;
        // The answer is a certs-only PKCS#7 holding exactly that certificate (RFC 7030 §4.2.3).
        var certs = new CMSSignedData(ok.pkcs7()).getCertificates().getMatches(null);
        assertThat(certs).hasSize(1);
        assertThat(certs.iterator().next().getEncoded()).isEqualTo(ok.certificate().getEncoded());
        return ok.certificate();
    }

    static EstReply.Kind refusal(EstReply reply) {
        assertThat(reply).isInstanceOf(EstReply.Refused.class);
        return ((EstReply.Refused) reply).kind();
    }

    @Test
    void caCertsCarryTheIssuingCaThenTheRoot() throws Exception {
        var certs = new ArrayList<>(new CMSSignedData(est.caCerts()).getCertificates().getMatches(null));
        assertThat(certs).hasSize(2);
        assertThat(certs.get(0).getEncoded()).isEqualTo(ca.material().intermediateCertificate().getEncoded());
        assertThat(certs.get(1).getEncoded()).isEqualTo(ca.material().root().getEncoded());
    }

    @Test
    void csrAttrsSuggestP256AndEcdsaWithSha256() {
        ASN1Sequence attrs = ASN1Sequence.getInstance(est.csrAttrs().orElseThrow());
        Attribute key = Attribute.getInstance(attrs.getObjectAt(0));
        assertThat(key.getAttrType()).isEqualTo(X9ObjectIdentifiers.id_ecPublicKey);
        assertThat(key.getAttrValues().getObjectAt(0).toString()).isEqualTo("1.2.840.10045.3.1.7");
        assertThat(attrs.getObjectAt(1)).isEqualTo(X9ObjectIdentifiers.ecdsa_with_SHA256);
    }

    @Test
    void enrollsWithOneTimeChallengeOnce() throws Exception {
        MintedChallenge c = challenge("default", Optional.empty());
        X509Certificate cert = issued(est.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=phone-1"),
                EstCredentials.password(c.secret())));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=phone-1");
        CertificateRecord record = ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(record.issuedFor().challengeId()).contains(c.id());
        assertThat(record.endpointName()).isEqualTo("default");

        // Spent: another CSR with the same challenge is refused, and nothing more is issued.
        assertThat(refusal(est.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=phone-2"),
                EstCredentials.password(c.secret())))).isEqualTo(EstReply.Kind.UNAUTHORIZED);
        assertThat(ca.certificates().count()).isEqualTo(1);
    }

    @Test
    void retryOfTheSameRequestGetsTheSameCertificate() throws Exception {
        MintedChallenge c = challenge("default", Optional.empty());
        byte[] der = csr(TestKeys.ec("secp256r1"), "CN=phone-1");
        X509Certificate first = issued(est.simpleEnroll(der, EstCredentials.password(c.secret())));
        X509Certificate again = issued(est.simpleEnroll(der, EstCredentials.password(c.secret())));
        assertThat(again.getSerialNumber()).isEqualTo(first.getSerialNumber());
        // The spent challenge proves a repeat only with the right secret.
        assertThat(refusal(est.simpleEnroll(der, EstCredentials.password("0".repeat(32)))))
                .isEqualTo(EstReply.Kind.BAD_REQUEST);
        assertThat(refusal(est.simpleEnroll(der, EstCredentials.NONE))).isEqualTo(EstReply.Kind.BAD_REQUEST);
    }

    @Test
    void refusesMissingAndWrongChallenges() throws Exception {
        byte[] der = csr(TestKeys.ec("secp256r1"), "CN=phone-1");
        assertThat(refusal(est.simpleEnroll(der, EstCredentials.NONE))).isEqualTo(EstReply.Kind.UNAUTHORIZED);
        assertThat(refusal(est.simpleEnroll(der, EstCredentials.password("wrong")))).isEqualTo(EstReply.Kind.UNAUTHORIZED);
        // A challenge minted for another endpoint is not good here.
        MintedChallenge other = challenge("approve", Optional.empty());
        assertThat(refusal(est.simpleEnroll(der, EstCredentials.password(other.secret()))))
                .isEqualTo(EstReply.Kind.UNAUTHORIZED);
        assertThat(ca.certificates().count()).isZero();
    }

    @Test
    void boundChallengeRefusesOtherSubjectAndStaysUnused() throws Exception {
        MintedChallenge c = challenge("default", NameBinding.of(Optional.of("CN=phone-7"), List.of()));
        assertThat(refusal(est.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=someone-else"),
                EstCredentials.password(c.secret())))).isEqualTo(EstReply.Kind.FORBIDDEN);
        X509Certificate cert = issued(est.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=phone-7"),
                EstCredentials.password(c.secret())));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=phone-7");
    }

    @Test
    void policyRefusalIsBadRequestAndConsumesNothing() throws Exception {
        MintedChallenge c = challenge("default", Optional.empty());
        assertThat(refusal(est.simpleEnroll(csr(TestKeys.rsa1024(), "CN=weak"), EstCredentials.password(c.secret()))))
                .isEqualTo(EstReply.Kind.BAD_REQUEST);
        assertThat(refusal(est.simpleEnroll(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}, EstCredentials.password(c.secret()))))
                .isEqualTo(EstReply.Kind.BAD_REQUEST);
        issued(est.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=ok"), EstCredentials.password(c.secret())));
    }

    @Test
    void reenrollKeepsNamesSupersedesAndIsOneShot() throws Exception {
        MintedChallenge c = challenge("default", Optional.empty());
        KeyPair keys = TestKeys.ec("secp256r1");
        X509Certificate old = issued(est.simpleEnroll(csr(keys, "CN=phone-1", "phone-1.example.com"),
                EstCredentials.password(c.secret())));

        // Without the client certificate, or with other names: refused.
        assertThat(refusal(est.simpleReenroll(csr(keys, "CN=phone-1", "phone-1.example.com"), EstCredentials.NONE)))
                .isEqualTo(EstReply.Kind.UNAUTHORIZED);
        assertThat(refusal(est.simpleReenroll(csr(TestKeys.ec("secp256r1"), "CN=phone-2", "phone-1.example.com"),
                EstCredentials.certificate(old)))).isEqualTo(EstReply.Kind.FORBIDDEN);

        KeyPair newKeys = TestKeys.ec("secp256r1");
        X509Certificate renewed = issued(est.simpleReenroll(csr(newKeys, "CN=phone-1", "phone-1.example.com"),
                EstCredentials.certificate(old)));
        assertThat(renewed.getSubjectX500Principal()).isEqualTo(old.getSubjectX500Principal());
        assertThat(renewed.getSubjectAlternativeNames()).containsExactlyElementsOf(old.getSubjectAlternativeNames());
        assertThat(ca.certificates().find(old.getSerialNumber()).orElseThrow().status()).isEqualTo(CertificateStatus.REVOKED);
        // On the published CRL before the answer.
        assertThat(ca.crls().current().crl().getRevokedCertificate(old.getSerialNumber())).isNotNull();

        // One renewal per certificate: the old one cannot renew again (it is revoked now, and renewed already).
        assertThat(refusal(est.simpleReenroll(csr(TestKeys.ec("secp256r1"), "CN=phone-1", "phone-1.example.com"),
                EstCredentials.certificate(old)))).isEqualTo(EstReply.Kind.FORBIDDEN);
        // The new one renews in turn, and may keep its key (the same CSR enrolled before is not a repeat here).
        X509Certificate third = issued(est.simpleReenroll(csr(newKeys, "CN=phone-1", "phone-1.example.com"),
                EstCredentials.certificate(renewed)));
        assertThat(third.getSerialNumber()).isNotEqualTo(renewed.getSerialNumber());
    }

    @Test
    void withoutSupersession_theRenewalLinkStillMakesReenrollOneShot() throws Exception {
        EstService keep = new EstService(ca, ca.endpoints().get("keep"));
        MintedChallenge c = challenge("keep", Optional.empty());
        X509Certificate old = issued(keep.simpleEnroll(csr(TestKeys.ec("secp256r1"), "CN=tablet-1"),
                EstCredentials.password(c.secret())));
        issued(keep.simpleReenroll(csr(TestKeys.ec("secp256r1"), "CN=tablet-1"), EstCredentials.certificate(old)));
        assertThat(ca.certificates().find(old.getSerialNumber()).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);
        EstReply second = keep.simpleReenroll(csr(TestKeys.ec("secp256r1"), "CN=tablet-1"), EstCredentials.certificate(old));
        assertThat(refusal(second)).isEqualTo(EstReply.Kind.FORBIDDEN);
        assertThat(((EstReply.Refused) second).reason()).contains("renewed already");
        // And a certificate renews only on the endpoint that issued it.
        assertThat(refusal(est.simpleReenroll(csr(TestKeys.ec("secp256r1"), "CN=tablet-1"),
                EstCredentials.certificate(old)))).isEqualTo(EstReply.Kind.FORBIDDEN);
    }

    @Test
    void reenrollRefusesCertificatesOfAnotherCa() throws Exception {
        KeyPair keys = TestKeys.ec("secp256r1");
        X509Certificate foreign;
        try (CertificateAuthority other = TestPki.create(dir.resolve("other"))) {
            foreign = other.material().root();
        }
        assertThat(refusal(est.simpleReenroll(csr(keys, "CN=x"), EstCredentials.certificate(foreign))))
                .isEqualTo(EstReply.Kind.UNAUTHORIZED);
    }

    @Test
    void manualApprovalAnswersPendingUntilApproved() throws Exception {
        EnrollmentEndpoint approve = ca.endpoints().get("approve");
        EstService parked = new EstService(ca, approve);
        byte[] der = csr(TestKeys.ec("secp256r1"), "CN=kiosk-1");
        EstReply first = parked.simpleEnroll(der, EstCredentials.NONE);
        assertThat(first).isEqualTo(new EstReply.Pending(EstService.RETRY_AFTER));
        String txid = EstService.TRANSACTION_PREFIX + Pem.sha256Hex(der);
        assertThat(ca.requests().find(txid).orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
        assertThat(parked.simpleEnroll(der, EstCredentials.NONE)).isInstanceOf(EstReply.Pending.class);

        ca.approvals().approve(txid, "test");
        X509Certificate cert = issued(parked.simpleEnroll(der, EstCredentials.NONE));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=kiosk-1");
        assertThat(ca.certificates().find(cert.getSerialNumber()).orElseThrow().endpointName()).isEqualTo("approve");
    }

    @Test
    void rejectedRequestIsForbidden() throws Exception {
        EstService parked = new EstService(ca, ca.endpoints().get("approve"));
        byte[] der = csr(TestKeys.ec("secp256r1"), "CN=kiosk-2");
        assertThat(parked.simpleEnroll(der, EstCredentials.NONE)).isInstanceOf(EstReply.Pending.class);
        ca.approvals().reject(EstService.TRANSACTION_PREFIX + Pem.sha256Hex(der), "unknown kiosk", "test");
        assertThat(refusal(parked.simpleEnroll(der, EstCredentials.NONE))).isEqualTo(EstReply.Kind.FORBIDDEN);
    }

    @Test
    void twentyConcurrentEnrollmentsWithOneChallengeIssueExactlyOne() throws Exception {
        MintedChallenge c = challenge("default", Optional.empty());
        List<byte[]> csrs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            csrs.add(csr(TestKeys.ec("secp256r1"), "CN=racer-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<EstReply>> replies = new ArrayList<>();
            for (byte[] der : csrs) {
                Callable<EstReply> call = () -> {
                    go.await();
                    return est.simpleEnroll(der, EstCredentials.password(c.secret()));
                };
                replies.add(pool.submit(call));
            }
            go.countDown();
            int ok = 0;
            for (Future<EstReply> f : replies) {
                EstReply r = f.get();
                if (r instanceof EstReply.Issued) {
                    ok++;
                } else {
                    assertThat(refusal(r)).isEqualTo(EstReply.Kind.UNAUTHORIZED);
                }
            }
            assertThat(ok).isEqualTo(1);
            assertThat(ca.certificates().count()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void estConfiguration_isPerEndpoint_andErrorsNameTheKey() {
        assertThat(ca.endpoints().defaultEndpoint().est()).isTrue();
        assertThat(ca.endpoints().defaultEndpoint().estPath()).isEqualTo("/.well-known/est");
        assertThat(ca.endpoints().get("approve").estPath()).isEqualTo("/.well-known/est/approve");
        // Not inherited from the default: each endpoint opts in.
        assertThat(config("endpoint.default.est", "true", "endpoint.x.auth", "one-time").endpoints().get("x").est())
                .isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config("endpoint.x.auth", "one-time",
                "endpoint.x.est", "maybe")).hasMessageContaining("endpoint.x.est");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config("endpoint.i.auth", "intune",
                "endpoint.i.est", "true")).hasMessageContaining("endpoint.i.est");
    }

    @Test
    void refusesAnEndpointThatDoesNotAnswerEst() {
        ca.close();
        ca = TestPki.create(dir, CaConfig.defaults());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EstService(ca, ca.endpoints().defaultEndpoint()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint.default.est");
    }
}
