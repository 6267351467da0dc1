package org.scepca.ca.store;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The CRLs in force, kept in the database so that every replica serves the same one (issue 13), and their numbers.
 *
 * <p>A CRL is numbered, built and stored in one durable transaction that first locks the {@code crl} row of
 * {@code db_locks}: builds are serialized across every process on the database (replicas, the CLI), a number is used
 * once, and since the revoked entries are read after the lock is taken, a CRL with a higher number was built from a
 * later view of the store and holds every revocation a lower one holds.
 */
public final class CrlStore {
    private final Database db;

    public CrlStore(Database db) {
        this.db = Objects.requireNonNull(db, "db is null");
    }

    /** A stored CRL. */
    public record Stored(BigInteger number, Instant thisUpdate, Instant nextUpdate, byte[] der) {
        public Stored {
            Objects.requireNonNull(number, "number is null");
            Objects.requireNonNull(der, "der is null");
        }
    }

    /** Builds the DER of a CRL with the number given (it is signed while the lock is held). */
    @FunctionalInterface
    public interface Builder {
        Stored build(BigInteger number);
    }

    /** The CRL in force for the CA whose key id is {@code issuerKeyId}, if one was ever stored. */
    public Optional<Stored> latest(String issuerKeyId) {
        return db.inTransaction(c -> latest(c, issuerKeyId));
    }

    /** The number of the CRL in force (a primary-key look-up: what a replica asks before serving its copy). */
    public Optional<BigInteger> latestNumber(String issuerKeyId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT crl_number FROM crls WHERE issuer_key_id = ?")) {
                ps.setString(1, issuerKeyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(BigInteger.valueOf(rs.getLong(1))) : Optional.<BigInteger>empty();
                }
            }
        });
    }

    /**
     * Under the lock: if {@code needed} says so of the CRL in force (empty when there is none), takes the next number,
     * builds the CRL and stores it; returns what is in force afterwards. Durable before it returns.
     */
    public Stored publish(String issuerKeyId, Predicate<Optional<Stored>> needed, Builder builder) {
        return publish(issuerKeyId, () -> BigInteger.ZERO, needed, builder);
    }

    /**
     * As {@link #publish(String, Predicate, Builder)}, with a number above {@code published}: the highest CRL number of
     * this CA already published outside the store (the CRL files on disk). A store restored from an older backup, or a
     * root CRL signed elsewhere and copied in, would otherwise give a number relying parties have already seen with
     * other contents (RFC 5280 §5.2.3: monotonically increasing), and the files, replaced only by a higher number, would
     * keep the older CRL. Asked under the lock, and only when a number is taken.
     */
    public Stored publish(String issuerKeyId, java.util.function.Supplier<BigInteger> published,
            Predicate<Optional<Stored>> needed, Builder builder) {
        return db.inDurableTransaction(c -> {
            lock(c, "crl");
            Optional<Stored> before = latest(c, issuerKeyId);
            if (before.isPresent() && !needed.test(before)) {
                return before.get();
            }
            if (before.isEmpty() && !needed.test(before)) {
                throw new IllegalStateException("no CRL stored for " + issuerKeyId);
            }
            long number = nextNumber(c, issuerKeyId, published.get());
            Stored built = builder.build(BigInteger.valueOf(number));
            if (!built.number().equals(BigInteger.valueOf(number))) {
                throw new IllegalStateException("the CRL was built with number " + built.number() + ", not " + number);
            }
            String sql = before.isPresent()
                    ? "UPDATE crls SET crl_number = ?, this_update = ?, next_update = ?, der = ? WHERE issuer_key_id = ?"
                    : "INSERT INTO crls (crl_number, this_update, next_update, der, issuer_key_id) VALUES (?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, number);
                Sql.setInstant(ps, 2, built.thisUpdate());
                Sql.setInstant(ps, 3, built.nextUpdate());
                ps.setBytes(4, built.der());
                ps.setString(5, issuerKeyId);
                ps.executeUpdate();
            }
            return built;
        });
    }

    /** Locks a {@code db_locks} row until the transaction ends: mutual exclusion across every process on the database. */
    static void lock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM db_locks WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no lock row '" + name + "' (schema older than V8?)");
                }
            }
        }
    }

    private static Optional<Stored> latest(Connection c, String issuerKeyId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT crl_number, this_update, next_update, der FROM crls WHERE issuer_key_id = ?")) {
            ps.setString(1, issuerKeyId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Stored(BigInteger.valueOf(rs.getLong(1)), Sql.instant(rs, "this_update"),
                        Sql.instant(rs, "next_update"), rs.getBytes(4))) : Optional.empty();
            }
        }
    }

    /**
     * The next CRL number of a CA, above {@code published} too (its row is created on first use; the lock makes that
     * safe).
     */
    private static long nextNumber(Connection c, String issuerKeyId, BigInteger published) throws SQLException {
        if (published.compareTo(BigInteger.valueOf(Long.MAX_VALUE - 1)) > 0) {
            throw new IllegalStateException("a CRL of this CA numbered " + published + " is published already: above"
                    + " what the store numbers (" + Long.MAX_VALUE + ")");
        }
        long atLeast = Math.max(1, published.longValueExact() + 1);
        Optional<Long> current;
        try (PreparedStatement q = c.prepareStatement("SELECT crl_number FROM crl_numbers WHERE issuer_key_id = ?")) {
            q.setString(1, issuerKeyId);
            try (ResultSet rs = q.executeQuery()) {
                current = rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
        long next = Math.max(atLeast, current.map(n -> n + 1).orElse(1L));
        try (PreparedStatement ps = c.prepareStatement(current.isPresent()
                ? "UPDATE crl_numbers SET crl_number = ? WHERE issuer_key_id = ?"
                : "INSERT INTO crl_numbers (crl_number, issuer_key_id) VALUES (?, ?)")) {
            ps.setLong(1, next);
            ps.setString(2, issuerKeyId);
            ps.executeUpdate();
        }
        return next;
    }
}
