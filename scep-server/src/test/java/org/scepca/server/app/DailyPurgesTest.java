package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.AcmeService;
import org.scepca.acme.Identifier;
import org.scepca.acme.OrderStore;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.MutableClock;
import org.scepca.ca.testing.TestPki;

/**
 * The server's daily housekeeping, as {@link Running} runs it on the CA it opened: the audit trail keeps
 * {@code audit.retention-days} (its purge is tested in ca-core), unfinished ACME orders go 30 days past their expiry
 * (tested in the acme module), both on the CA's clock, and at most once a day however often the 10-minute beat calls.
 */
class DailyPurgesTest {
    private static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

    @TempDir
    Path dir;

    @Test
    void purgesByTheConfiguredRetentionOnTheCasClock_onceADay() throws Exception {
        MutableClock clock = new MutableClock(START);
        Properties p = new Properties();
        p.setProperty("audit.retention-days", "40");
        try (CertificateAuthority ca = TestPki.create(dir.resolve("ca"), CaConfig.from(p), clock)) {
            Database db = ca.database();
            account(db);
            String day0Order = order(db, clock.instant());
            audit(ca, "day0");

            clock.advance(Duration.ofDays(20));
            String day20Order = order(db, clock.instant());
            audit(ca, "day20");

            // Day 45: the day-0 audit row is past 40 days, the day-20 one is not; the day-0 order expired on day 7,
            // 38 days ago, the day-20 order on day 27, 18 days ago.
            clock.advance(Duration.ofDays(25));
            DailyPurges purges = new DailyPurges(ca);
            purges.run();
            assertThat(auditOps(db)).containsExactly("day20");
            assertThat(orders(db)).containsExactly(day20Order).doesNotContain(day0Order);

            // Day 59.5: the day-20 order expired on day 27, over 30 days ago; the day-20 audit row is not yet 40 days
            // old.
            clock.advance(Duration.ofDays(14).plusHours(12));
            purges.run();
            assertThat(orders(db)).isEmpty();
            assertThat(auditOps(db)).containsExactly("day20");

            // Day 60.25: the day-20 row is now due, but the beat 18 hours after a run does nothing.
            clock.advance(Duration.ofHours(18));
            audit(ca, "day60");
            purges.run();
            assertThat(auditOps(db)).as("18 h after a run").containsExactly("day20", "day60");

            // Day 60.5: a day after the last run.
            clock.advance(Duration.ofHours(6));
            purges.run();
            assertThat(auditOps(db)).as("a day after the last run").containsExactly("day60");
        }
    }

    @Test
    void aFailedPurgeIsLoggedAndNeitherStopsTheNextNorThrows() throws Exception {
        MutableClock clock = new MutableClock(START);
        try (CertificateAuthority ca = TestPki.create(dir.resolve("ca"), CaConfig.defaults(), clock)) {
            Database db = ca.database();
            account(db);
            order(db, clock.instant());
            clock.advance(Duration.ofDays(400));
            // The audit trail's table is gone (a broken store): its purge fails, the ACME purge after it still runs,
            // and run() returns normally, so the housekeeping beat that calls it goes on.
            db.inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement("ALTER TABLE audit_events RENAME TO audit_events_moved")) {
                    s.executeUpdate();
                }
                return null;
            });
            new DailyPurges(ca).run();
            assertThat(orders(db)).isEmpty();
        }
    }

    private static void account(Database db) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO acme_accounts (id, endpoint, thumbprint, jwk,"
                    + " status, created_at) VALUES ('acct', 'web', 'thumb', '{}', 'VALID', ?)")) {
                s.setTimestamp(1, java.sql.Timestamp.from(START));
                s.executeUpdate();
            }
            return null;
        });
    }

    /** An order made at {@code at} with the service's lifetime, never finished. */
    private static String order(Database db, Instant at) {
        OrderStore store = new OrderStore(db, "web", Clock.fixed(at, ZoneOffset.UTC), new SecureRandom());
        return store.create("acct", List.of(new Identifier(Identifier.DNS, at.truncatedTo(ChronoUnit.DAYS).getEpochSecond()
                + ".test")), List.of(List.of("dns-01")), AcmeService.ORDER_LIFETIME).id();
    }

    private static void audit(CertificateAuthority ca, String op) {
        ca.auditTrail().accept(AuditLine.op(op).token("outcome", "ok"));
        ca.auditTrail().flush();
    }

    private static List<String> auditOps(Database db) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT line FROM audit_events WHERE line LIKE 'op=day%'"
                    + " ORDER BY id"); ResultSet rs = s.executeQuery()) {
                List<String> ops = new java.util.ArrayList<>();
                while (rs.next()) {
                    ops.add(rs.getString(1).split(" ")[0].substring(3));
                }
                return ops;
            }
        });
    }

    private static List<String> orders(Database db) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM acme_orders ORDER BY created_at");
                    ResultSet rs = s.executeQuery()) {
                List<String> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        });
    }
}
