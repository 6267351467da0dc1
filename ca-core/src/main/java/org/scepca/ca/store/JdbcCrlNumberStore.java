package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;

/** {@link CrlNumberStore} over JDBC: increment under the row lock, insert on first use. */
public final class JdbcCrlNumberStore implements CrlNumberStore {
    private final Database db;

    public JdbcCrlNumberStore(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    @Override
    public BigInteger next(String issuerKeyId) {
        return db.inDurableTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE crl_numbers SET crl_number = crl_number + 1 WHERE issuer_key_id = ?")) {
                up.setString(1, issuerKeyId);
                if (up.executeUpdate() == 0) {
                    try (PreparedStatement ins = c.prepareStatement(
                            "INSERT INTO crl_numbers (issuer_key_id, crl_number) VALUES (?, 1)")) {
                        ins.setString(1, issuerKeyId);
                        ins.executeUpdate();
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT crl_number FROM crl_numbers WHERE issuer_key_id = ?")) {
                q.setString(1, issuerKeyId);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return BigInteger.valueOf(rs.getLong(1));
                }
            }
        });
    }
}
