package org.scepca.ca.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The server processes running on this database (issue 13). Each one refreshes its row every few seconds
 * ({@link #heartbeat}); a replica whose row is older than {@link #LIVE} is taken for dead. The count of live replicas
 * divides the per-source rate limits among them, and the admin API lists them.
 *
 * <p>Clocks: the times are the replicas' own, so their clocks must agree to within a few seconds (NTP), as they must
 * anyway for certificates' validity.
 */
public final class Replicas {
    /** A replica that has not refreshed its row for this long is not counted. */
    public static final Duration LIVE = Duration.ofSeconds(30);
    /** How often a replica refreshes its row. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);

    /** This process's id among the replicas (host, process id and a random suffix: unique even across restarts). */
    public static final String THIS_PROCESS = processId();

    private final Database db;
    private final Clock clock;

    public Replicas(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** A row of the table. */
    public record Replica(String id, String host, String version, Instant startedAt, Instant lastSeen) {
    }

    /** Adds (or refreshes) this replica's row; also forgets replicas gone for a day. */
    public void register(String id, String host, String version) {
        Instant now = clock.instant();
        db.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM replicas WHERE id = ? OR last_seen < ?")) {
                del.setString(1, id);
                Sql.setInstant(del, 2, now.minus(Duration.ofDays(1)));
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO replicas (id, host, version, started_at, last_seen) VALUES (?, ?, ?, ?, ?)")) {
                ins.setString(1, id);
                ins.setString(2, clip(host, 255));
                ins.setString(3, clip(version, 64));
                Sql.setInstant(ins, 4, now);
                Sql.setInstant(ins, 5, now);
                ins.executeUpdate();
            }
            return null;
        });
    }

    /** Refreshes this replica's row (re-adding it if another replica forgot it). Not durable: a lost beat is harmless. */
    public void heartbeat(String id, String host, String version) {
        int updated = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE replicas SET last_seen = ? WHERE id = ?")) {
                Sql.setInstant(ps, 1, clock.instant());
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
        if (updated == 0) {
            register(id, host, version);
        }
    }

    /** Removes this replica's row (a clean shutdown: the others count one fewer at once). */
    public void leave(String id) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM replicas WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    /** How many replicas refreshed their row within {@link #LIVE} (at least 1: the caller runs). */
    public int liveCount() {
        Instant since = clock.instant().minus(LIVE);
        long n = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM replicas WHERE last_seen >= ?")) {
                Sql.setInstant(ps, 1, since);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        return (int) Math.max(1, n);
    }

    /** Every row, live or not, newest start first. */
    public List<Replica> list() {
        return db.inTransaction(c -> {
            List<Replica> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, host, version, started_at, last_seen FROM replicas ORDER BY started_at DESC, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Replica(rs.getString(1), rs.getString(2), rs.getString(3), Sql.instant(rs, "started_at"),
                            Sql.instant(rs, "last_seen")));
                }
            }
            return out;
        });
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The host name as the operating system gives it (no DNS look-up), for the replica list. */
    public static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
            } catch (java.io.IOException | RuntimeException e) {
                h = "localhost";
            }
        }
        return h.isBlank() ? "localhost" : clip(h.replaceAll("[^A-Za-z0-9._-]", "_"), 200);
    }

    private static String processId() {
        byte[] r = new byte[4];
        new java.security.SecureRandom().nextBytes(r);
        return clip(hostName(), 40) + "-" + ProcessHandle.current().pid() + "-" + java.util.HexFormat.of().formatHex(r);
    }
}
