package org.scepca.ca.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Credentials every replica must share (the delegated OCSP responder's key and certificate), kept in the database as
 * a PKCS#12 encrypted under the CA passphrase. A replacement is made under the row lock of {@code db_locks}, after
 * checking again that it is still needed, so that of several replicas finding the credential due at once only one
 * makes a new one and the others take it.
 */
public final class SharedCredentials {
    private final Database db;

    public SharedCredentials(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /** A stored credential. */
    public record Entry(String serialHex, Instant notAfter, byte[] pkcs12) {
        public Entry {
            Objects.requireNonNull(serialHex, "serialHex is null");
            Objects.requireNonNull(notAfter, "notAfter is null");
            Objects.requireNonNull(pkcs12, "pkcs12 is null");
        }
    }

    public Optional<Entry> read(String name) {
        return db.inTransaction(c -> find(c, name));
    }

    private static Optional<Entry> find(java.sql.Connection c, String name) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT serial, not_after, pkcs12 FROM shared_credentials WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Entry(rs.getString(1), Sql.instant(rs, "not_after"), rs.getBytes(3)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Under the {@code lockName} lock: when {@code stillNeeded} holds for the stored entry (empty if none), stores the
     * one {@code make} returns. Returns the entry in force afterwards; durable before it returns.
     */
    public Entry replace(String name, String lockName, Predicate<Optional<Entry>> stillNeeded, Supplier<Entry> make) {
        return db.inDurableTransaction(c -> {
            CrlStore.lock(c, lockName);
            Optional<Entry> current = find(c, name);
            if (!stillNeeded.test(current)) {
                return current.orElseThrow();
            }
            Entry fresh = make.get();
            String sql = current.isPresent()
                    ? "UPDATE shared_credentials SET serial = ?, not_after = ?, pkcs12 = ?, updated_at = ? WHERE name = ?"
                    : "INSERT INTO shared_credentials (serial, not_after, pkcs12, updated_at, name) VALUES (?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, fresh.serialHex());
                Sql.setInstant(ps, 2, fresh.notAfter());
                ps.setBytes(3, fresh.pkcs12());
                Sql.setInstant(ps, 4, Instant.now());
                ps.setString(5, name);
                ps.executeUpdate();
            }
            return fresh;
        });
    }
}
