package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;

import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSSignedData;
import org.jscep.message.CertRep;
import org.jscep.message.PkcsPkiEnvelopeDecoder;
import org.jscep.message.PkiMessageDecoder;
import org.jscep.transaction.PkiStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestKeys;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * RenewalReq (messageType 17, RFC 8894 §3.3.1.2) over real HTTP, which jscep's client cannot send: built with
 * Bouncy Castle, AES-256 with OAEP key transport, signed by the certificate being renewed.
 */
class RenewalReqOverHttpTest {

    @Test
    void renewalReqSignedByOurCertificateIsIssuedAndSupersedesIt(@TempDir Path dir) throws Exception {
        Providers.register();
        org.scepca.ca.testing.TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), org.scepca.ca.testing.TestPki.PASSPHRASE,
                CaConfig.defaults(), ServerConfig.defaults("127.0.0.1", 0))) {
            KeyPair oldKeys = TestKeys.rsa2048(7);
            X509Certificate old = server.ca().issuance().issue(new IssuanceRequest(csr().keys(oldKeys).subject("CN=renew-17").build(),
                    "test", CertificateProfile.CLIENT, IssuanceEffects.none())).certificate();
            KeyPair newKeys = TestKeys.rsa2048(8);
            byte[] msg = TestRequests.pkcsReq(TestPki.PKI).messageType("17").transactionId("renewal-17-tx")
                    .recipient(server.scep().raCertificate()).signer(old, oldKeys.getPrivate())
                    .messageData(csr().keys(newKeys).subject("CN=renew-17").build().getEncoded())
                    .cipher(CMSAlgorithm.AES256_CBC).oaep().build();
            CertRep rep = post(server, msg, old, oldKeys);
            assertThat(rep.getPkiStatus()).isEqualTo(PkiStatus.SUCCESS);
            X509Certificate renewed = rep.getMessageData().getCertificates().getMatches(null).stream()
                    .map(RenewalReqOverHttpTest::toX509).findFirst().orElseThrow();
            assertThat(renewed.getPublicKey()).isEqualTo(newKeys.getPublic());
            assertThat(server.ca().certificates().find(old.getSerialNumber()).orElseThrow().revocationReason())
                    .contains(RevocationReason.SUPERSEDED);

            // The superseded certificate cannot renew again.
            byte[] again = TestRequests.pkcsReq(TestPki.PKI).messageType("17").transactionId("renewal-17-tx-2")
                    .recipient(server.scep().raCertificate()).signer(old, oldKeys.getPrivate())
                    .messageData(csr().keys(TestKeys.rsa2048(9)).subject("CN=renew-17").build().getEncoded()).build();
            CertRep refused = post(server, again, old, oldKeys);
            assertThat(refused.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
            assertThat(refused.getFailInfo()).isEqualTo(org.jscep.transaction.FailInfo.badRequest);
        }
    }

    @Test
    void renewalReqSignedBySomeoneElsesCertificateIsRefused(@TempDir Path dir) throws Exception {
        Providers.register();
        org.scepca.ca.testing.TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), org.scepca.ca.testing.TestPki.PASSPHRASE,
                CaConfig.defaults(), ServerConfig.defaults("127.0.0.1", 0))) {
            // Signed by the codec tests' throwaway requester certificate: not issued by this CA.
            byte[] msg = TestRequests.pkcsReq(TestPki.PKI).messageType("17").transactionId("renewal-foreign")
                    .recipient(server.scep().raCertificate()).build();
            CertRep rep = post(server, msg, TestPki.PKI.requesterCert, TestPki.PKI.requesterKeys);
            assertThat(rep.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
            assertThat(rep.getFailInfo()).isEqualTo(org.jscep.transaction.FailInfo.badRequest);
        }
    }

    private static CertRep post(Running server, byte[] msg, X509Certificate signer, KeyPair keys) throws Exception {
        var resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/scep?operation=PKIOperation")).POST(HttpRequest.BodyPublishers.ofByteArray(msg)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(resp.statusCode()).isEqualTo(200);
        var dec = new PkiMessageDecoder(server.scep().raCertificate(), new PkcsPkiEnvelopeDecoder(signer, keys.getPrivate()));
        return (CertRep) dec.decode(new CMSSignedData(resp.body()));
    }

    private static X509Certificate toX509(org.bouncycastle.cert.X509CertificateHolder h) {
        try {
            return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(h);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
