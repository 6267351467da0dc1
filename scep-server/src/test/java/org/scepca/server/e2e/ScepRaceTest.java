package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jscep.transaction.FailInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * Races that a CA must win every time (issue 11), against a real Jetty on port 0 and a real H2 file, with real SCEP
 * messages over HTTP: a one-time challenge issues one certificate however many requests race for it; a certificate is
 * renewed once however many renewals it signs at the same moment, and the certificate it replaces is on the CRL file
 * before the renewal's SUCCESS leaves; copies of one message all get the same certificate.
 */
class ScepRaceTest extends LiveScepServer {
    private static long issuedWithSubject(String text) {
        return server.ca().certificates().list(new CertificateQuery(CertificateQuery.State.ALL, Optional.of(text),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 500),
                java.time.Instant.now()).items().size();
    }

    private static void assertOthersBadRequest(List<Reply> replies, int expected) {
        assertThat(replies.stream().filter(r -> !r.success()).map(Reply::failInfo))
                .hasSize(expected).allMatch(f -> f.equals(Optional.of(FailInfo.badRequest)));
    }

    @Test
    void oneTimeChallenge_racedBy100DifferentRequests_issuesExactlyOneCertificate() throws Exception {
        String secret = challenge();
        KeyPair keys = TestKeys.rsa2048(20);
        Signer signer = Signer.throwaway(keys);
        List<byte[]> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            messages.add(wire.pkcsReq("challenge-race-" + i, csr().keys(keys).subject("CN=challenge-race-" + i + ",O=race")
                    .challenge(secret).build(), signer));
        }

        List<Reply> replies = ScepWire.concurrently(100, i -> () -> wire.send(messages.get(i), signer));

        assertThat(replies.stream().filter(Reply::success).count()).isEqualTo(1);
        assertOthersBadRequest(replies, 99);
        assertThat(issuedWithSubject("challenge-race-")).isEqualTo(1);
    }

    @Test
    void renewal_racedBy30RequestsSignedByOneCertificate_issuesExactlyOne_andTheOldIsOnTheCrlOnDiskBeforeSuccess()
            throws Exception {
        KeyPair oldKeys = TestKeys.rsa2048(21);
        X509Certificate old = enroll("renewal-race-0", csr().keys(oldKeys).subject("CN=renewal-race,O=race")
                .challenge(challenge()).build(), oldKeys);
        Signer byOld = new Signer(old, oldKeys);
        KeyPair newKeys = TestKeys.rsa2048(22);
        List<byte[]> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            messages.add(wire.pkcsReq("renewal-race-" + (i + 1), csr().keys(newKeys).subject("CN=renewal-race,O=race")
                    .build(), byOld));
        }
        Path crlFile = server.ca().directory().intermediateCrl();

        // Each thread reads the CRL file the moment its SUCCESS arrives, as nginx would on its next reload.
        record Seen(Reply reply, boolean oldOnCrl) {
        }
        List<Seen> seen = ScepWire.concurrently(30, i -> () -> {
            Reply r = wire.send(messages.get(i), byOld);
            X509CRL crl = Pem.crl(Files.readAllBytes(crlFile));
            return new Seen(r, crl.isRevoked(old));
        });

        List<Seen> successes = seen.stream().filter(s -> s.reply().success()).toList();
        assertThat(successes).hasSize(1);
        assertThat(successes.get(0).oldOnCrl()).as("old certificate on the CRL file when SUCCESS arrived").isTrue();
        assertOthersBadRequest(seen.stream().map(Seen::reply).toList(), 29);
        BigInteger renewed = successes.get(0).reply().issued().getSerialNumber();
        assertThat(server.ca().certificates().renewedBy(old.getSerialNumber())).contains(renewed);
        assertThat(server.ca().certificates().find(old.getSerialNumber()).orElseThrow().revocationReason())
                .contains(RevocationReason.SUPERSEDED);
        assertThat(issuedWithSubject("cn=renewal-race")).isEqualTo(2);
    }

    @Test
    void retransmissions_50ConcurrentCopiesOfOnePkcsReqWithAOneTimeChallenge_getOneCertificateAndTheSameSuccess()
            throws Exception {
        KeyPair keys = TestKeys.rsa2048(23);
        Signer signer = Signer.throwaway(keys);
        byte[] message = wire.pkcsReq("retransmitted-1", csr().keys(keys).subject("CN=retransmitted,O=race")
                .challenge(challenge()).build(), signer);

        List<Reply> replies = ScepWire.concurrently(50, i -> () -> wire.send(message, signer));

        assertThat(replies).allMatch(Reply::success);
        Set<BigInteger> serials = replies.stream().map(r -> r.issued().getSerialNumber()).collect(Collectors.toSet());
        assertThat(serials).hasSize(1);
        assertThat(replies.stream().map(r -> Pem.sha256Hex(der(r.issued()))).distinct()).hasSize(1);
        assertThat(issuedWithSubject("cn=retransmitted")).isEqualTo(1);
    }

    @Test
    void retransmissions_ofTheWinningRenewal_getItsCertificate_whileOtherRenewalsAreRefused() throws Exception {
        KeyPair oldKeys = TestKeys.rsa2048(24);
        X509Certificate old = enroll("renewal-repeat-0", csr().keys(oldKeys).subject("CN=renewal-repeat,O=race")
                .challenge(challenge()).build(), oldKeys);
        Signer byOld = new Signer(old, oldKeys);
        // sscep style: the same transaction id and CSR for every copy, signed by the certificate being renewed.
        byte[] renewal = wire.pkcsReq("renewal-repeat-1", csr().keys(TestKeys.rsa2048(25))
                .subject("CN=renewal-repeat,O=race").build(), byOld);

        List<Reply> replies = ScepWire.concurrently(20, i -> () -> wire.send(renewal, byOld));

        assertThat(replies).allMatch(Reply::success);
        assertThat(replies.stream().map(r -> r.issued().getSerialNumber()).distinct()).hasSize(1);
        assertThat(issuedWithSubject("cn=renewal-repeat")).isEqualTo(2);
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
