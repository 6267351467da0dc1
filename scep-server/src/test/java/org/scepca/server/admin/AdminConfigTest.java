package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.tokens.AdminRole;

class AdminConfigTest {
    private static final Path BASE = Path.of("/data");

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaults_loopback9090_noTls() {
        AdminConfig c = AdminConfig.from(new Properties(), BASE);
        assertThat(c.enabled()).isTrue();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.tls()).isEmpty();
        assertThat(c.metricsPublic()).as("metrics need a token unless configured").isFalse();
    }

    @Test
    void metricsPublic_isATypedKnownKey() {
        Properties p = props("admin.metrics-public", "yes");
        CaConfig.from(p);
        assertThat(AdminConfig.from(p, BASE).metricsPublic()).isTrue();
        assertThat(AdminConfig.from(props("admin.metrics-public", "off"), BASE).metricsPublic()).isFalse();
    }

    @Test
    void adminKeys_areKnownToCaConfig_soTheSameFileLoadsInBoth() {
        Properties p = props("admin.host", "0.0.0.0", "admin.port", "9443", "admin.enabled", "true");
        CaConfig.from(p);
        assertThat(AdminConfig.from(p, BASE).host()).isEqualTo("0.0.0.0");
    }

    @Test
    void theEnvironmentCanOpenTheAdminConnectorToEveryInterface_onlyWhenItSaysSo(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("scepca.properties");
        java.nio.file.Files.writeString(file, "admin.port=9191\n");
        // A container's published port arrives on its network interface: 0.0.0.0 must be possible, explicitly.
        AdminConfig open = AdminConfig.from(CaConfig.read(file, java.util.Map.of("SCEPCA_ADMIN_HOST", "0.0.0.0",
                "SCEPCA_ADMIN_PORT", "9090")), dir);
        assertThat(open.host()).isEqualTo("0.0.0.0");
        assertThat(open.port()).isEqualTo(9090);
        // Nothing else changes the default: other scepca variables (the image sets SCEPCA_DATA) leave it on loopback.
        AdminConfig closed = AdminConfig.from(CaConfig.read(file, java.util.Map.of("SCEPCA_DATA", "/data",
                "SCEPCA_HOST", "0.0.0.0")), dir);
        assertThat(closed.host()).isEqualTo(AdminConfig.DEFAULT_HOST);
        assertThat(closed.port()).isEqualTo(9191);
    }

    @Test
    void jamfKeys_areReadWithTheAdminConfig_soAMistakeStopsTheStart(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("jamf.pw"), "a-long-webhook-password-123\n");
        AdminConfig c = AdminConfig.from(props("jamf.webhook-username", "jamf", "jamf.webhook-password-file",
                "jamf.pw"), dir);
        assertThat(c.jamf()).get().satisfies(j -> assertThat(j.webhook()).get()
                .satisfies(w -> assertThat(w.matches("jamf", "a-long-webhook-password-123")).isTrue()));
        assertThat(c.withTls(new AdminConfig.Tls("127.0.0.1", 9443, dir, dir)).jamf()).isEqualTo(c.jamf());
        assertThat(AdminConfig.from(new Properties(), dir).jamf()).isEmpty();
        assertThatThrownBy(() -> AdminConfig.from(props("jamf.webhook-pasword-file", "jamf.pw"), dir))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("'jamf.webhook-pasword-file'");
        assertThatThrownBy(() -> AdminConfig.from(props("admin.enabled", "false", "jamf.webhook-username", "jamf"),
                dir)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("jamf.webhook-password-file");
    }

    @Test
    void mtls_relativeFilesResolveUnderTheDataFolder() {
        AdminConfig c = AdminConfig.from(props("admin.tls-port", "9443", "admin.tls-cert", "tls/server-chain.pem",
                "admin.tls-key", "/etc/scepca/server.key"), BASE);
        assertThat(c.tls()).get().satisfies(t -> {
            assertThat(t.port()).isEqualTo(9443);
            assertThat(t.certificateChain()).isEqualTo(Path.of("/data/tls/server-chain.pem"));
            assertThat(t.privateKey()).isEqualTo(Path.of("/etc/scepca/server.key"));
        });
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "admins by name  | admin.mtls-admins  | CN=alice, O=Example ; email:bob@example.com",
            "viewers by name | admin.mtls-viewers | CN=carol"})
    void grantsByCertificateNames_refuseToStart_namingTheKeyAndTheReplacement(String name, String key, String value) {
        Properties p = props("admin.tls-port", "9443", "admin.tls-cert", "c", "admin.tls-key", "k");
        p.setProperty(key, value);
        assertThatThrownBy(() -> AdminConfig.from(p, BASE)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(key).hasMessageContaining("scepca admin cert issue");
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "port not a number      | admin.port=http              | admin.port",
            "port zero              | admin.port=0                 | admin.port",
            "port too big           | admin.port=70000             | admin.port",
            "enabled not a boolean  | admin.enabled=maybe          | admin.enabled",
            "metrics not a boolean  | admin.metrics-public=1       | admin.metrics-public",
            "empty host             | admin.host=                  | admin.host",
            "tls without files      | admin.tls-port=9443          | admin.tls-cert",
            "files without tls      | admin.tls-cert=x.pem         | admin.tls-port",
    })
    void invalidSettings_nameTheKey(String name, String setting, String key) {
        String[] kv = setting.split("=", 2);
        assertThatThrownBy(() -> AdminConfig.from(props(kv[0], kv[1]), BASE))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining(key);
    }
}
