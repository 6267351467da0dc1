package org.scepca.server.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.scepca.server.expiry.ExpiryTestKit.hex;
import static org.scepca.server.expiry.ExpiryTestKit.issue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.DatabaseConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.testing.TestStores;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.integrations.Integrations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Two replicas (two real servers, each with its own data folder holding the same CA) on one PostgreSQL database, the
 * expiry check run by their schedulers: one digest e-mail and one event per certificate, one audit summary a day,
 * and after both restart only what became due since. In one JVM both replicas hold the job lease under the same
 * holder, so both really run the check: what keeps it once here is the database's record, not the lease.
 */
class ExpiryOnReplicasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path a;
    @TempDir
    Path b;
    private DatabaseConfig db;
    private GreenMail smtp;
    private ExpiryTestKit.Receiver receiver;
    private ListAppender<ILoggingEvent> audit;
    private final List<Running> replicas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Providers.register();
        db = PgCluster.databaseConfig(PgCluster.shared().newDatabase());
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        receiver = new ExpiryTestKit.Receiver();
        audit = ExpiryTestKit.captureAudit();
    }

    @AfterEach
    void stop() {
        stopReplicas();
        ExpiryTestKit.release(audit);
        receiver.close();
        smtp.stop();
    }

    private void stopReplicas() {
        replicas.forEach(Running::close);
        replicas.clear();
    }

    private void startReplicas() throws Exception {
        for (Path dir : List.of(a, b)) {
            CaConfig config = CaConfig.load(dir.resolve("scepca.properties")).withDatabase(db);
            replicas.add(Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config,
                    ServerConfig.defaults("127.0.0.1", 0), AdminConfig.disabled(), System::nanoTime,
                    Integrations.Options.DEFAULT.withExpiry(Optional.empty(), Duration.ofMillis(300))));
        }
        // Each replica's scheduler has run the check once (the interval is a minute: not again in this test).
        await().atMost(Duration.ofSeconds(60))
                .until(() -> replicas.stream().allMatch(r -> r.integrations().expiry().completedRuns() >= 1));
    }

    /** The CA of replica A, opened by itself while the servers are stopped (as `scepca` commands do). */
    private CertificateAuthority openCa() {
        return TestPki.create(a, CaConfig.load(a.resolve("scepca.properties")).withDatabase(db));
    }

    private List<MimeMessage> digests() throws Exception {
        return ExpiryTestKit.digests(smtp);
    }

    private List<String> expiringSerials() throws Exception {
        List<String> out = new ArrayList<>();
        for (var d : receiver.deliveries) {
            out.add(JSON.readTree(d.body()).get("serial").asText());
        }
        return out;
    }

    @Test
    void twoReplicasOnOnePostgresDatabase_sendEachNoticeOnce_andOneSummaryADay_acrossARestart() throws Exception {
        TestPki.create(a, CaConfig.defaults().withDatabase(db)).close();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("webhook.url", receiver.url());
        keys.put("webhook.secret-file", "secrets/webhook-secret");
        keys.put("webhook.events", "expiring,ca-expiring");
        keys.put("notify.webhook", "true");
        keys.put("notify.check-interval-minutes", "1");
        keys.put("notify.smtp.host", "127.0.0.1");
        keys.put("notify.smtp.port", Integer.toString(smtp.getSmtp().getPort()));
        keys.put("notify.smtp.tls", "none");
        keys.put("notify.smtp.from", "scepca@example.test");
        keys.put("notify.smtp.to", "it@example.test");
        ExpiryTestKit.configure(a, keys);
        List<CertificateRecord> fleet = new ArrayList<>();
        CertificateRecord mac;
        try (CertificateAuthority ca = openCa()) {
            assertThat(TestStores.product(ca.database())).isEqualTo("PostgreSQL");
            for (int i = 0; i < 10; i++) {
                fleet.add(issue(ca, "iphone-" + i, Duration.ofDays(6), "default", Optional.empty()));
            }
            mac = issue(ca, "mac", Duration.ofDays(20), "default", Optional.empty());
        }
        copy(a, b); // the second replica's folder: the same CA and configuration

        startReplicas();
        await().atMost(Duration.ofSeconds(60)).until(() -> digests().size() >= 1 && receiver.deliveries.size() >= 11);
        assertThat(digests()).hasSize(1);
        String first = GreenMailUtil.getBody(digests().get(0));
        for (CertificateRecord c : fleet) {
            assertThat(first.split(hex(c.serial()), -1)).hasSize(2);
        }
        assertThat(first).contains("Within 7 days (10):").contains("Within 30 days (1):").contains(hex(mac.serial()));

        // Both stop; a certificate that expires in three days is issued meanwhile; both start again.
        stopReplicas();
        CertificateRecord late;
        try (CertificateAuthority ca = openCa()) {
            late = issue(ca, "late", Duration.ofDays(3), "default", Optional.empty());
        }
        startReplicas();
        await().atMost(Duration.ofSeconds(60)).until(() -> digests().size() >= 2 && receiver.deliveries.size() >= 12);
        assertThat(digests()).hasSize(2);
        String second = GreenMailUtil.getBody(digests().get(1));
        assertThat(digests().get(1).getSubject()).isEqualTo("[scepca] 1 certificate expires within 7 days");
        assertThat(second).contains(hex(late.serial())).doesNotContain(hex(mac.serial()));
        for (CertificateRecord c : fleet) {
            assertThat(second).doesNotContain(hex(c.serial()));
        }

        List<String> serials = expiringSerials();
        assertThat(serials).doesNotHaveDuplicates().hasSize(12).contains(hex(late.serial()), hex(mac.serial()));
        assertThat(receiver.deliveries).allMatch(ExpiryTestKit.Receiver.Delivery::signatureValid);
        // Four scheduled runs on two replicas: one summary line per UTC day (two only if the test spans midnight).
        List<String> days = ExpiryTestKit.lines(audit, "expiry-summary").stream().map(l -> l.get("day")).toList();
        assertThat(days).isNotEmpty().hasSizeLessThanOrEqualTo(2).doesNotHaveDuplicates();
        assertThat(ExpiryTestKit.lines(audit, "expiry-summary").get(0)).containsEntry("expiring7d", "10")
                .containsEntry("expiring30d", "11");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path rel = from.relativize(p);
                if (rel.startsWith("logs") || rel.toString().isEmpty()) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
