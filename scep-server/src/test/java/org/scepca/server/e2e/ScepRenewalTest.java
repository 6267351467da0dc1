package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.jscep.transaction.FailInfo;
import org.jscep.transaction.PkiStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * Renewal rules over the wire: a renewal is authorised by the certificate it renews and keeps that certificate's
 * names; a renewal that reuses the transaction id and CSR of the enrollment it renews (sscep, micromdm's scepclient)
 * is a new request; a revoked certificate never gets anything back.
 */
class ScepRenewalTest extends LiveScepServer {
    @Test
    void renewalWithTheTransactionIdAndCsrOfTheOriginalEnrollment_getsANewCertificate_andRepeatsGetThatOne() {
        KeyPair keys = TestKeys.rsa2048(30);
        PKCS10CertificationRequest csr = csr().keys(keys).subject("CN=sscep-style,O=renewal").challenge(challenge()).build();
        X509Certificate original = enroll("same-tx-1", csr, keys);
        Signer byOriginal = new Signer(original, keys);

        X509Certificate renewed = wire.send(wire.pkcsReq("same-tx-1", csr, byOriginal), byOriginal).issued();

        assertThat(renewed.getSerialNumber()).isNotEqualTo(original.getSerialNumber());
        assertThat(server.ca().certificates().find(original.getSerialNumber()).orElseThrow().revocationReason())
                .contains(RevocationReason.SUPERSEDED);
        // A repeat of the renewal message (still signed by the now superseded certificate) gets the same answer.
        assertThat(wire.send(wire.pkcsReq("same-tx-1", csr, byOriginal), byOriginal).issued().getSerialNumber())
                .isEqualTo(renewed.getSerialNumber());
        // Renewing the renewed certificate with the same id and CSR again is again a new request.
        Signer byRenewed = new Signer(renewed, keys);
        X509Certificate third = wire.send(wire.pkcsReq("same-tx-1", csr, byRenewed), byRenewed).issued();
        assertThat(third.getSerialNumber()).isNotIn(original.getSerialNumber(), renewed.getSerialNumber());
    }

    @Test
    void renewalSignedByARevokedCertificate_isRefused_evenWithTheOriginalTransactionIdAndCsr() {
        KeyPair keys = TestKeys.rsa2048(31);
        PKCS10CertificationRequest csr = csr().keys(keys).subject("CN=revoked-renewer,O=renewal").challenge(challenge()).build();
        X509Certificate original = enroll("revoked-tx-1", csr, keys);
        server.ca().revocation().revoke(original.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
        Signer byRevoked = new Signer(original, keys);

        assertBadRequest(wire.send(wire.pkcsReq("revoked-tx-1", csr, byRevoked), byRevoked));
        assertBadRequest(wire.send(wire.pkcsReq("revoked-tx-2", csr().keys(TestKeys.rsa2048(32))
                .subject("CN=revoked-renewer,O=renewal").build(), byRevoked), byRevoked));
        // Nor does a plain repeat of the original enrollment hand out the revoked certificate as SUCCESS.
        Signer throwaway = Signer.throwaway(keys);
        assertBadRequest(wire.send(wire.pkcsReq("revoked-tx-1", csr, throwaway), throwaway));
        assertThat(server.ca().certificates().renewedBy(original.getSerialNumber())).isEmpty();
    }

    @Test
    void renewalAskingForAnotherSubject_isRefused_andLeavesTheCertificateRenewable() {
        KeyPair keys = TestKeys.rsa2048(33);
        X509Certificate old = enroll("names-1", csr().keys(keys).subject("CN=alice-phone,O=renewal").dns("alice.example.com")
                .challenge(challenge()).build(), keys);
        Signer byOld = new Signer(old, keys);

        assertBadRequest(wire.send(wire.pkcsReq("names-2", csr().keys(keys).subject("CN=alice,O=Example")
                .dns("alice.example.com").build(), byOld), byOld));
        assertBadRequest(wire.send(wire.pkcsReq("names-3", csr().keys(keys).subject("CN=alice-phone,O=renewal")
                .dns("alice.example.com").email("admin@example.com").build(), byOld), byOld));
        assertBadRequest(wire.send(wire.pkcsReq("names-4", csr().keys(keys).subject("CN=alice-phone,O=renewal")
                .dns("admin.example.com").build(), byOld), byOld));
        assertThat(server.ca().certificates().find(old.getSerialNumber()).orElseThrow().status())
                .isEqualTo(CertificateStatus.VALID);

        // Fewer names are allowed: the same subject without the SAN.
        X509Certificate renewed = wire.send(wire.pkcsReq("names-5", csr().keys(keys).subject("CN=alice-phone,O=renewal")
                .build(), byOld), byOld).issued();
        assertThat(renewed.getSubjectX500Principal()).isEqualTo(old.getSubjectX500Principal());
    }

    @Test
    void aServerCertificateCannotRenewOverScep() {
        KeyPair keys = TestKeys.rsa2048(34);
        X509Certificate tls = server.ca().issuance().issue(new IssuanceRequest(csr().keys(keys).subject("CN=tls.example.com")
                .dns("tls.example.com").build(), "test", CertificateProfile.SERVER, IssuanceEffects.none())).certificate();
        Signer byTls = new Signer(tls, keys);

        assertBadRequest(wire.send(wire.pkcsReq("server-renew-1", csr().keys(keys).subject("CN=tls.example.com")
                .dns("tls.example.com").build(), byTls), byTls));
    }
}
