package org.scepca.ca.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.JdbcCertificateStore;
import org.scepca.ca.testing.MutableClock;
import org.scepca.ca.testing.OpenSsl;

/** Delivery to a real HTTP receiver on loopback, from a real H2 file store. */
class WebhookDispatcherTest {
    static final String SECRET = WebhookConfigTest.SECRET;
    private final SerialNumbers serials = new SerialNumbers(new SecureRandom());
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final MutableClock clock = new MutableClock(t0.plusSeconds(1));
    @TempDir
    Path dir;
    Database db;
    JdbcCertificateStore certs;
    Receiver receiver;
    final List<WebhookDispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        db = EventOutboxTest.open(dir);
        certs = new JdbcCertificateStore(db, Optional.of(new EventOutbox(EnumSet.allOf(CaEvent.Type.class))));
        WebhookConfigTest.writeSecret(dir.resolve("webhook-secret"), SECRET + "\n");
    }

    @AfterEach
    void close() throws Exception {
        dispatchers.forEach(WebhookDispatcher::close);
        if (receiver != null) {
            receiver.close();
        }
        db.close();
    }

    /** Independent of WebhookSigner: the receiver's side of docs/webhooks.md. */
    static String hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private WebhookConfig config(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("webhook.url", receiver.url().toString());
        p.setProperty("webhook.secret-file", "webhook-secret");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return WebhookConfig.from(p, dir).orElseThrow();
    }

    /** Jitter 0: the next attempt comes after exactly half the backoff, so times can be asserted exactly. */
    private WebhookDispatcher dispatcher(WebhookConfig config, Clock c) {
        WebhookDispatcher d = new WebhookDispatcher(config, db, c, () -> 0.0);
        dispatchers.add(d);
        return d;
    }

    private CertificateRecord issue(String cn) {
        CertificateRecord c = EventOutboxTest.cert(serials, cn, t0, Optional.of("tx-" + cn));
        certs.insertIssued(c, IssuanceEffects.none());
        return c;
    }

    record Row(int attempts, Instant nextAttemptAt, Instant deliveredAt, Instant deadAt, String lastError) {
    }

    private Row row(String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT attempts, next_attempt_at, delivered_at, dead_at,"
                    + " last_error FROM event_outbox WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return new Row(rs.getInt(1), instant(rs, 2), instant(rs, 3), instant(rs, 4), rs.getString(5));
                }
            }
        });
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private String onlyEventId() {
        List<com.fasterxml.jackson.databind.JsonNode> events = EventOutboxTest.events(db);
        assertThat(events).hasSize(1);
        return events.get(0).get("id").asText();
    }

    @Test
    void deliversTheStoredJsonSigned_andTheSignatureVerifiesWithAnIndependentHmac() throws Exception {
        receiver = new Receiver();
        issue("mac-1");
        String id = onlyEventId();
        WebhookDispatcher d = dispatcher(config(), clock);

        assertThat(d.runOnce()).isEqualTo(1);

        assertThat(receiver.deliveries).hasSize(1);
        Receiver.Delivery r = receiver.deliveries.get(0);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("X-Scepca-Event")).isEqualTo("issued");
        assertThat(r.header("X-Scepca-Delivery")).isEqualTo(id);
        String ts = r.header("X-Scepca-Timestamp");
        assertThat(ts).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        assertThat(r.header("X-Scepca-Signature")).isEqualTo(hmac(SECRET, ts + "." + r.body()));
        assertThat(r.header("X-Scepca-Signature")).isNotEqualTo(hmac(SECRET.substring(1) + "0", ts + "." + r.body()));
        assertThat(EventOutboxTest.readTree(r.body()).get("id").asText()).isEqualTo(id);
        if (OpenSsl.available()) { // the shell recipe of docs/webhooks.md
            Path msg = dir.resolve("signed-message");
            Files.writeString(msg, ts + "." + r.body());
            String out = OpenSsl.run("dgst", "-sha256", "-hmac", SECRET, msg.toString()).output().strip();
            assertThat("sha256=" + out.substring(out.lastIndexOf(' ') + 1)).isEqualTo(r.header("X-Scepca-Signature"));
        }

        Row done = row(id);
        assertThat(done.deliveredAt()).isEqualTo(clock.instant());
        assertThat(done.nextAttemptAt()).isNull();
        assertThat(done.attempts()).isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        assertThat(d.runOnce()).isZero();
        assertThat(receiver.deliveries).hasSize(1);
        assertThat(d.delivered()).isEqualTo(1);
    }

    @Test
    void failedAttemptsAreRetriedWithGrowingBackoff_thenDeliveredOnce() throws Exception {
        receiver = new Receiver(500, 503);
        issue("mac-2");
        String id = onlyEventId();
        WebhookDispatcher d = dispatcher(config(), clock);

        d.runOnce();
        Row first = row(id);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastError()).isEqualTo("HTTP 500");
        assertThat(first.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(5)); // 10 s, jitter in its upper half
        assertThat(d.runOnce()).as("not due yet").isZero();
        assertThat(receiver.deliveries).hasSize(1);

        clock.advance(Duration.ofSeconds(5));
        d.runOnce();
        Row second = row(id);
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.lastError()).isEqualTo("HTTP 503");
        assertThat(second.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(10)); // 20 s
        clock.advance(Duration.ofSeconds(9));
        assertThat(d.runOnce()).isZero();

        clock.advance(Duration.ofSeconds(1));
        d.runOnce();
        assertThat(row(id).deliveredAt()).isEqualTo(clock.instant());
        clock.advance(Duration.ofDays(1).minusSeconds(1));
        d.runOnce();
        assertThat(receiver.deliveries).hasSize(3).allSatisfy(r -> assertThat(r.header("X-Scepca-Delivery")).isEqualTo(id));
        assertThat(receiver.deliveries.get(0).body()).isEqualTo(receiver.deliveries.get(2).body());
        assertThat(d.delivered()).isEqualTo(1);
        assertThat(d.failedAttempts()).isEqualTo(2);
    }

    @Test
    void backoffDoublesUpToTheCap_withJitterInItsUpperHalf() throws Exception {
        receiver = new Receiver();
        WebhookConfig c = config("webhook.max-backoff-seconds", "300");
        WebhookDispatcher low = new WebhookDispatcher(c, db, clock, () -> 0.0);
        WebhookDispatcher high = new WebhookDispatcher(c, db, clock, () -> 0.999_999);
        assertThat(low.backoff(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(high.backoff(1)).isBetween(Duration.ofMillis(9_990), Duration.ofSeconds(10));
        assertThat(low.backoff(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(high.backoff(3)).isBetween(Duration.ofMillis(39_990), Duration.ofSeconds(40));
        assertThat(low.backoff(10)).isEqualTo(Duration.ofSeconds(150));
        assertThat(high.backoff(60)).isBetween(Duration.ofMillis(299_990), Duration.ofSeconds(300));
    }

    @Test
    void anEventThatKeepsFailing_isDeadAfterMaxAttempts_keptAndCounted() throws Exception {
        receiver = new Receiver(500, 500, 500, 500);
        issue("mac-3");
        String id = onlyEventId();
        WebhookDispatcher d = dispatcher(config("webhook.max-attempts", "3"), clock);
        for (int i = 0; i < 3; i++) {
            d.runOnce();
            clock.advance(Duration.ofHours(1));
        }
        Row dead = row(id);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.deadAt()).isNotNull();
        assertThat(dead.nextAttemptAt()).isNull();
        assertThat(dead.deliveredAt()).isNull();
        assertThat(dead.lastError()).isEqualTo("HTTP 500");
        assertThat(d.runOnce()).isZero();
        assertThat(receiver.deliveries).hasSize(3);
        assertThat(d.dead()).isEqualTo(1);
        Webhooks w = new Webhooks(config(), db, clock);
        assertThat(w.stats().deadStored()).isEqualTo(1);
        assertThat(w.stats().pending()).isZero();
        w.close();
    }

    @Test
    void anEventOlderThanMaxAge_isDeadAfterItsNextFailure() throws Exception {
        receiver = new Receiver(500, 500);
        issue("mac-4");
        String id = onlyEventId();
        WebhookDispatcher d = dispatcher(config("webhook.max-age-hours", "1"), clock);
        d.runOnce();
        assertThat(row(id).deadAt()).isNull();
        clock.advance(Duration.ofHours(2));
        d.runOnce();
        assertThat(row(id).deadAt()).isEqualTo(clock.instant());
        assertThat(row(id).attempts()).isEqualTo(2);
    }

    @Test
    void anUnreachableReceiverIsAFailedAttempt() throws Exception {
        receiver = new Receiver();
        URI closed = receiver.url();
        receiver.close();
        receiver = null;
        issue("mac-5");
        String id = onlyEventId();
        Properties p = new Properties();
        p.setProperty("webhook.url", closed.toString());
        p.setProperty("webhook.secret-file", "webhook-secret");
        p.setProperty("webhook.timeout-seconds", "2");
        WebhookDispatcher d = dispatcher(WebhookConfig.from(p, dir).orElseThrow(), clock);
        d.runOnce();
        Row r = row(id);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.deliveredAt()).isNull();
        assertThat(r.lastError()).isNotBlank().doesNotContain(SECRET);
        assertThat(r.nextAttemptAt()).isAfter(clock.instant());
    }

    @Test
    void aHangingReceiverDoesNotBlockIssuanceOrRevocation() throws Exception {
        receiver = new Receiver();
        CountDownLatch hang = receiver.hangRequests();
        CountDownLatch arrived = receiver.expect(1);
        WebhookDispatcher d = dispatcher(config("webhook.timeout-seconds", "120"), Clock.systemUTC());
        d.start();
        CertificateRecord first = issue("mac-6");
        assertThat(arrived.await(2, TimeUnit.MINUTES)).as("the dispatcher reached the receiver").isTrue();

        // The receiver now holds the dispatcher's request open. A guard against a hang, not a speed check:
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            issue("mac-7");
            certs.revoke(first.serial(), RevocationReason.KEY_COMPROMISE, Instant.now(), "cli:alice");
        });
        assertThat(hang.getCount()).as("the receiver was still stuck").isEqualTo(1);
        assertThat(receiver.deliveries).hasSize(1);
        assertThat(EventOutboxTest.events(db)).hasSize(3);
        hang.countDown();
    }

    @Test
    void twoDispatchersOnOneDatabase_sendEachEventOnce() throws Exception {
        receiver = new Receiver();
        for (int i = 0; i < 20; i++) {
            issue("fleet-" + i);
        }
        WebhookConfig c = config();
        WebhookDispatcher a = dispatcher(c, clock);
        WebhookDispatcher b = dispatcher(c, clock);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> fa = pool.submit(a::runOnce);
            Future<Integer> fb = pool.submit(b::runOnce);
            assertThat(fa.get() + fb.get()).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        assertThat(receiver.deliveries).hasSize(20);
        assertThat(receiver.deliveries.stream().map(r -> r.header("X-Scepca-Delivery")).distinct()).hasSize(20);
        assertThat(a.delivered() + b.delivered()).isEqualTo(20);
    }

    @Test
    void eventsQueuedBeforeARestartAreDeliveredAfterIt() throws Exception {
        receiver = new Receiver();
        issue("mac-8");
        String id = onlyEventId();
        db.close();
        db = EventOutboxTest.open(dir);
        dispatcher(config(), clock).runOnce();
        assertThat(receiver.deliveries).extracting(r -> r.header("X-Scepca-Delivery")).containsExactly(id);
        assertThat(row(id).deliveredAt()).isNotNull();
    }

    @Test
    void deliveredEventsArePurgedAfterTheRetention_deadOnesKeptLonger() throws Exception {
        receiver = new Receiver(500);
        issue("dead-one");
        WebhookDispatcher d = dispatcher(config("webhook.max-attempts", "1", "webhook.retention-days", "1"), clock);
        d.runOnce(); // the first event dies at its first failure
        issue("delivered-one");
        clock.advance(Duration.ofSeconds(1));
        d.runOnce();
        assertThat(EventOutboxTest.events(db)).hasSize(2);

        clock.advance(Duration.ofDays(2));
        d.runOnce();
        assertThat(EventOutboxTest.events(db)).extracting(e -> e.get("subject").asText())
                .containsExactly("CN=dead-one,O=Acme");
        clock.advance(Duration.ofDays(30));
        d.runOnce();
        assertThat(EventOutboxTest.events(db)).isEmpty();
    }
}
