package org.scepca.ca.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.scepca.ca.store.Database;
import org.scepca.ca.store.StoreException;

/**
 * The delivery side of {@code event_outbox}: due rows, claims, outcomes, purging. Short transactions only; none is
 * held open across an HTTP call. These writes are not synced to disk before going on (they acknowledge nothing to
 * anyone): a crash can undo one, and the event is then sent again, which at-least-once delivery allows.
 */
final class OutboxRows {
    private final Database db;

    OutboxRows(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /** One queued event as the dispatcher sees it. */
    record Pending(String id, CaEvent.Type type, String payload, Instant createdAt, int attempts) {
    }

    /** How many events wait, and how many were given up. */
    record Backlog(long pending, long dead) {
    }

    List<Pending> due(Instant now, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, event_type, payload, created_at, attempts"
                    + " FROM event_outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?")) {
                setInstant(ps, 1, now);
                ps.setInt(2, limit);
                List<Pending> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Pending(rs.getString(1), CaEvent.Type.parse(rs.getString(2)), rs.getString(3),
                                rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getInt(5)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Takes {@code p} for one attempt: counts the attempt and moves it out of reach of other dispatchers until
     * {@code leaseUntil}. Compare-and-set on the attempt count, so of two servers polling one database only one wins;
     * if the winner dies mid-attempt, the row is due again when the lease runs out.
     */
    boolean claim(Pending p, Instant leaseUntil) {
        try {
            return update("UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?"
                    + " AND attempts = ? AND next_attempt_at IS NOT NULL", leaseUntil, p.id(), p.attempts()) == 1;
        } catch (StoreException e) {
            return false; // lost a race for the row lock (another dispatcher updated it): theirs
        }
    }

    void delivered(String id, Instant at) {
        update("UPDATE event_outbox SET delivered_at = ?, next_attempt_at = NULL, dead_at = NULL, last_error = NULL"
                + " WHERE id = ?", at, id);
    }

    /** After failed attempt number {@code attempts}; a no-op if another dispatcher has claimed it since. */
    void retryAt(String id, int attempts, Instant next, String error) {
        update("UPDATE event_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND attempts = ?"
                + " AND delivered_at IS NULL", next, error, id, attempts);
    }

    void dead(String id, int attempts, Instant at, String error) {
        update("UPDATE event_outbox SET next_attempt_at = NULL, dead_at = ?, last_error = ? WHERE id = ?"
                + " AND attempts = ? AND delivered_at IS NULL", at, error, id, attempts);
    }

    /** Deletes events delivered that happened before {@code deliveredBefore}, and dead ones before {@code deadBefore}. */
    int purge(Instant deliveredBefore, Instant deadBefore) {
        return update("DELETE FROM event_outbox WHERE (delivered_at IS NOT NULL AND created_at < ?)"
                + " OR (dead_at IS NOT NULL AND created_at < ?)", deliveredBefore, deadBefore);
    }

    Backlog backlog() {
        return db.inTransaction(c -> new Backlog(count(c, "next_attempt_at IS NOT NULL"), count(c, "dead_at IS NOT NULL")));
    }

    private static long count(Connection c, String where) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM event_outbox WHERE " + where);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int update(String sql, Object... args) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof Instant t) {
                        setInstant(ps, i + 1, t);
                    } else {
                        ps.setObject(i + 1, args[i]);
                    }
                }
                return ps.executeUpdate();
            }
        });
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    }
}
