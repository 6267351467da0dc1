package org.scepca.ca.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.tokens.AdminRole;

/** {@link TokenStore} over JDBC. */
public final class JdbcTokenStore implements TokenStore {
    private final Database db;

    public JdbcTokenStore(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    @Override
    public void insert(TokenRecord r) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_tokens (id, name, role, token_sha256,"
                    + " created_at, revoked_at, last_used_at) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, r.id());
                ps.setString(2, r.name());
                ps.setString(3, r.role().name());
                ps.setString(4, r.tokenSha256());
                Sql.setInstant(ps, 5, r.createdAt());
                Sql.setInstant(ps, 6, r.revokedAt().orElse(null));
                Sql.setInstant(ps, 7, r.lastUsedAt().orElse(null));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<TokenRecord> findByHash(String tokenSha256) {
        return findOne("SELECT * FROM admin_tokens WHERE token_sha256 = ?", tokenSha256);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
        return findOne("SELECT * FROM admin_tokens WHERE id = ?", id);
    }

    private Optional<TokenRecord> findOne(String sql, String arg) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<TokenRecord> list() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM admin_tokens ORDER BY created_at DESC, id");
                    ResultSet rs = ps.executeQuery()) {
                List<TokenRecord> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(read(rs));
                }
                return out;
            }
        });
    }

    @Override
    public boolean revoke(String id, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE admin_tokens SET revoked_at = ? WHERE id = ?"
                    + " AND revoked_at IS NULL")) {
                Sql.setInstant(ps, 1, at);
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void touch(String id, Instant at) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE admin_tokens SET last_used_at = ? WHERE id = ?")) {
                Sql.setInstant(ps, 1, at);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static TokenRecord read(ResultSet rs) throws SQLException {
        return new TokenRecord(rs.getString("id"), rs.getString("name"), AdminRole.valueOf(rs.getString("role")),
                rs.getString("token_sha256"), Sql.instant(rs, "created_at"), Sql.optionalInstant(rs, "revoked_at"),
                Sql.optionalInstant(rs, "last_used_at"));
    }
}
