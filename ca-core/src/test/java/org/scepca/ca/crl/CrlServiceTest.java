package org.scepca.ca.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrlServiceTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;

    @BeforeAll
    static void open() {
        ca = TestPki.create(dir);
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    private java.security.cert.X509Certificate issue(String cn) {
        return ca.issuance().issue(new IssuanceRequest(csr().subject("CN=" + cn).build(), "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).certificate();
    }

    @Test
    void revokedSerialAppearsInTheCrlWithItsReason() throws Exception {
        var cert = issue("lost-iphone");
        ca.revocation().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
        X509CRL crl = Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl()));
        crl.verify(ca.material().intermediateCertificate().getPublicKey());
        X509CRLEntry e = crl.getRevokedCertificate(cert.getSerialNumber());
        assertThat(e).isNotNull();
        assertThat(e.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
        assertThat(crl.getVersion()).isEqualTo(2);
        assertThat(crl.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
        assertThat(Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant())).isEqualTo(Duration.ofDays(7));
        assertThat(crl.isRevoked(issue("other"))).isFalse();
    }

    @Test
    void anUnspecifiedReasonLeavesTheEntryWithoutExtensions() throws Exception {
        var cert = issue("retired-mac");
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ca.revocation().revoke(cert.getSerialNumber(), RevocationReason.UNSPECIFIED, "test");
        X509CRL crl = Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl()));
        X509CRLEntry e = crl.getRevokedCertificate(cert.getSerialNumber());
        assertThat(e).isNotNull();
        assertThat(e.hasExtensions()).isFalse(); // RFC 5280 §5.3.1: reasonCode unspecified SHOULD be absent
        assertThat(e.getRevocationDate().toInstant()).isBetween(before, java.time.Instant.now());
    }

    /**
     * A revocation committed by a process that died before publishing (here: written to the store without the
     * publish step that RevocationService adds) reaches the CRL at the next check, and at the next start of any
     * process on the store.
     */
    @Test
    void aRevocationCommittedButNeverPublished_isPublishedByTheNextCheckOrStart() throws Exception {
        var lost = issue("revoked-then-crashed");
        ca.certificates().revoke(lost.getSerialNumber(), RevocationReason.KEY_COMPROMISE, java.time.Instant.now());
        assertThat(ca.crls().current().crl().isRevoked(lost)).as("committed, not published").isFalse();
        assertThat(ca.crls().publishIfBehind()).isTrue();
        assertThat(ca.crls().current().crl().isRevoked(lost)).isTrue();
        assertThat(Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl())).isRevoked(lost)).isTrue();
        assertThat(ca.crls().publishIfBehind()).as("nothing behind now").isFalse();

        var second = issue("revoked-then-crashed-2");
        ca.certificates().revoke(second.getSerialNumber(), RevocationReason.KEY_COMPROMISE, java.time.Instant.now());
        ca.close();
        ca = CertificateAuthority.open(ca.directory(), TestPki.PASSPHRASE, ca.config(), java.time.Clock.systemUTC(),
                new java.security.SecureRandom());
        assertThat(Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl())).isRevoked(second))
                .as("published by the next start").isTrue();
    }

    @Test
    void crlNumberIncreasesWithEveryPublication() {
        var a = CrlService.crlNumber(ca.crls().publish());
        var b = CrlService.crlNumber(ca.crls().publish());
        assertThat(b).isGreaterThan(a);
    }

    @Test
    void unknownSerialIsAClearError() {
        assertThatThrownBy(() -> ca.revocation().revoke(java.math.BigInteger.valueOf(0xabc), RevocationReason.UNSPECIFIED, "t"))
                .isInstanceOf(RevocationService.UnknownCertificateException.class).hasMessage("no certificate with serial abc");
    }

    @Test
    void opensslAcceptsTheCrlsAndRejectsTheRevokedCertificate() throws Exception {
        if (!OpenSsl.available()) {
            return;
        }
        var good = issue("good-device");
        var bad = issue("bad-device");
        ca.revocation().revoke(bad.getSerialNumber(), RevocationReason.CESSATION_OF_OPERATION, "test");
        Path goodPem = dir.resolve("good.pem");
        Path badPem = dir.resolve("bad.pem");
        Files.writeString(goodPem, Pem.encode(good));
        Files.writeString(badPem, Pem.encode(bad));
        var d = ca.directory();
        var crlVerify = OpenSsl.run("crl", "-in", d.intermediateCrl().toString(), "-inform", "DER", "-noout",
                "-CAfile", d.chain().toString());
        assertThat(crlVerify.output()).contains("verify OK");
        var ok = OpenSsl.run("verify", "-crl_check_all", "-CAfile", d.chain().toString(), "-CRLfile", d.crlPem().toString(),
                goodPem.toString());
        assertThat(ok.output()).as(ok.output()).contains(": OK");
        var revoked = OpenSsl.run("verify", "-crl_check_all", "-CAfile", d.chain().toString(), "-CRLfile",
                d.crlPem().toString(), badPem.toString());
        assertThat(revoked.ok()).isFalse();
        assertThat(revoked.output()).contains("certificate revoked");
    }

    /**
     * The server and the CLI publish into the same folder from the same database. Whoever answers a revocation finds
     * it in the CRL file at that moment, and the file that stays is the newest: a slower publisher never writes an
     * older CRL back over it.
     */
    @Test
    void twoPublishersOnOneFolder_eachRevocationIsOnDiskWhenItReturns_andTheLastFileHoldsThemAll() throws Exception {
        try (CertificateAuthority cli = CertificateAuthority.open(ca.directory(), TestPki.PASSPHRASE, ca.config(),
                ca.clock(), new java.security.SecureRandom())) {
            List<java.security.cert.X509Certificate> certs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                certs.add(issue("two-publishers-" + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> onDisk = new ArrayList<>();
                for (int i = 0; i < certs.size(); i++) {
                    CertificateAuthority who = i % 2 == 0 ? ca : cli;
                    var cert = certs.get(i);
                    onDisk.add(pool.submit(() -> {
                        who.revocation().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
                        return Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl())).isRevoked(cert);
                    }));
                }
                for (Future<Boolean> f : onDisk) {
                    assertThat(f.get()).as("revocation on the CRL file when revoke() returned").isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
            X509CRL last = Pem.crl(Files.readAllBytes(ca.directory().intermediateCrl()));
            assertThat(certs).allMatch(last::isRevoked);
            assertThat(CrlService.crlNumber(last)).isGreaterThanOrEqualTo(CrlService.crlNumber(cli.crls().current().crl()));
        }
    }

    /**
     * A store restored from an older backup (docs/operations.md, "Restore") has a lower CRL number than the CRL files
     * published before. Before: the next CRL re-used a number already published with other contents (RFC 5280 §5.2.3)
     * and, since a file is only replaced by a higher number, never reached the files nginx reads, although the
     * revocation answered "CRL republished".
     */
    @Test
    void aStoreBehindThePublishedFilesNeverReusesACrlNumber_andTheFilesStillGetTheRevocation(@TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("ca");
        java.security.cert.X509Certificate first;
        java.security.cert.X509Certificate second;
        try (CertificateAuthority c = TestPki.create(data)) {
            first = issue(c, "revoked-before-the-restore");
            second = issue(c, "revoked-after-the-restore");
        }
        Path backup = tmp.resolve("db-backup");
        copyFolder(data.resolve("db"), backup);
        java.math.BigInteger published;
        java.math.BigInteger rootPublished;
        try (CertificateAuthority c = TestPki.create(data)) {
            c.revocation().revoke(first.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            published = CrlService.crlNumber(Pem.crl(Files.readAllBytes(c.directory().intermediateCrl())));
            rootPublished = CrlService.crlNumber(Pem.crl(Files.readAllBytes(c.directory().rootCrl())));
        }
        try (var files = Files.walk(data.resolve("db"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        copyFolder(backup, data.resolve("db"));
        try (CertificateAuthority c = TestPki.create(data)) {
            c.revocation().revoke(second.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            X509CRL served = c.crls().current().crl();
            X509CRL onDisk = Pem.crl(Files.readAllBytes(c.directory().intermediateCrl()));
            assertThat(CrlService.crlNumber(served)).as("a number never published before").isGreaterThan(published);
            assertThat(onDisk.isRevoked(second)).as("the file nginx reads holds the new revocation").isTrue();
            assertThat(CrlService.crlNumber(onDisk)).isEqualTo(CrlService.crlNumber(served));
            assertThat(CrlService.crlNumber(Pem.crl(Files.readAllBytes(c.directory().rootCrl()))))
                    .as("the root's CRL too").isGreaterThan(rootPublished);
        }
    }

    /**
     * A store restored from an older backup beside the data folder's newer CRL files (docs/operations.md "Backups":
     * the store and the folder are backed up apart). Before: the next CRL, built from the store, dropped the
     * revocations made after the backup, so a certificate revoked for key compromise verified again (RFC 5280 §3.3),
     * and the store and OCSP called it good.
     */
    @Test
    void aStoreRestoredFromAnOlderBackupGetsBackTheRevocationsThePublishedCrlLists(@TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("ca");
        java.security.cert.X509Certificate known;
        try (CertificateAuthority c = TestPki.create(data)) {
            known = issue(c, "revoked-after-the-backup");
        }
        Path backup = tmp.resolve("db-backup");
        copyFolder(data.resolve("db"), backup);
        java.security.cert.X509Certificate unknown;
        java.time.Instant revokedAt;
        try (CertificateAuthority c = TestPki.create(data)) {
            c.revocation().revoke(known.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            revokedAt = c.certificates().find(known.getSerialNumber()).orElseThrow().revokedAt().orElseThrow();
            unknown = issue(c, "issued-and-revoked-after-the-backup");
            c.revocation().revoke(unknown.getSerialNumber(), RevocationReason.SUPERSEDED, "test");
        }
        try (var files = Files.walk(data.resolve("db"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        copyFolder(backup, data.resolve("db"));
        try (CertificateAuthority c = TestPki.create(data)) {
            var record = c.certificates().find(known.getSerialNumber()).orElseThrow();
            assertThat(record.status()).as("revoked in the store again").isEqualTo(CertificateStatus.REVOKED);
            assertThat(record.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
            assertThat(record.revokedAt().orElseThrow().getEpochSecond()).isEqualTo(revokedAt.getEpochSecond());
            X509CRL served = c.crls().current().crl();
            assertThat(served.isRevoked(known)).as("still on the CRL served").isTrue();
            assertThat(Pem.crl(Files.readAllBytes(c.directory().intermediateCrl())).isRevoked(known))
                    .as("and on the file nginx reads").isTrue();
            assertThat(c.crls().lastRestored().revoked()).containsExactly(known.getSerialNumber());
            assertThat(c.crls().lastRestored().unknown()).as("reported: the store cannot hold it")
                    .containsExactly(unknown.getSerialNumber());
        }
        try (CertificateAuthority c = TestPki.create(data)) {
            assertThat(c.crls().lastRestored().revoked()).as("once: the store is level with the files now").isEmpty();
        }
    }

    /**
     * Replicas' clocks agree only to within a few seconds (docs/replicas.md): a revocation stamped by a replica whose
     * clock is ahead may be put on a CRL that another replica signs "earlier". Before: revocationDate after thisUpdate
     * (RFC 5280 §5.1.2.4, §5.1.2.6; zlint e_crl_revocation_time_after_this_update).
     */
    @Test
    void noRevocationDateIsAfterTheCrlsThisUpdate() throws Exception {
        var cert = issue("revoked-by-a-replica-whose-clock-is-ahead");
        ca.certificates().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE,
                java.time.Instant.now().plusSeconds(5));
        X509CRL crl = ca.crls().publish();
        assertThat(crl.isRevoked(cert)).isTrue();
        for (X509CRLEntry e : crl.getRevokedCertificates()) {
            assertThat(e.getRevocationDate()).as(e.getSerialNumber().toString(16)).isBeforeOrEqualTo(crl.getThisUpdate());
        }
    }

    private static java.security.cert.X509Certificate issue(CertificateAuthority c, String cn) {
        return c.issuance().issue(new IssuanceRequest(csr().subject("CN=" + cn).build(), "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).certificate();
    }

    private static void copyFolder(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /**
     * Every renewal revokes the certificate it supersedes, so without an end the CRL would grow for the life of the CA.
     * An entry stays on the CRLs issued during one CRL lifetime after its certificate's notAfter (so it is on a
     * scheduled CRL issued after expiry, RFC 5280 §3.3) and then leaves; the store still says revoked. A revocation
     * committed and not yet published is still noticed with fewer entries on the CRL than revocations in the store.
     */
    @Test
    void anEntryLeavesTheCrlOneLifetimeAfterItsCertificateExpired(@TempDir Path tmp) throws Exception {
        var p = new java.util.Properties();
        p.setProperty("policy.validity-days", "1");
        p.setProperty("crl.next-update-hours", "24");
        var clock = new org.scepca.ca.testing.MutableClock(java.time.Instant.now());
        try (CertificateAuthority c = TestPki.create(tmp, org.scepca.ca.config.CaConfig.from(p), clock)) {
            var expiring = issue(c, "expires-tomorrow");
            c.revocation().revoke(expiring.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            assertThat(c.crls().current().crl().isRevoked(expiring)).isTrue();

            clock.advance(Duration.ofHours(25)); // expired an hour ago
            X509CRL afterExpiry = c.crls().publish();
            assertThat(afterExpiry.getThisUpdate()).isAfter(expiring.getNotAfter());
            assertThat(afterExpiry.isRevoked(expiring)).as("on a CRL issued after it expired").isTrue();
            assertThat(c.crls().publishIfBehind()).isFalse();

            clock.advance(Duration.ofHours(24)); // one CRL lifetime after expiry
            var fresh = issue(c, "fresh");
            c.revocation().revoke(fresh.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            X509CRL later = Pem.crl(Files.readAllBytes(c.directory().intermediateCrl()));
            assertThat(later.isRevoked(fresh)).isTrue();
            assertThat(later.isRevoked(expiring)).as("gone one lifetime after expiry").isFalse();
            assertThat(c.certificates().find(expiring.getSerialNumber()).orElseThrow().status())
                    .isEqualTo(CertificateStatus.REVOKED);
            assertThat(c.crls().publishIfBehind()).as("a pruned entry is not a revocation behind").isFalse();

            var unpublished = issue(c, "revoked-then-crashed");
            c.certificates().revoke(unpublished.getSerialNumber(), RevocationReason.KEY_COMPROMISE, clock.instant());
            assertThat(c.crls().publishIfBehind()).isTrue();
            assertThat(c.crls().current().crl().isRevoked(unpublished)).isTrue();
        }
    }

    @Test
    void refreshIsDueOnlyAfterHalfTheLifetime() {
        ca.crls().publish();
        assertThat(ca.crls().refreshIfDue()).isFalse();
    }
}
