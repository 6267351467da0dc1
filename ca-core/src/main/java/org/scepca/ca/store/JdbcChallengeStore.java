package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.policy.NameBinding;

/** {@link ChallengeStore} over JDBC. Consumption is one conditional UPDATE: two racing uses cannot both win. */
public final class JdbcChallengeStore implements ChallengeStore {
    private final Database db;

    public JdbcChallengeStore(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    @Override
    public void insert(ChallengeRecord r) {
        db.inDurableTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO challenges (id, secret_sha256, created_at,"
                    + " expires_at, consumed_at, note, subject_pattern, san_patterns, endpoint, source, device_serial, device_udid)"
                    + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, r.id());
                ps.setString(2, r.secretSha256());
                Sql.setInstant(ps, 3, r.createdAt());
                Sql.setInstant(ps, 4, r.expiresAt());
                Sql.setInstant(ps, 5, r.consumedAt().orElse(null));
                ps.setString(6, r.note().orElse(null));
                ps.setString(7, r.binding().flatMap(NameBinding::subject).orElse(null));
                ps.setString(8, r.binding().map(b -> b.sans().isEmpty() ? null : String.join("\n", b.sans())).orElse(null));
                ps.setString(9, r.origin().endpoint());
                ps.setString(10, r.origin().source().name());
                ps.setString(11, r.origin().deviceSerial().orElse(null));
                ps.setString(12, r.origin().deviceUdid().orElse(null));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<ChallengeRecord> findBySecretHash(String hash) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM challenges WHERE secret_sha256 = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<ChallengeRecord> findById(String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM challenges WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ChallengeRecord> listActive(Instant now, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM challenges WHERE consumed_at IS NULL"
                    + " AND expires_at > ? ORDER BY created_at DESC, id LIMIT ?")) {
                Sql.setInstant(ps, 1, now);
                ps.setInt(2, limit);
                List<ChallengeRecord> out = new ArrayList<>();
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
    public long countActive(Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM challenges WHERE consumed_at IS NULL"
                    + " AND expires_at > ?")) {
                Sql.setInstant(ps, 1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean delete(String id) {
        return db.inDurableTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM challenges WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean consume(String hash, Instant now) {
        return db.inDurableTransaction(c -> consume(c, hash, now));
    }

    static boolean consume(Connection c, String hash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE challenges SET consumed_at = ? WHERE secret_sha256 = ?"
                + " AND consumed_at IS NULL AND expires_at > ?")) {
            Sql.setInstant(ps, 1, now);
            ps.setString(2, hash);
            Sql.setInstant(ps, 3, now);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public int purge(Instant cutoff) {
        // In batches: one short transaction each. A single transaction over a whole fleet's expired challenges would
        // hold its undo log for as long as it runs, and H2 has been seen unable to reopen a store killed in the
        // middle of a very large transaction.
        int total = 0;
        while (true) {
            int n = db.inDurableTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM challenges WHERE id IN (SELECT id FROM"
                        + " challenges WHERE expires_at < ? OR consumed_at < ? LIMIT " + PURGE_BATCH + ")")) {
                    Sql.setInstant(ps, 1, cutoff);
                    Sql.setInstant(ps, 2, cutoff);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < PURGE_BATCH) {
                return total;
            }
        }
    }

    private static final int PURGE_BATCH = 1000;

    private static ChallengeRecord read(ResultSet rs) throws SQLException {
        return new ChallengeRecord(rs.getString("id"), rs.getString("secret_sha256"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "expires_at"), Sql.optionalInstant(rs, "consumed_at"),
                Optional.ofNullable(rs.getString("note")), binding(rs.getString("subject_pattern"),
                        rs.getString("san_patterns")), new ChallengeOrigin(rs.getString("endpoint"),
                        ChallengeOrigin.Source.valueOf(rs.getString("source")),
                        Optional.ofNullable(rs.getString("device_serial")), Optional.ofNullable(rs.getString("device_udid"))));
    }

    private static Optional<NameBinding> binding(String subject, String sans) {
        return NameBinding.of(Optional.ofNullable(subject), sans == null ? List.of() : List.of(sans.split("\n")));
    }
}
