package org.scepca.jamf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.ConfigEnvironment;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

class JamfConfigTest {
    static final String PASSWORD = "correct-horse-battery-staple-42";
    static final String SECRET = "client-secret-value-from-jamf";

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("jamf-webhook.password"), PASSWORD + "\n");
        Files.writeString(dir.resolve("jamf-client.secret"), SECRET + "\r\n");
    }

    static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private JamfConfig config(String... kv) {
        return JamfConfig.from(props(kv), dir).orElseThrow();
    }

    @Test
    void withoutJamfKeys_thereIsNoJamfConfig_andOtherFamiliesAreNotOurs() {
        assertThat(JamfConfig.from(props("scep.approval", "manual", "intune.tenant-id", "x"), dir)).isEmpty();
    }

    @Test
    void theJamfFamily_isDelegatedByCaConfig() {
        assertThat(CaConfig.DELEGATED_PREFIXES).contains(JamfConfig.PREFIX);
        CaConfig.from(props("jamf.webhook-username", "jamf"));
    }

    @Test
    void everyJamfKey_canBeSetByTheEnvironment() {
        // The list lives in ca-core (the environment's keys are known there): it must be the keys this model reads.
        assertThat(JamfConfig.KEYS).containsExactlyInAnyOrder(JamfConfig.WEBHOOK_USERNAME, JamfConfig.WEBHOOK_PASSWORD_FILE,
                JamfConfig.URL, JamfConfig.CLIENT_ID, JamfConfig.CLIENT_SECRET_FILE, JamfConfig.DEVICE_SYNC_INTERVAL,
                JamfConfig.MAX_REVOCATIONS_PER_RUN);
        assertThat(ConfigEnvironment.KEYS).containsKeys(JamfConfig.KEYS.toArray(String[]::new));
        JamfConfig c = JamfConfig.from(CaConfig.read(dir.resolve("none.properties"), java.util.Map.of(
                "SCEPCA_JAMF_WEBHOOK_USERNAME", "jamf-pro", "SCEPCA_JAMF_WEBHOOK_PASSWORD_FILE", "jamf-webhook.password")),
                dir).orElseThrow();
        assertThat(c.webhook().orElseThrow().matches("jamf-pro", PASSWORD)).isTrue();
    }

    @Test
    void webhookCredential_readsThePasswordFileBesideTheProperties_andMatchesOnlyThePair() {
        JamfWebhookCredential c = config("jamf.webhook-username", "jamf-pro",
                "jamf.webhook-password-file", "jamf-webhook.password").webhook().orElseThrow();
        assertThat(c.username()).isEqualTo("jamf-pro");
        assertThat(c.matches("jamf-pro", PASSWORD)).isTrue();
        assertThat(c.matches("jamf-pro", PASSWORD + "\n")).isFalse();
        assertThat(c.matches("jamf-pro", PASSWORD.substring(1))).isFalse();
        assertThat(c.matches("Jamf-pro", PASSWORD)).isFalse();
        assertThat(c.matches(null, PASSWORD)).isFalse();
        assertThat(c.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void anAbsolutePasswordFile_isUsedAsIs() throws Exception {
        Path elsewhere = Files.createTempDirectory(dir, "secrets").resolve("pw");
        Files.writeString(elsewhere, PASSWORD);
        assertThat(config("jamf.webhook-username", "jamf", "jamf.webhook-password-file", elsewhere.toString())
                .webhook().orElseThrow().matches("jamf", PASSWORD)).isTrue();
    }

    @Test
    void unknownJamfKey_isRefusedNamingIt() {
        assertThatThrownBy(() -> JamfConfig.from(props("jamf.webhook-user", "jamf"), dir))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("'jamf.webhook-user'")
                .hasMessageContaining("jamf.webhook-username");
    }

    @Test
    void theApiClient_withItsDefaults() {
        JamfConfig c = config("jamf.url", "https://example.jamfcloud.com/", "jamf.client-id", "abc-123",
                "jamf.client-secret-file", "jamf-client.secret");
        JamfConfig.Api api = c.api().orElseThrow();
        assertThat(api.url()).hasToString("https://example.jamfcloud.com");
        assertThat(api.clientId()).isEqualTo("abc-123");
        assertThat(api.clientSecret()).isEqualTo(SECRET);
        assertThat(api.deviceSyncInterval()).isEmpty();
        assertThat(api.maxRevocationsPerRun()).isEqualTo(JamfConfig.DEFAULT_MAX_REVOCATIONS_PER_RUN);
        assertThat(c.webhook()).isEmpty();
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    @Test
    void theDeviceSync_isOnWithAnInterval() {
        JamfConfig.Api api = config("jamf.url", "https://jamf.example.com:8443", "jamf.client-id", "abc",
                "jamf.client-secret-file", "jamf-client.secret", "jamf.device-sync-interval", "60",
                "jamf.max-revocations-per-run", "10").api().orElseThrow();
        assertThat(api.deviceSyncInterval()).contains(Duration.ofMinutes(60));
        assertThat(api.maxRevocationsPerRun()).isEqualTo(10);
        assertThat(api.url()).hasToString("https://jamf.example.com:8443");
    }

    @Test
    void plainHttp_isOnlyForThisHost() {
        assertThat(config("jamf.url", "http://127.0.0.1:8080", "jamf.client-id", "a",
                "jamf.client-secret-file", "jamf-client.secret").api()).isPresent();
        assertThatThrownBy(() -> config("jamf.url", "http://jamf.example.com", "jamf.client-id", "a",
                "jamf.client-secret-file", "jamf-client.secret"))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("jamf.url must be an https URL");
    }

    @ParameterizedTest(name = "fail/{0}={1}")
    @CsvSource(delimiter = '|', value = {
            // key in the message | the offending configuration
            "jamf.webhook-username | jamf.webhook-password-file=jamf-webhook.password",
            "jamf.webhook-password-file | jamf.webhook-username=jamf",
            "jamf.webhook-password-file | jamf.webhook-username=jamf,jamf.webhook-password-file=short.password",
            "jamf.webhook-password-file | jamf.webhook-username=jamf,jamf.webhook-password-file=missing.password",
            "jamf.webhook-password-file | jamf.webhook-username=jamf,jamf.webhook-password-file=empty.password",
            "jamf.webhook-password-file | jamf.webhook-username=jamf,jamf.webhook-password-file=two-lines.password",
            "jamf.webhook-username | jamf.webhook-username=ja:mf,jamf.webhook-password-file=jamf-webhook.password",
            "jamf.webhook-username | jamf.webhook-username= ,jamf.webhook-password-file=jamf-webhook.password",
            "jamf.url | jamf.client-id=a",
            "jamf.url | jamf.device-sync-interval=60",
            "jamf.url | jamf.max-revocations-per-run=5",
            "jamf.client-id | jamf.url=https://example.jamfcloud.com,jamf.client-secret-file=jamf-client.secret",
            "jamf.client-secret-file | jamf.url=https://example.jamfcloud.com,jamf.client-id=a",
            "jamf.url | jamf.url=ftp://example.jamfcloud.com,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret",
            "jamf.url | jamf.url=https://user@example.jamfcloud.com,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret",
            "jamf.url | jamf.url=example.jamfcloud.com,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret",
            "jamf.device-sync-interval | jamf.url=https://x.example,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret,jamf.device-sync-interval=1",
            "jamf.device-sync-interval | jamf.url=https://x.example,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret,jamf.device-sync-interval=hourly",
            "jamf.max-revocations-per-run | jamf.url=https://x.example,jamf.client-id=a,jamf.client-secret-file=jamf-client.secret,jamf.max-revocations-per-run=0",
    })
    void badConfiguration_isOneErrorNamingTheKey(String key, String settings) throws Exception {
        Files.writeString(dir.resolve("short.password"), "tooshort\n");
        Files.writeString(dir.resolve("empty.password"), "\n");
        Files.writeString(dir.resolve("two-lines.password"), PASSWORD + "\nsecond line of it\n");
        Properties p = new Properties();
        for (String kv : settings.split(",")) {
            int eq = kv.indexOf('=');
            p.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
        }
        assertThatThrownBy(() -> JamfConfig.from(p, dir)).isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).contains(key).doesNotContain(PASSWORD).doesNotContain("tooshort")
                            .doesNotContain("second line");
                    assertThat(e.getMessage().lines()).hasSize(1);
                });
    }

    @Test
    void aSecretFileThatIsNotUtf8OrTooLarge_isRefused() throws Exception {
        Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
        Files.write(dir.resolve("huge"), "x".repeat(5000).getBytes(StandardCharsets.US_ASCII));
        for (String f : new String[] {"binary", "huge"}) {
            assertThatThrownBy(() -> config("jamf.url", "https://x.example", "jamf.client-id", "a",
                    "jamf.client-secret-file", f)).isInstanceOf(InvalidConfigException.class)
                    .hasMessageStartingWith("jamf.client-secret-file: ");
        }
    }
}
