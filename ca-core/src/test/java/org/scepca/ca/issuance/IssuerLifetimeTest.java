package org.scepca.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestPki;

/** Minimum remaining validity is policy: near or past the issuing CA's notAfter, refuse instead of a stub cert. */
class IssuerLifetimeTest {
    @TempDir
    static Path dir;
    static Instant caNotAfter;

    @BeforeAll
    static void create() {
        try (CertificateAuthority ca = TestPki.create(dir)) {
            caNotAfter = ca.material().intermediateCertificate().getNotAfter().toInstant();
        }
    }

    private static CertificateAuthority at(Instant now, String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return TestPki.create(dir, CaConfig.from(p), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static IssuanceRequest request() {
        return new IssuanceRequest(csr().build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none());
    }

    @Test
    void minutesBeforeTheCaExpiresARenewalIsRefusedNotGivenAMinutesLongCertificate() {
        try (CertificateAuthority ca = at(caNotAfter.minus(Duration.ofMinutes(10)))) {
            long before = ca.certificates().count();
            assertThatThrownBy(() -> ca.issuance().issue(request())).isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("issuing CA expires on").hasMessageContaining("policy.min-validity-days");
            assertThat(ca.certificates().count()).isEqualTo(before);
        }
    }

    @Test
    void theMinimumIsConfigurable() {
        try (CertificateAuthority ca = at(caNotAfter.minus(Duration.ofDays(20)), "policy.min-validity-days", "30")) {
            assertThatThrownBy(() -> ca.issuance().issue(request())).hasMessageContaining("policy.min-validity-days = 30");
        }
        try (CertificateAuthority ca = at(caNotAfter.minus(Duration.ofDays(20)), "policy.min-validity-days", "10")) {
            var cert = ca.issuance().issue(request()).certificate();
            assertThat(cert.getNotAfter().toInstant()).isEqualTo(caNotAfter);
        }
    }

    @Test
    void anExpiredIssuingCaRefusesWithAClearReason() {
        try (CertificateAuthority ca = at(caNotAfter.plus(Duration.ofDays(1)))) {
            assertThatThrownBy(() -> ca.issuance().issue(request())).isInstanceOf(PolicyViolationException.class)
                    .hasMessageStartingWith("issuing CA expired");
        }
    }
}
