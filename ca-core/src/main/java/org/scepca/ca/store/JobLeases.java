package org.scepca.ca.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Background jobs that one replica at a time runs (Intune's revocation sync, the Jamf device sync, the retries of
 * Intune reports): before each run a replica takes or renews the job's lease; while another replica holds an unexpired
 * lease it skips the run. When the holder dies its lease runs out and another replica takes over.
 *
 * <p>A lease is a compare-and-set on one row (no lock is held during the job): if a run outlasts its lease, a second
 * replica may start the job too. The jobs are written for that (each step is idempotent); the lease only keeps them
 * from running twice in the common case. Choose a lease longer than a run usually takes.
 */
public final class JobLeases {
    private final Database db;
    private final Clock clock;

    public JobLeases(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Takes or renews the lease of {@code job} for {@code holder}; false when another holder has it. */
    public boolean tryAcquire(String job, String holder, Duration lease) {
        Instant now = clock.instant();
        boolean renewed = db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE job_leases SET holder = ?, expires_at = ?"
                    + " WHERE name = ? AND (holder = ? OR expires_at < ?)")) {
                up.setString(1, holder);
                Sql.setInstant(up, 2, now.plus(lease));
                up.setString(3, job);
                up.setString(4, holder);
                Sql.setInstant(up, 5, now);
                return up.executeUpdate() == 1;
            }
        });
        if (renewed) {
            return true;
        }
        try {
            // Its own transaction: on PostgreSQL a unique violation spoils the transaction it happens in.
            return db.inTransaction(c -> {
                try (PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO job_leases (name, holder, expires_at) SELECT ?, ?, ? WHERE NOT EXISTS"
                                + " (SELECT 1 FROM job_leases WHERE name = ?)")) {
                    ins.setString(1, job);
                    ins.setString(2, holder);
                    Sql.setInstant(ins, 3, now.plus(lease));
                    ins.setString(4, job);
                    return ins.executeUpdate() == 1;
                }
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException s && Sql.UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return false; // another replica created the row a moment ago
            }
            throw e;
        }
    }

    /** Gives the lease up (a clean shutdown), so that another replica need not wait for it to run out. */
    public void release(String job, String holder) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM job_leases WHERE name = ? AND holder = ?")) {
                ps.setString(1, job);
                ps.setString(2, holder);
                return ps.executeUpdate();
            }
        });
    }
}
