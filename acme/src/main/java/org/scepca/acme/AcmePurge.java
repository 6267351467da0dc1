package org.scepca.acme;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.scepca.ca.store.Database;

/**
 * Forgets ACME orders that expired without a certificate, with their authorizations and challenges, on every
 * endpoint. Nothing else ever removes them: a client that gives up, a device that never answers its
 * device-attest-01 challenge, or anyone who opens an account and makes orders leaves rows that the store would keep
 * for ever, and every listing and lookup over them grows with them. An order that issued a certificate is kept
 * (revocation by account, RFC 8555 section 7.6, finds the order of a serial), as are accounts. Safe on any number of
 * replicas at once: each batch deletes what it found in one transaction, children first, and a second replica
 * deleting the same rows only finds fewer.
 */
public final class AcmePurge {
    /** Orders deleted per transaction, so that the store's lock is never held for long. */
    private static final int BATCH = 500;
    /** Deletes an order's challenges through its authorizations (keyed look-ups on both tables). */
    static final String DELETE_CHALLENGES = "DELETE FROM acme_challenges WHERE authz_id IN"
            + " (SELECT id FROM acme_authorizations WHERE order_id = ?)";

    private final Database db;
    private final int batch;

    public AcmePurge(Database db) {
        this(db, BATCH);
    }

    AcmePurge(Database db, int batch) {
        this.db = Objects.requireNonNull(db, "db is null");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive");
        }
        this.batch = batch;
    }

    /**
     * Deletes the orders that expired before {@code expiredBefore} and hold no certificate (whatever their status),
     * and their authorizations and challenges.
     *
     * @return the number of orders deleted
     */
    public int purge(Instant expiredBefore) {
        int total = 0;
        while (true) {
            int n = purgeBatch(expiredBefore);
            total += n;
            if (n < batch) {
                return total;
            }
        }
    }

    private int purgeBatch(Instant expiredBefore) {
        return db.inTransaction(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM acme_orders WHERE expires_at < ?"
                    + " AND cert_serial IS NULL ORDER BY expires_at LIMIT ?")) {
                s.setTimestamp(1, Timestamp.from(expiredBefore));
                s.setInt(2, batch);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement challenges = c.prepareStatement(DELETE_CHALLENGES);
                    PreparedStatement authorizations = c.prepareStatement(
                            "DELETE FROM acme_authorizations WHERE order_id = ?");
                    PreparedStatement orders = c.prepareStatement("DELETE FROM acme_orders WHERE id = ?"
                            + " AND cert_serial IS NULL")) {
                for (PreparedStatement s : List.of(challenges, authorizations, orders)) {
                    for (String id : ids) {
                        s.setString(1, id);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
            }
            return ids.size();
        });
    }
}
