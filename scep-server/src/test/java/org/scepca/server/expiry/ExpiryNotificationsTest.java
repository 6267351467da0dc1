package org.scepca.server.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.scepca.server.expiry.ExpiryTestKit.hex;
import static org.scepca.server.expiry.ExpiryTestKit.issue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.testing.MutableClock;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.cli.Providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Expiry notices on a real CA (H2 file store, a clock the test moves), a real SMTP server (GreenMail on loopback,
 * with AUTH) and a real webhook receiver fed by the server's own dispatcher: a fleet expiring together is one digest,
 * each certificate is notified once per threshold, and closing and reopening the CA (a restart) repeats nothing.
 */
class ExpiryNotificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private GreenMail smtp;
    private ExpiryTestKit.Receiver receiver;
    private MutableClock clock;
    private ListAppender<ILoggingEvent> audit;
    private CertificateAuthority ca;

    @BeforeEach
    void start() throws Exception {
        Providers.register();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        smtp.setUser("scepca@example.test", "scepca-relay", "relay-password");
        receiver = new ExpiryTestKit.Receiver();
        audit = ExpiryTestKit.captureAudit();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @AfterEach
    void stop() {
        if (ca != null) {
            ca.close();
        }
        ExpiryTestKit.release(audit);
        receiver.close();
        smtp.stop();
    }

    private Map<String, String> notifyKeys() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/smtp-password"), "relay-password\n");
        Map<String, String> k = new LinkedHashMap<>();
        k.put("webhook.url", receiver.url());
        k.put("webhook.secret-file", "secrets/webhook-secret");
        k.put("webhook.events", "expiring, ca-expiring");
        k.put("notify.webhook", "true");
        k.put("notify.smtp.host", "127.0.0.1");
        k.put("notify.smtp.port", Integer.toString(smtp.getSmtp().getPort()));
        k.put("notify.smtp.tls", "none");
        k.put("notify.smtp.username", "scepca-relay");
        k.put("notify.smtp.password-file", "secrets/smtp-password");
        k.put("notify.smtp.from", "scepca@example.test");
        k.put("notify.smtp.to", "it@example.test, security@example.test");
        return k;
    }

    private CertificateAuthority open() {
        return CertificateAuthority.open(new CaDirectory(dir), TestPki.PASSPHRASE,
                CaConfig.load(dir.resolve("scepca.properties")), clock, new SecureRandom());
    }

    private ExpiryMonitor monitor() {
        return ExpiryMonitor.create(ca, Optional.empty());
    }

    private List<MimeMessage> digests() throws Exception {
        return ExpiryTestKit.digests(smtp);
    }

    private List<JsonNode> events(String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var d : receiver.deliveries) {
            JsonNode j = JSON.readTree(d.body());
            if (j.get("type").asText().equals(type)) {
                out.add(j);
            }
        }
        return out;
    }

    @Test
    void aFleetExpiringTogether_isOneDigest_andOneEventPerCertificate_onceAcrossARestart_andAgainAtTheNextThreshold()
            throws Exception {
        TestPki.create(dir, CaConfig.defaults(), clock).close();
        ExpiryTestKit.configure(dir, notifyKeys());
        ca = open();
        List<CertificateRecord> fleet = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fleet.add(issue(ca, "iphone-" + i, Duration.ofDays(6), "jamf", Optional.of("F2LXK0" + String.format("%05d", i))));
        }
        CertificateRecord in20 = issue(ca, "mac-20d", Duration.ofDays(20), "default", Optional.empty());
        CertificateRecord in12h = issue(ca, "ipad-12h", Duration.ofHours(12), "default", Optional.empty());
        CertificateRecord in60 = issue(ca, "later", Duration.ofDays(60), "default", Optional.empty());
        CertificateRecord revoked = issue(ca, "revoked", Duration.ofDays(5), "default", Optional.empty());
        ca.revocation().revoke(revoked.serial(), RevocationReason.KEY_COMPROMISE, "test");

        ExpiryMonitor.Report dry = monitor().notifyDue(clock.instant(), true);
        assertThat(dry.email().orElseThrow().certificates()).hasSize(22);
        assertThat(digests()).isEmpty(); // a dry run sends nothing

        ExpiryMonitor.Report r = monitor().notifyDue(clock.instant());
        assertThat(r.email().orElseThrow().certificates()).hasSize(22);
        assertThat(r.webhook().orElseThrow().certificates()).hasSize(22);

        // One message, to both addresses, listing each certificate once under its threshold.
        assertThat(digests()).hasSize(1);
        assertThat(smtp.getReceivedMessages()).hasSize(2);
        MimeMessage m = digests().get(0);
        assertThat(m.getSubject()).isEqualTo("[scepca] 22 certificates expire within 30 days");
        assertThat(m.getFrom()[0].toString()).isEqualTo("scepca@example.test");
        assertThat(m.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("it@example.test", "security@example.test");
        assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(m.getContentType()).startsWith("text/plain").contains("UTF-8");
        String body = GreenMailUtil.getBody(m).replace("\r\n", "\n");
        assertThat(body).contains("Expiry notice from scepca, issuing CA "
                + ca.material().intermediateCertificate().getSubjectX500Principal().getName())
                .contains("22 certificates reached an expiry notification threshold.")
                .contains("Within 1 day (1):").contains("Within 7 days (20):").contains("Within 30 days (1):")
                .contains("scepca cert expiring --within 30d");
        for (CertificateRecord c : fleet) {
            assertThat(body.split(hex(c.serial()), -1)).as("lines naming " + c.subjectDn()).hasSize(2);
        }
        String fleetLine = body.lines().filter(l -> l.contains(hex(fleet.get(3).serial()))).findFirst().orElseThrow();
        assertThat(fleetLine).contains("F2LXK000003").contains("jamf").contains(fleet.get(3).subjectDn())
                .contains("     6  "); // days left (the test's clock stands still)
        assertThat(body).contains(hex(in20.serial())).contains(hex(in12h.serial()))
                .doesNotContain(hex(in60.serial())).doesNotContain(hex(revoked.serial()));
        assertThat(body.indexOf("Within 1 day")).isLessThan(body.indexOf("Within 7 days"));

        // The events, delivered and signed by the server's own dispatcher.
        ca.webhooks().orElseThrow().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> events("expiring").size() >= 22);
        assertThat(receiver.deliveries).allMatch(ExpiryTestKit.Receiver.Delivery::signatureValid);
        assertThat(receiver.deliveries).allMatch(d -> d.header("X-Scepca-Event").equals("expiring"));
        assertThat(events("expiring")).extracting(j -> j.get("serial").asText()).doesNotHaveDuplicates()
                .contains(hex(in12h.serial())).doesNotContain(hex(in60.serial()));
        JsonNode e3 = events("expiring").stream().filter(j -> j.get("serial").asText().equals(hex(fleet.get(3).serial())))
                .findFirst().orElseThrow();
        assertThat(e3.get("thresholdDays").asInt()).isEqualTo(7);
        assertThat(e3.get("endpoint").asText()).isEqualTo("jamf");
        assertThat(e3.get("device").get("serialNumber").asText()).isEqualTo("F2LXK000003");
        assertThat(e3.get("notAfter").asText()).isEqualTo(fleet.get(3).notAfter().toString());

        // Again at once, and after a restart: nothing is due, nothing is sent.
        assertThat(monitor().notifyDue(clock.instant()).email().orElseThrow().isEmpty()).isTrue();
        ca.close();
        ca = open();
        ExpiryMonitor.Report afterRestart = monitor().notifyDue(clock.instant());
        assertThat(afterRestart.email().orElseThrow().isEmpty()).isTrue();
        assertThat(afterRestart.webhook().orElseThrow().isEmpty()).isTrue();
        assertThat(digests()).hasSize(1);

        // Five days on the fleet is inside the 1-day threshold: one more digest, for those only; the 20-day one is
        // inside no new threshold (15 days left) and the 12-hour one has expired.
        clock.advance(Duration.ofDays(5).plusMinutes(1));
        ExpiryMonitor.Report later = monitor().notifyDue(clock.instant());
        assertThat(later.email().orElseThrow().certificates()).extracting(d -> d.certificate().serial())
                .containsExactlyInAnyOrderElementsOf(fleet.stream().map(CertificateRecord::serial).toList());
        assertThat(later.email().orElseThrow().certificates()).allMatch(d -> d.threshold() == 1);
        assertThat(digests()).hasSize(2);
        assertThat(digests().get(1).getSubject()).isEqualTo("[scepca] 20 certificates expire within 1 day");
        assertThat(monitor().notifyDue(clock.instant()).email().orElseThrow().isEmpty()).isTrue();
        assertThat(ExpiryTestKit.lines(audit, "expiry-notify")).extracting(l -> l.get("channel") + "=" + l.get("certificates"))
                .containsExactly("webhook=22", "email=22", "webhook=20", "email=20");
    }

    @Test
    void aRelayThatRefusesOurLogin_recordsNothing_andTheNextRunSendsTheDigest() throws Exception {
        TestPki.create(dir, CaConfig.defaults(), clock).close();
        Map<String, String> keys = notifyKeys();
        keys.remove("notify.webhook");
        keys.remove("webhook.url");
        keys.remove("webhook.secret-file");
        keys.remove("webhook.events");
        ExpiryTestKit.configure(dir, keys);
        ca = open();
        CertificateRecord c = issue(ca, "soon", Duration.ofDays(3), "default", Optional.empty());
        Files.writeString(dir.resolve("secrets/smtp-password"), "not-the-password\n");
        assertThatThrownBy(() -> monitor().notifyDue(clock.instant())).isInstanceOf(SmtpMailer.MailException.class)
                .hasMessageContaining("127.0.0.1:").hasMessageNotContaining("not-the-password");
        assertThat(digests()).isEmpty();
        Files.writeString(dir.resolve("secrets/smtp-password"), "relay-password\n");
        assertThat(monitor().notifyDue(clock.instant()).email().orElseThrow().certificates()).hasSize(1);
        assertThat(digests()).hasSize(1);
        assertThat(GreenMailUtil.getBody(digests().get(0))).contains(hex(c.serial()));
    }

    @Test
    void theIssuingCa_isNotifiedAtItsThreshold_byMailAndWebhook_once() throws Exception {
        // A CA made 1,800 days ago: its issuing certificate (1,825 days) has 25 days left, its root ten years.
        MutableClock past = new MutableClock(clock.instant().minus(Duration.ofDays(1800)));
        new CaInitializer(past, new SecureRandom()).create(new CaDirectory(dir), TestPki.fastOptions(), TestPki.PASSPHRASE);
        ExpiryTestKit.configure(dir, notifyKeys());
        ca = open();
        ExpiryMonitor.Report r = monitor().notifyDue(clock.instant());
        assertThat(r.email().orElseThrow().cas()).extracting(d -> d.which() + "@" + d.threshold()).containsExactly("issuing@30");
        MimeMessage m = digests().get(0);
        assertThat(m.getSubject()).matches("\\[scepca\\] Issuing CA certificate expires in 2[45] days");
        assertThat(GreenMailUtil.getBody(m)).contains("The issuing CA certificate " + ca.material().intermediateCertificate().getSubjectX500Principal().getName())
                .contains("(threshold 30 days)").contains("scepca ca stage-next");

        ca.webhooks().orElseThrow().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> events("ca-expiring").size() >= 1);
        JsonNode e = events("ca-expiring").get(0);
        assertThat(e.get("serial").asText())
                .isEqualTo(ca.material().intermediateCertificate().getSerialNumber().toString(16));
        assertThat(e.get("reason").asText()).isEqualTo("issuing");
        assertThat(e.get("thresholdDays").asInt()).isEqualTo(30);
        assertThat(receiver.deliveries).allMatch(ExpiryTestKit.Receiver.Delivery::signatureValid);

        assertThat(monitor().notifyDue(clock.instant()).email().orElseThrow().isEmpty()).isTrue();
        clock.advance(Duration.ofDays(20)); // 4 days left: the 7-day threshold
        assertThat(monitor().notifyDue(clock.instant()).email().orElseThrow().cas())
                .extracting(d -> d.which() + "@" + d.threshold()).containsExactly("issuing@7");
    }

    @Test
    void theDailySummary_isWrittenOncePerDay_evenAcrossARestart() throws Exception {
        TestPki.create(dir, CaConfig.defaults(), clock).close();
        ca = open();
        issue(ca, "a", Duration.ofDays(3), "default", Optional.empty());
        issue(ca, "b", Duration.ofDays(20), "default", Optional.empty());
        issue(ca, "c", Duration.ofDays(80), "default", Optional.empty());
        issue(ca, "d", Duration.ofDays(200), "default", Optional.empty());
        ExpiryMonitor monitor = monitor();
        assertThat(monitor.config().enabled()).isFalse(); // no notify.* key: the summary only
        monitor.run();
        monitor.run();
        ca.close();
        ca = open();
        monitor().run();
        List<Map<String, String>> lines = ExpiryTestKit.lines(audit, "expiry-summary");
        assertThat(lines).hasSize(1);
        Map<String, String> l = lines.get(0);
        assertThat(l).containsEntry("expiring7d", "1").containsEntry("expiring30d", "2").containsEntry("expiring90d", "3")
                .containsEntry("expiredLastDay", "0").containsEntry("outcome", "ok").containsEntry("serial", "-");
        assertThat(Long.parseLong(l.get("issuingCaDaysLeft"))).isBetween(1823L, 1825L);
        assertThat(Long.parseLong(l.get("rootDaysLeft"))).isBetween(3648L, 3650L);

        // The next day: a new line, which counts the certificate that expired meanwhile.
        clock.advance(Duration.ofDays(3).plusHours(1));
        monitor().run();
        assertThat(ExpiryTestKit.lines(audit, "expiry-summary")).hasSize(2);
        assertThat(ExpiryTestKit.lines(audit, "expiry-summary").get(1)).containsEntry("expiredLastDay", "1")
                .containsEntry("expiring7d", "0");
    }
}
