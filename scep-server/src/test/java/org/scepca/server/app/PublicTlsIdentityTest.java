package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.testing.TestPki;

/** The public connector's own certificate: issued once into the database, kept, and issued again when it must be. */
class PublicTlsIdentityTest {
    @TempDir
    Path dir;

    private static CaConfig config(String baseUrl) {
        Properties p = new Properties();
        if (baseUrl != null) {
            p.setProperty("public-base-url", baseUrl);
        }
        return CaConfig.from(p);
    }

    private static final ServerConfig.PublicTls OWN = new ServerConfig.PublicTls(0, Optional.empty(), Optional.empty());

    @Test
    void issuedOnceForTheBaseUrlsHost_andKeptAcrossRestartsAndReplicas() throws Exception {
        String serial;
        try (CertificateAuthority ca = TestPki.create(dir, config("http://est.example.com:8080"))) {
            PublicTlsIdentity.KeyAndChain first = new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current();
            serial = first.serialHex();
            assertThat(first.chain().get(0).getSubjectAlternativeNames()).containsExactly(List.of(2, "est.example.com"));
            assertThat(first.chain().get(1)).isEqualTo(ca.material().intermediateCertificate());
            var record = ca.certificates().find(first.chain().get(0).getSerialNumber()).orElseThrow();
            assertThat(record.profile()).isEqualTo(CertificateProfile.SERVER);
            // Another process on the same store (a replica, a restart) takes the stored one.
            assertThat(new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current().serialHex()).isEqualTo(serial);
        }
        try (CertificateAuthority ca = TestPki.create(dir, config("http://est.example.com:8080"))) {
            assertThat(new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current().serialHex()).isEqualTo(serial);
            assertThat(ca.certificates().count()).isEqualTo(1);
        }
    }

    @Test
    void issuedAgain_whenRevoked_orForAnotherHost() {
        try (CertificateAuthority ca = TestPki.create(dir, config("http://est.example.com"))) {
            PublicTlsIdentity.KeyAndChain first = new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current();
            ca.revocation().revoke(first.chain().get(0).getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
            PublicTlsIdentity.KeyAndChain second = new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current();
            assertThat(second.serialHex()).isNotEqualTo(first.serialHex());
        }
        try (CertificateAuthority ca = TestPki.create(dir, config("http://10.0.0.7:8080"))) {
            PublicTlsIdentity.KeyAndChain ip = new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current();
            assertThat(ip.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=10.0.0.7");
        }
    }

    @Test
    void withoutBaseUrlOrFiles_startFailsNamingTheKeys() {
        try (CertificateAuthority ca = TestPki.create(dir, config(null))) {
            assertThatThrownBy(() -> new PublicTlsIdentity(ca, OWN, TestPki.PASSPHRASE).current())
                    .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public-base-url")
                    .hasMessageContaining("public.tls-cert");
            ServerConfig.PublicTls missing = new ServerConfig.PublicTls(0, Optional.of(dir.resolve("none.pem")),
                    Optional.of(dir.resolve("none.key")));
            assertThatThrownBy(() -> new PublicTlsIdentity(ca, missing, TestPki.PASSPHRASE).current())
                    .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-cert");
        }
    }
}
