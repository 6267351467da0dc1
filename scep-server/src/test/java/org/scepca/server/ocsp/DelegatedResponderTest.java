package org.scepca.server.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuerIdentity;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.testing.TestPki;

/** Issuing, reusing and renewing the delegated responder certificate, with a clock the test moves. */
class DelegatedResponderTest {
    private static final Duration WEEK = Duration.ofDays(7);

    @TempDir
    static Path caDir;
    @TempDir
    static Path otherCaDir;
    @TempDir
    Path work;
    static CertificateAuthority ca;
    static CertificateAuthority otherCa;
    static IssuerIdentity issuer;

    @BeforeAll
    static void open() {
        ca = TestPki.create(caDir);
        otherCa = TestPki.create(otherCaDir);
        issuer = ca.issuance().issuer();
    }

    @AfterAll
    static void close() {
        ca.close();
        otherCa.close();
    }

    @Test
    void firstOpen_issuesAndSavesAResponder_nextOpenReusesIt() {
        MovableClock clock = new MovableClock(Instant.now());
        Path file = work.resolve("ocsp.p12");

        X509Certificate first = open(file, clock).current().certificate();
        X509Certificate second = open(file, clock).current().certificate();

        assertThat(file).exists();
        assertThat(second).isEqualTo(first);
        assertThat(first.getSubjectX500Principal().getName())
                .isEqualTo(issuer.dn().replace("CN=Test Issuing CA", "CN=Test Issuing CA OCSP Responder"));
        assertThat(first.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(WEEK));
    }

    @Test
    void afterHalfItsLife_theResponderIsRenewedAndSaved() {
        MovableClock clock = new MovableClock(Instant.now());
        Path file = work.resolve("ocsp.p12");
        DelegatedResponder responder = open(file, clock);
        X509Certificate first = responder.current().certificate();

        clock.advance(Duration.ofDays(3));
        assertThat(responder.renewIfDue()).isFalse();
        assertThat(responder.current().certificate()).isEqualTo(first);

        clock.advance(Duration.ofDays(1));
        X509Certificate renewed = responder.current().certificate();
        assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(renewed.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(responder.renewIfDue()).isFalse();
        assertThat(Pkcs12Files.read(file, TestPki.PASSPHRASE).certificate()).isEqualTo(renewed);
    }

    @Test
    void aSavedResponderDueForRenewal_isReplacedOnOpen() {
        MovableClock clock = new MovableClock(Instant.now());
        Path file = work.resolve("ocsp.p12");
        X509Certificate first = open(file, clock).current().certificate();

        clock.advance(Duration.ofDays(5));
        assertThat(open(file, clock).current().certificate()).isNotEqualTo(first);
    }

    @Test
    void aResponderOfAnotherCaOrUnderAnotherPassphrase_isReplaced() {
        MovableClock clock = new MovableClock(Instant.now());
        Path file = work.resolve("ocsp.p12");
        X509Certificate foreign = DelegatedResponder.open(file, otherCa.issuance().issuer(), TestPki.PASSPHRASE, WEEK, clock,
                new SecureRandom()).current().certificate();

        X509Certificate ours = open(file, clock).current().certificate();
        assertThat(ours).isNotEqualTo(foreign);
        assertThat(ours.getIssuerX500Principal()).isEqualTo(issuer.certificate().getSubjectX500Principal());

        DelegatedResponder.open(file, issuer, Passphrase.of("another-passphrase"), WEEK, clock, new SecureRandom());
        assertThat(open(file, clock).current().certificate()).isNotEqualTo(ours);
    }

    @Test
    void aCorruptFile_isReplaced() throws Exception {
        Path file = work.resolve("ocsp.p12");
        Files.write(file, new byte[] {1, 2, 3});
        assertThat(open(file, new MovableClock(Instant.now())).current().certificate()).isNotNull();
    }

    @Test
    void neverOutlivesTheIssuer_andOnceTheIssuerExpiredTheIssuerSignsItself() {
        Instant issuerEnd = issuer.certificate().getNotAfter().toInstant();
        MovableClock clock = new MovableClock(issuerEnd.minus(Duration.ofDays(1)));
        Path file = work.resolve("ocsp.p12");

        assertThat(open(file, clock).current().certificate().getNotAfter().toInstant()).isEqualTo(issuerEnd);

        clock.advance(Duration.ofDays(2));
        Path other = work.resolve("late.p12");
        // No delegated certificate can outlive an expired issuer: the server still answers, signed by the CA.
        DelegatedResponder late = open(other, clock);
        assertThat(late.current().certificate()).isEqualTo(issuer.certificate());
        assertThat(Files.exists(other)).isFalse();
    }

    @Test
    void subject_appendsToTheCommonNameWithinItsLimit() {
        assertThat(DelegatedResponder.subject(new X500Name("CN=Acme CA,O=Acme")).toString())
                .isEqualTo("CN=Acme CA OCSP Responder,O=Acme");
        assertThat(DelegatedResponder.subject(new X500Name("O=Acme")).toString()).isEqualTo("O=Acme,CN=OCSP Responder");
        String longCn = "x".repeat(64);
        assertThat(DelegatedResponder.subject(new X500Name("CN=" + longCn)).toString()).hasSize(3 + 64);
    }

    private static DelegatedResponder open(Path file, Clock clock) {
        return DelegatedResponder.open(file, issuer, TestPki.PASSPHRASE, WEEK, clock, new SecureRandom());
    }

    /** A clock the test sets; certificates carry whole seconds, so it does too. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            this.now = new AtomicReference<>(start.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
