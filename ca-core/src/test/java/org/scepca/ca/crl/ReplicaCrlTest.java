package org.scepca.ca.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.DatabaseConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;

/**
 * Two replicas (two copies of one CA's data folder, as two hosts would have) on one PostgreSQL database: a revocation
 * made through either is in the CRL both serve and both write to disk, and CRL numbers are never used twice.
 */
class ReplicaCrlTest {
    @TempDir
    Path tmp;
    CertificateAuthority a;
    CertificateAuthority b;

    @BeforeEach
    void twoReplicas() throws Exception {
        Path dirA = tmp.resolve("a");
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(new CaDirectory(dirA), TestPki.fastOptions(),
                TestPki.PASSPHRASE);
        Path dirB = tmp.resolve("b");
        TestPki.copyForReplica(dirA, dirB);
        CaConfig config = CaConfig.defaults().withDatabase(new DatabaseConfig(Optional.of(PgCluster.shared().newDatabase()),
                PgCluster.USER, Optional.of(PgCluster.PASSWORD), 4));
        a = CertificateAuthority.open(new CaDirectory(dirA), TestPki.PASSPHRASE, config, Clock.systemUTC(), new SecureRandom());
        b = CertificateAuthority.open(new CaDirectory(dirB), TestPki.PASSPHRASE, config, Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static X509Certificate issue(CertificateAuthority ca, String cn) {
        return ca.issuance().issue(new IssuanceRequest(csr().subject("CN=" + cn).build(), "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).certificate();
    }

    private static X509CRL onDisk(CertificateAuthority ca) throws Exception {
        return Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl()));
    }

    @Test
    void aRevocationOnOneReplicaIsInTheCrlTheOtherServesAndWritesForNginx() throws Exception {
        X509Certificate cert = issue(a, "phone-1");
        assertThat(b.crls().current().crl().isRevoked(cert)).isFalse();
        a.revocation().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
        assertThat(onDisk(a).isRevoked(cert)).as("A's file when the revocation returns").isTrue();
        assertThat(b.crls().current().crl().isRevoked(cert)).as("the CRL B serves").isTrue();
        assertThat(b.crls().current().der()).isEqualTo(a.crls().current().der());
        assertThat(onDisk(b).isRevoked(cert)).as("B's file before its sync").isFalse();
        assertThat(b.crls().syncToDisk()).isTrue();
        assertThat(onDisk(b).isRevoked(cert)).as("B's file after its sync").isTrue();
        assertThat(Files.readAllBytes(b.directory().intermediateCrl())).isEqualTo(Files.readAllBytes(a.directory().intermediateCrl()));
        assertThat(b.crls().syncToDisk()).as("nothing newer").isFalse();
    }

    @Test
    void concurrentRevocationsOnBothReplicas_noNumberTwice_theLastCrlHoldsThemAll() throws Exception {
        List<X509Certificate> certs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            certs.add(issue(i % 2 == 0 ? a : b, "dev-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        java.util.Map<BigInteger, Set<String>> numbers = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < certs.size(); i++) {
                CertificateAuthority via = i % 2 == 0 ? b : a;
                X509Certificate c = certs.get(i);
                done.add(pool.submit(() -> {
                    via.revocation().revoke(c.getSerialNumber(), RevocationReason.CESSATION_OF_OPERATION, "test");
                    // When the revocation returns, the CRL in force holds it, whichever replica asks.
                    CrlService.Published now = (via == a ? b : a).crls().current();
                    assertThat(now.crl().isRevoked(c)).isTrue();
                    numbers.computeIfAbsent(CrlService.crlNumber(now.crl()), k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                            .add(Pem.sha256Hex(now.der()));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        a.crls().syncToDisk();
        b.crls().syncToDisk();
        for (CertificateAuthority ca : List.of(a, b)) {
            X509CRL last = onDisk(ca);
            for (X509Certificate c : certs) {
                assertThat(last.isRevoked(c)).as(c.getSubjectX500Principal() + " on " + ca.directory().root()).isTrue();
            }
        }
        // Two replicas building at once never sign two different CRLs under one number (RFC 5280 §5.2.3).
        assertThat(numbers).isNotEmpty();
        numbers.forEach((n, ders) -> assertThat(ders).as("CRLs numbered " + n).hasSize(1));
        assertThat(CrlService.crlNumber(onDisk(a))).isEqualTo(CrlService.crlNumber(onDisk(b)));
    }
}
