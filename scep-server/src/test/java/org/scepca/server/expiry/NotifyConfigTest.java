package org.scepca.server.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

/** notify.* is validated once, at start-up, with errors that name the key. */
class NotifyConfigTest {
    @TempDir
    Path dir;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static Properties smtp(String... more) {
        Properties p = props("notify.smtp.host", "smtp.example.test", "notify.smtp.from", "ca@example.test",
                "notify.smtp.to", "it@example.test, sec@example.test");
        p.putAll(props(more));
        return p;
    }

    @Test
    void offWithoutKeys_andDefaultsWithAHost() throws Exception {
        assertThat(NotifyConfig.from(new Properties(), dir, Optional.empty())).isEqualTo(NotifyConfig.OFF);
        assertThat(NotifyConfig.OFF.enabled()).isFalse();
        NotifyConfig c = NotifyConfig.from(smtp(), dir, Optional.empty());
        assertThat(c.thresholds()).containsExactly(30, 7, 1);
        assertThat(c.caThresholds()).containsExactly(90, 30, 7);
        assertThat(c.interval()).isEqualTo(Duration.ofHours(1));
        NotifyConfig.Smtp s = c.smtp().orElseThrow();
        assertThat(s.tls()).isEqualTo(NotifyConfig.Tls.STARTTLS); // TLS unless asked otherwise
        assertThat(s.port()).isEqualTo(587);
        assertThat(s.to()).containsExactly("it@example.test", "sec@example.test");
        assertThat(NotifyConfig.from(smtp("notify.smtp.tls", "implicit"), dir, Optional.empty()).smtp().orElseThrow().port())
                .isEqualTo(465);
        assertThat(NotifyConfig.from(smtp("notify.thresholds-days", "1, 14,60"), dir, Optional.empty()).thresholds())
                .isEqualTo(List.of(60, 14, 1));
    }

    @Test
    void thePasswordComesFromItsFile_andIsNeverPrinted() throws Exception {
        Files.writeString(dir.resolve("smtp-password"), "s3cret-relay\n");
        NotifyConfig c = NotifyConfig.from(smtp("notify.smtp.username", "scepca", "notify.smtp.password-file",
                "smtp-password"), dir, Optional.empty());
        assertThat(c.smtp().orElseThrow().password()).contains("s3cret-relay");
        assertThat(c.toString()).doesNotContain("s3cret-relay");
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
        "notify.smtp.tlss=none|unknown configuration key 'notify.smtp.tlss'",
        "notify.smtp.tls=none|notify.smtp.tls = none is allowed only to a relay on this host",
        "notify.smtp.tls=ssl|notify.smtp.tls must be starttls, implicit or none",
        "notify.smtp.port=0|notify.smtp.port",
        "notify.smtp.to=it@example.test%0aBcc: x@evil.test|notify.smtp.to",
        "notify.smtp.username=scepca|notify.smtp.username needs notify.smtp.password-file",
        "notify.smtp.password-file=missing|notify.smtp.password-file: no such file",
        "notify.thresholds-days=30,0|notify.thresholds-days: '0'",
        "notify.webhook=true|notify.webhook = true needs webhook.url",
        "notify.webhook=maybe|notify.webhook must be true or false",
        "notify.check-interval-minutes=0|notify.check-interval-minutes",
    })
    void refusesWithTheKeyNamed(String kv, String message) {
        String[] parts = kv.split("=", 2);
        Properties p = smtp(parts[0], parts[1].replace("%0a", "\n"));
        assertThatThrownBy(() -> NotifyConfig.from(p, dir, Optional.empty())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theWebhookChannel_needsWebhooksThatSendExpiryEvents() throws Exception {
        Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef\n");
        Properties p = props("webhook.url", "https://hooks.example.test/scepca", "webhook.secret-file", "secret",
                "webhook.events", "issued,revoked", "notify.webhook", "true");
        var webhooks = org.scepca.ca.events.WebhookConfig.from(p, dir);
        assertThatThrownBy(() -> NotifyConfig.from(p, dir, webhooks)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("webhook.events leaves out expiring or ca-expiring");
        p.setProperty("webhook.events", "issued, expiring, ca-expiring");
        NotifyConfig c = NotifyConfig.from(p, dir, org.scepca.ca.events.WebhookConfig.from(p, dir));
        assertThat(c.webhook()).isTrue();
        assertThat(c.smtp()).isEmpty();
        assertThat(c.enabled()).isTrue();
    }

    @Test
    void aKeyWithoutAChannel_isRefused() {
        assertThatThrownBy(() -> NotifyConfig.from(props("notify.thresholds-days", "10"), dir, Optional.empty()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("names no channel");
        assertThatThrownBy(() -> NotifyConfig.from(props("notify.smtp.port", "25"), dir, Optional.empty()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("notify.smtp.host is required");
    }
}
