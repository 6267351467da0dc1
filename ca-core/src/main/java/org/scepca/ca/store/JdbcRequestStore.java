package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link RequestStore} over JDBC. The transaction id is the primary key: a racing duplicate fails to insert. */
public final class JdbcRequestStore implements RequestStore {
    private final Database db;

    public JdbcRequestStore(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    @Override
    public Optional<RequestRecord> find(String transactionId) {
        Optional<RequestRecord> found = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM requests WHERE transaction_id = ?")) {
                ps.setString(1, transactionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
        if (found.isPresent()) {
            db.awaitDurable(); // the caller may answer from it: never from a commit that a crash could still undo
        }
        return found;
    }

    @Override
    public void insertPending(RequestRecord r, Optional<String> consumeChallengeHash) {
        db.inDurableTransaction(c -> {
            if (consumeChallengeHash.isPresent() && !JdbcChallengeStore.consume(c, consumeChallengeHash.get(), r.createdAt())) {
                throw new ConflictException(ConflictException.What.CHALLENGE_UNAVAILABLE,
                        "the one-time challenge was used or expired");
            }
            insert(c, r);
            return null;
        });
    }

    static void insert(Connection c, RequestRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO requests (transaction_id, csr_sha256, csr_der,"
                + " subject_dn, status, serial, requester, reason, created_at, updated_at, renews, endpoint, challenge_id)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.transactionId());
            ps.setString(2, r.csrSha256());
            ps.setBytes(3, r.csrDer());
            ps.setString(4, r.subjectDn());
            ps.setString(5, r.status().name());
            ps.setString(6, r.serial().map(s -> s.toString(16)).orElse(null));
            ps.setString(7, r.requester());
            ps.setString(8, r.reason().orElse(null));
            Sql.setInstant(ps, 9, r.createdAt());
            Sql.setInstant(ps, 10, r.updatedAt());
            ps.setString(11, r.renews().map(s -> s.toString(16)).orElse(null));
            ps.setString(12, r.endpoint().orElse(null));
            ps.setString(13, r.challengeId().orElse(null));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                throw new ConflictException(ConflictException.What.TRANSACTION_EXISTS,
                        "transaction " + r.transactionId() + " exists");
            }
            throw e;
        }
    }

    /** Records an issued transaction: moves a PENDING row to ISSUED, or inserts a new ISSUED row. */
    static void upsertIssued(Connection c, RequestRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE requests SET status = 'ISSUED', serial = ?, updated_at = ?"
                + " WHERE transaction_id = ? AND status = 'PENDING' AND csr_sha256 = ?")) {
            ps.setString(1, r.serial().orElseThrow().toString(16));
            Sql.setInstant(ps, 2, r.updatedAt());
            ps.setString(3, r.transactionId());
            ps.setString(4, r.csrSha256());
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        insert(c, r);
    }

    /**
     * Deletes a finished transaction only if it is still exactly {@code seen} (same CSR, same result, same signer):
     * a renewal taking over the id must not delete what a concurrent request recorded meanwhile.
     */
    static boolean deleteExactly(Connection c, RequestRecord seen) throws SQLException {
        if (seen.status() == RequestStatus.PENDING) {
            throw new IllegalArgumentException("a pending transaction is not replaced");
        }
        StringBuilder sql = new StringBuilder("DELETE FROM requests WHERE transaction_id = ? AND csr_sha256 = ?"
                + " AND status = ?");
        List<String> args = new ArrayList<>(List.of(seen.transactionId(), seen.csrSha256(), seen.status().name()));
        sql.append(seen.serial().isPresent() ? " AND serial = ?" : " AND serial IS NULL");
        seen.serial().ifPresent(s -> args.add(s.toString(16)));
        sql.append(seen.renews().isPresent() ? " AND renews = ?" : " AND renews IS NULL");
        seen.renews().ifPresent(s -> args.add(s.toString(16)));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The newest transactions first, of one status or all (parameters: the status if filtered, the limit). Indexes
     * requests_status_newest_idx and requests_newest_idx (V16) hold the rows in this order; the filtered ORDER BY starts
     * with status, which the WHERE fixes, because H2 reads an index in order only when the ORDER BY starts with its
     * first column.
     */
    static String listSql(boolean byStatus) {
        return byStatus ? "SELECT * FROM requests WHERE status = ? ORDER BY status, created_at DESC, transaction_id LIMIT ?"
                : "SELECT * FROM requests ORDER BY created_at DESC, transaction_id LIMIT ?";
    }

    @Override
    public List<RequestRecord> list(Optional<RequestStatus> status, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql(status.isPresent()))) {
                int i = 1;
                if (status.isPresent()) {
                    ps.setString(i++, status.get().name());
                }
                ps.setInt(i, limit);
                List<RequestRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long count(RequestStatus status) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM requests WHERE status = ?")) {
                ps.setString(1, status.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean reject(String transactionId, String reason, Instant at) {
        return db.inDurableTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE requests SET status = 'REJECTED', reason = ?,"
                    + " updated_at = ? WHERE transaction_id = ? AND status = 'PENDING'")) {
                ps.setString(1, reason);
                Sql.setInstant(ps, 2, at);
                ps.setString(3, transactionId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static RequestRecord read(ResultSet rs) throws SQLException {
        String serial = rs.getString("serial");
        return new RequestRecord(rs.getString("transaction_id"), rs.getString("csr_sha256"), rs.getBytes("csr_der"),
                rs.getString("subject_dn"), RequestStatus.valueOf(rs.getString("status")),
                Optional.ofNullable(serial).map(s -> new BigInteger(s, 16)), rs.getString("requester"),
                Optional.ofNullable(rs.getString("reason")), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"),
                Optional.ofNullable(rs.getString("renews")).map(s -> new BigInteger(s, 16)),
                Optional.ofNullable(rs.getString("endpoint")), Optional.ofNullable(rs.getString("challenge_id")));
    }
}
