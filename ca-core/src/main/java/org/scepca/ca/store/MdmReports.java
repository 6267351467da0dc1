package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Certificates an MDM must still hear of (Intune's successNotification): written in the issuance's transaction
 * ({@link IssuanceEffects#reportToMdm()}), removed when the MDM acknowledged the report, retried with backoff until
 * then. At-least-once: a report whose acknowledgement was lost in a crash is sent again.
 */
public final class MdmReports {
    /** Backoff between attempts: 1 minute doubling up to 6 hours. */
    static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    static final Duration MAX_RETRY = Duration.ofHours(6);

    private final Database db;

    public MdmReports(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /** A report still owed. */
    public record Pending(BigInteger serial, String endpoint, String transactionId, byte[] csrDer, int attempts) {
    }

    static void insert(Connection c, CertificateRecord cert, RequestRecord request, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mdm_reports (serial, endpoint, transaction_id, csr_der,"
                + " attempts, next_attempt_at) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, cert.serialHex());
            ps.setString(2, cert.endpointName());
            ps.setString(3, request.transactionId());
            ps.setBytes(4, request.csrDer());
            ps.setInt(5, 0);
            Sql.setInstant(ps, 6, now.plus(FIRST_RETRY));
            ps.executeUpdate();
        }
    }

    /** Reports due at {@code now}, oldest first. */
    public List<Pending> due(Instant now, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT serial, endpoint, transaction_id, csr_der, attempts"
                    + " FROM mdm_reports WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?")) {
                Sql.setInstant(ps, 1, now);
                ps.setInt(2, limit);
                List<Pending> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Pending(new BigInteger(rs.getString(1), 16), rs.getString(2), rs.getString(3),
                                rs.getBytes(4), rs.getInt(5)));
                    }
                }
                return out;
            }
        });
    }

    /** How many reports are owed (readiness, metrics). */
    public long count() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM mdm_reports");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The MDM acknowledged it. Not synced: losing this delete in a crash only sends the report once more. */
    public void done(BigInteger serial) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM mdm_reports WHERE serial = ?")) {
                ps.setString(1, serial.toString(16));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** An attempt failed: the next one after the backoff. */
    public void failed(Pending p, Instant now, String error) {
        long minutes = Math.min(MAX_RETRY.toMinutes(), FIRST_RETRY.toMinutes() << Math.min(p.attempts(), 20));
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mdm_reports SET attempts = ?, next_attempt_at = ?,"
                    + " last_error = ? WHERE serial = ?")) {
                ps.setInt(1, p.attempts() + 1);
                Sql.setInstant(ps, 2, now.plus(Duration.ofMinutes(minutes)));
                ps.setString(3, error.length() > 512 ? error.substring(0, 512) : error);
                ps.setString(4, p.serial().toString(16));
                ps.executeUpdate();
            }
            return null;
        });
    }
}
