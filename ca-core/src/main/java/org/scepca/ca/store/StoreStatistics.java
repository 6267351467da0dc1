package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts for the server's metrics that no store interface answers: challenges by state, admin API tokens by role and
 * webhook events waiting for delivery. Each is one COUNT per question; the server asks at most every 30 s (its gauges
 * cache the answer), so a scrape never turns into a table scan per request. Tables: the challenges table is purged a
 * week after each challenge is used or expires, the token table is small, and the outbox backlog is counted on its
 * {@code next_attempt_at} index, which holds only undelivered events.
 */
public final class StoreStatistics {
    private final Database db;

    public StoreStatistics(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /**
     * One-time challenges at {@code now}.
     *
     * @param unused  neither used nor expired: each can still enroll one device
     * @param used    consumed (kept a week for troubleshooting)
     * @param expired never used, past their expiry
     */
    public record ChallengeCounts(long unused, long used, long expired) {
    }

    /** Admin API tokens: active (not revoked) by role id, and revoked ones. */
    public record TokenCounts(Map<String, Long> activeByRole, long revoked) {
        public TokenCounts {
            activeByRole = Map.copyOf(activeByRole);
        }
    }

    /**
     * Webhook events not yet delivered (and not given up).
     *
     * @param oldest when the oldest of them was created, if any
     */
    public record Backlog(long pending, Optional<Instant> oldest) {
        public Backlog {
            Objects.requireNonNull(oldest, "oldest is null");
        }
    }

    public ChallengeCounts challenges(Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT"
                    + " SUM(CASE WHEN consumed_at IS NULL AND expires_at > ? THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN consumed_at IS NOT NULL THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN consumed_at IS NULL AND expires_at <= ? THEN 1 ELSE 0 END) FROM challenges")) {
                Sql.setInstant(ps, 1, now);
                Sql.setInstant(ps, 2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    // SUM over no rows is NULL; getLong reads it as 0.
                    return new ChallengeCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    public TokenCounts tokens() {
        return db.inTransaction(c -> {
            Map<String, Long> active = new TreeMap<>();
            long revoked = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT role, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END,"
                    + " COUNT(*) FROM admin_tokens GROUP BY role, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(2) == 0) {
                        active.merge(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getLong(3), Long::sum);
                    } else {
                        revoked += rs.getLong(3);
                    }
                }
            }
            return new TokenCounts(active, revoked);
        });
    }

    public Backlog webhookBacklog() {
        return db.inTransaction(c -> new Backlog(count(c), oldest(c)));
    }

    private static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM event_outbox WHERE next_attempt_at IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Optional<Instant> oldest(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT MIN(created_at) AS oldest FROM event_outbox WHERE next_attempt_at IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return Sql.optionalInstant(rs, "oldest");
        }
    }
}
