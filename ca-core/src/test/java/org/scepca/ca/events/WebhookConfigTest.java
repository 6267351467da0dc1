package org.scepca.ca.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Properties;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

class WebhookConfigTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    @TempDir
    Path dir;
    Properties p = new Properties();

    @BeforeEach
    void validBase() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        writeSecret(dir.resolve("secrets/webhook-secret"), SECRET + "\n");
        p.setProperty("webhook.url", "https://hooks.example.com/scepca/T0KEN?sig=abc");
        p.setProperty("webhook.secret-file", "secrets/webhook-secret");
    }

    /** Owner-only, as a secret should be (WebhookConfig warns otherwise). */
    static void writeSecret(Path file, String content) throws java.io.IOException {
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void noWebhookKey_meansWebhooksOff() {
        p.clear();
        p.setProperty("db.pool-size", "4");
        assertThat(WebhookConfig.from(p, dir)).isEmpty();
    }

    @Test
    void validConfiguration_hasDefaultsAndReadsTheSecretRelativeToTheConfigFolder() {
        WebhookConfig c = WebhookConfig.from(p, dir).orElseThrow();
        assertThat(c.url().getHost()).isEqualTo("hooks.example.com");
        assertThat(c.events()).isEqualTo(EnumSet.allOf(CaEvent.Type.class));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxAttempts()).isEqualTo(15);
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofHours(1));
        // The trailing newline of `openssl rand -hex 32 > file` is not part of the key.
        assertThat(c.signer().signature(1, new byte[0])).isEqualTo(WebhookDispatcherTest.hmac(SECRET, "1."));
    }

    @Test
    void theSharedKeysAreAcceptedByCaConfigAndTheirValuesRead() {
        p.setProperty("webhook.events", "Issued, revoked");
        p.setProperty("webhook.timeout-seconds", "3");
        p.setProperty("webhook.max-attempts", "4");
        p.setProperty("webhook.max-backoff-seconds", "60");
        p.setProperty("webhook.max-age-hours", "2");
        p.setProperty("webhook.retention-days", "1");
        CaConfig.from(p); // the family is delegated, not unknown
        WebhookConfig c = WebhookConfig.from(p, dir).orElseThrow();
        assertThat(c.events()).containsExactlyInAnyOrder(CaEvent.Type.ISSUED, CaEvent.Type.REVOKED);
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.maxAttempts()).isEqualTo(4);
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(c.retention()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void neitherToStringNorTheLogTargetShowsTheSecretOrTheUrlsPathAndQuery() {
        WebhookConfig c = WebhookConfig.from(p, dir).orElseThrow();
        assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("T0KEN").doesNotContain("sig=")
                .contains("https://hooks.example.com");
        assertThat(c.signer().toString()).doesNotContain(SECRET);
    }

    @Test
    void httpIsAllowedToLoopbackOnly() {
        for (String ok : new String[] {"http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]:8080/x",
                "http://127.1.2.3/x"}) {
            p.setProperty("webhook.url", ok);
            assertThat(WebhookConfig.from(p, dir)).as(ok).isPresent();
        }
        for (String bad : new String[] {"http://hooks.example.com/x", "http://10.0.0.1/x", "http://127.0.0.1.evil.test/x"}) {
            p.setProperty("webhook.url", bad);
            assertThatThrownBy(() -> WebhookConfig.from(p, dir)).as(bad).isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("webhook.url").hasMessageContaining("https");
        }
    }

    @ParameterizedTest(name = "fail/{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "webhook.urls|https://typo.example.com/|unknown configuration key 'webhook.urls'",
        "webhook.url|ftp://hooks.example.com/|webhook.url must be an https URL",
        "webhook.url|https://user:pw@hooks.example.com/|webhook.url must not carry a user name",
        "webhook.url|https://hooks.example.com/x#frag|webhook.url must not have a #fragment",
        "webhook.url|'   '|webhook.url is required",
        "webhook.secret-file|secrets/missing|webhook.secret-file: no such file",
        "webhook.secret-file|short|webhook.secret-file: the secret",
        "webhook.events|issued,expired|webhook.events: unknown event type 'expired'",
        "webhook.events|' , '|webhook.events names no event type",
        "webhook.timeout-seconds|0|webhook.timeout-seconds must be between",
        "webhook.max-attempts|many|webhook.max-attempts must be a whole number",
        "webhook.max-backoff-seconds|-1|webhook.max-backoff-seconds must be between",
    })
    void invalidConfiguration_namesTheKey(String key, String value, String message) throws Exception {
        writeSecret(dir.resolve("short"), "only-31-bytes-of-secret-here!!!\n");
        p.setProperty(key, value);
        assertThatThrownBy(() -> WebhookConfig.from(p, dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(message).hasMessageNotContaining(SECRET);
    }

    @Test
    void aSecretFileWithoutUrl_isAnErrorNamingTheUrlKey() {
        p.remove("webhook.url");
        assertThatThrownBy(() -> WebhookConfig.from(p, dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("webhook.url is required");
    }
}
