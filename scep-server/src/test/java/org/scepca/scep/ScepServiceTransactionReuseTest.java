package org.scepca.scep;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jscep.message.CertRep;
import org.jscep.message.PkcsPkiEnvelopeDecoder;
import org.jscep.message.PkcsPkiEnvelopeEncoder;
import org.jscep.message.PkcsReq;
import org.jscep.message.PkiMessageDecoder;
import org.jscep.message.PkiMessageEncoder;
import org.jscep.transaction.FailInfo;
import org.jscep.transaction.Nonce;
import org.jscep.transaction.PkiStatus;
import org.jscep.transaction.TransactionId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.cli.Providers;

/**
 * certmonger (and jscep) derive the transactionID from the public key, so renewing or re-enrolling with the same key
 * reuses the id of the finished first enrollment, with a new CSR. That must be a new transaction, not a refusal;
 * while the id is still pending, or when the very same request is repeated, the stored answer stands.
 */
class ScepServiceTransactionReuseTest {
    private static final AtomicInteger TRANSACTIONS = new AtomicInteger();

    @TempDir
    static Path dir;
    private static CertificateAuthority ca;
    private static ScepService auto;
    private static ScepService manual;

    private final TransactionId txid = new TransactionId(("tx-" + TRANSACTIONS.incrementAndGet())
            .getBytes(StandardCharsets.US_ASCII));
    private final KeyPair deviceKeys = TestKeys.rsa2048(1);
    private ScepService scep;

    @BeforeAll
    static void open() {
        Providers.register();
        ca = TestPki.create(dir);
        auto = new ScepService(ca, ScepSettings.from(CaConfig.defaults()), new SecureRandom());
        manual = new ScepService(ca, ScepSettings.from(CaConfig.defaults().withManualApproval(true)), new SecureRandom());
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    @BeforeEach
    void autoApproval() {
        scep = auto;
    }

    @Test
    void renewalReusingTheFinishedTransactionId_issuesANewCertificate_andSupersedesTheOld() throws Exception {
        X509Certificate first = issued(send(selfSigned(), pkcsReq(csr("first"))));
        CertRep renewed = send(new Signer(first, deviceKeys), pkcsReq(csr("second")));

        X509Certificate second = issued(renewed);
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(ca.certificates().find(first.getSerialNumber()).orElseThrow().revocationReason())
                .contains(RevocationReason.SUPERSEDED);
        assertThat(ca.requests().find(txid.toString()).orElseThrow().serial()).contains(second.getSerialNumber());
        assertThat(ca.certificates().find(second.getSerialNumber()).orElseThrow().requester())
                .isEqualTo("scep:renewal:" + first.getSerialNumber().toString(16));
    }

    @Test
    void repeatingTheRenewal_returnsTheSameCertificate() throws Exception {
        X509Certificate first = issued(send(selfSigned(), pkcsReq(csr("first"))));
        PkcsReq renewal = pkcsReq(csr("second"));
        X509Certificate second = issued(send(new Signer(first, deviceKeys), renewal));

        // The retry is still signed by the first certificate, which is revoked by now: the stored answer comes first.
        X509Certificate again = issued(send(new Signer(first, deviceKeys), renewal));

        assertThat(again.getSerialNumber()).isEqualTo(second.getSerialNumber());
    }

    @Test
    void aChallengeEnrollment_reusingAFinishedTransactionIdWithAnotherCsr_isRefused() throws Exception {
        X509Certificate first = issued(send(selfSigned(), pkcsReq(csr("first"))));

        CertRep refused = send(selfSigned(), pkcsReq(csr("second")));

        assertThat(refused.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
        assertThat(refused.getFailInfo()).isEqualTo(FailInfo.badRequest);
        assertThat(ca.requests().find(txid.toString()).orElseThrow().serial()).contains(first.getSerialNumber());
    }

    @Test
    void anUnauthorisedRequest_doesNotTakeOverAFinishedTransaction() throws Exception {
        X509Certificate first = issued(send(selfSigned(), pkcsReq(csr("first"))));

        CertRep refused = send(selfSigned(), pkcsReq(Csrs.csr().keys(deviceKeys).subject("CN=intruder").challenge("wrong")
                .build()));

        assertThat(refused.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
        assertThat(ca.requests().find(txid.toString()).orElseThrow().serial()).contains(first.getSerialNumber());
    }

    @Test
    void aPendingTransaction_isNotReplacedByAnotherCsr() throws Exception {
        scep = manual;
        assertThat(send(selfSigned(), pkcsReq(csr("first"))).getPkiStatus()).isEqualTo(PkiStatus.PENDING);

        CertRep other = send(selfSigned(), pkcsReq(csr("second")));

        assertThat(other.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
        assertThat(other.getFailInfo()).isEqualTo(FailInfo.badRequest);
        assertThat(ca.requests().find(txid.toString()).orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
    }

    // ---- helpers ----

    private org.bouncycastle.pkcs.PKCS10CertificationRequest csr(String note) {
        String challenge = ca.challenges().mint(Duration.ofMinutes(5), Optional.of(note)).secret();
        return Csrs.csr().keys(deviceKeys).subject("CN=reuse-test,O=scepca tests").challenge(challenge).build();
    }

    private PkcsReq pkcsReq(org.bouncycastle.pkcs.PKCS10CertificationRequest csr) {
        return new PkcsReq(txid, Nonce.nextNonce(), csr);
    }

    /** Sends like jscep's client: signed by {@code signer}, enveloped to the RA with AES, reply decrypted with its key. */
    private CertRep send(Signer signer, PkcsReq request) throws Exception {
        X509Certificate ra = scep.raCertificate();
        byte[] message = new PkiMessageEncoder(signer.keys().getPrivate(), signer.certificate(),
                new PkcsPkiEnvelopeEncoder(ra, "AES"), "SHA256withRSA").encode(request).getEncoded();
        ScepReply reply = scep.pkiOperation(message);
        return (CertRep) new PkiMessageDecoder(ra, new PkcsPkiEnvelopeDecoder(signer.certificate(),
                signer.keys().getPrivate())).decode(new CMSSignedData(reply.body()));
    }

    private static X509Certificate issued(CertRep rep) throws Exception {
        assertThat(rep.getPkiStatus()).as("pkiStatus (failInfo %s)",
                rep.getPkiStatus() == PkiStatus.FAILURE ? rep.getFailInfo() : "-").isEqualTo(PkiStatus.SUCCESS);
        CertStore store = org.jscep.util.SignedDataUtils.fromSignedData(rep.getMessageData());
        return (X509Certificate) store.getCertificates(null).iterator().next();
    }

    private Signer selfSigned() throws Exception {
        X500Name name = new X500Name("CN=reuse-test,O=scepca tests");
        Instant now = Instant.now();
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, deviceKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(deviceKeys.getPrivate()));
        return new Signer(new JcaX509CertificateConverter().getCertificate(holder), deviceKeys);
    }

    private record Signer(X509Certificate certificate, KeyPair keys) {
    }
}
