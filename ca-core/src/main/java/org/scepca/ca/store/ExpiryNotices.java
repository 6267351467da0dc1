package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The durable memory of expiry monitoring ({@code expiry_notices}, {@code daily_runs}, migration V11): which
 * certificate was notified at which threshold on which channel, and which daily job ran on which UTC day. Both are
 * claims on a primary key, so a restart or a second replica on the same database never repeats them: the job leases
 * only keep two replicas from doing the work at the same moment, these rows make it once.
 */
public final class ExpiryNotices {
    private final Database db;

    public ExpiryNotices(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /**
     * Claims {@code job} for {@code day}: true for the first caller that day (across restarts and replicas), false
     * for every later one.
     */
    public boolean claimDay(String job, LocalDate day, Instant now) {
        Objects.requireNonNull(job, "job is null");
        Objects.requireNonNull(day, "day is null");
        try {
            // Its own transaction: on PostgreSQL a unique violation (a replica racing us) spoils the transaction.
            return db.inDurableTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO daily_runs (name, run_on, ran_at)"
                        + " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM daily_runs WHERE name = ? AND run_on = ?)")) {
                    ps.setString(1, job);
                    ps.setObject(2, day);
                    Sql.setInstant(ps, 3, now);
                    ps.setString(4, job);
                    ps.setObject(5, day);
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException s && Sql.isUniqueViolation(s)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Active certificates whose notAfter is in {@code [from, to)} and that have no notice yet for {@code threshold}
     * days on {@code channel}, soonest first: one range scan of the not_after index per threshold band.
     *
     * <p>Left out, because nobody needs to act on them: a certificate renewed over SCEP (RenewalReq with
     * supersede-on-renewal off; with it on, the old one is revoked), and one whose device already holds a newer
     * active certificate (Intune and Jamf Pro renew by enrolling anew: the old certificate stays valid until it
     * expires). The device look-ups use the device columns' indexes.
     */
    public List<CertificateRecord> due(String channel, int threshold, Instant from, Instant to, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JdbcCertificateStore.COLUMNS
                    + " FROM certificates c WHERE c.not_after >= ? AND c.not_after < ? AND c.status = 'VALID'"
                    + " AND NOT EXISTS (SELECT 1 FROM expiry_notices n WHERE n.channel = ? AND n.serial = c.serial"
                    + " AND n.threshold_days = ?)"
                    + " AND NOT EXISTS (SELECT 1 FROM certificates r WHERE r.renews = c.serial)"
                    + newerForDevice("device_serial") + newerForDevice("device_udid") + newerForDevice("intune_device_id")
                    + " ORDER BY c.not_after, c.serial LIMIT ?")) {
                Sql.setInstant(ps, 1, from);
                Sql.setInstant(ps, 2, to);
                ps.setString(3, channel);
                ps.setInt(4, threshold);
                ps.setInt(5, limit);
                List<CertificateRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(JdbcCertificateStore.read(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * No newer active certificate for the same device, by one device column: one condition per column, each an
     * index look-up (an OR of the three columns in one subquery made H2 scan the table once per candidate: minutes
     * for 2,000 candidates in 100,000 certificates).
     */
    private static String newerForDevice(String column) {
        return " AND (c." + column + " IS NULL OR NOT EXISTS (SELECT 1 FROM certificates d WHERE d." + column + " = c."
                + column + " AND d.status = 'VALID' AND d.not_after > c.not_after))";
    }

    /** Whether {@code serial} (a CA certificate, say) has a notice for {@code threshold} days on {@code channel}. */
    public boolean notified(String channel, BigInteger serial, int threshold) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM expiry_notices WHERE channel = ? AND serial = ?"
                    + " AND threshold_days = ?")) {
                ps.setString(1, channel);
                ps.setString(2, serial.toString(16));
                ps.setInt(3, threshold);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Records a notice in the caller's transaction (with the event it sends, or around the e-mail it sends); false
     * when one is there already, and then the caller sends nothing.
     */
    public static boolean record(Connection c, String channel, BigInteger serial, int threshold, Instant notAfter,
            Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO expiry_notices (channel, serial, threshold_days,"
                + " not_after, notified_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM expiry_notices"
                + " WHERE channel = ? AND serial = ? AND threshold_days = ?)")) {
            String hex = serial.toString(16);
            ps.setString(1, channel);
            ps.setString(2, hex);
            ps.setInt(3, threshold);
            Sql.setInstant(ps, 4, notAfter);
            Sql.setInstant(ps, 5, now);
            ps.setString(6, channel);
            ps.setString(7, hex);
            ps.setInt(8, threshold);
            return ps.executeUpdate() == 1;
        }
    }

    /** Runs {@code work} in one durable transaction (records and what they stand for commit together). */
    public <T> T inTransaction(Database.SqlWork<T> work) {
        return db.inDurableTransaction(work);
    }

    /** Forgets notices of certificates that expired before {@code before}; returns how many. */
    public int purge(Instant before) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM expiry_notices WHERE not_after < ?")) {
                Sql.setInstant(ps, 1, before);
                return ps.executeUpdate();
            }
        });
    }
}
