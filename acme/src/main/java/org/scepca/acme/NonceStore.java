package org.scepca.acme;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

import org.scepca.ca.store.Database;

/**
 * Replay nonces (RFC 8555 section 7.2) in the shared database, so that a nonce issued by one replica is accepted by
 * any other, and exactly once: {@link #consume} is a {@code DELETE ... WHERE nonce = ?} whose row count (1 or 0) is
 * the atomic test-and-set, portable to H2 and PostgreSQL. Nonces expire; expired rows are purged on issue.
 */
public final class NonceStore {
    /** 128 random bits, base64url without padding (section 6.5.1 requires base64url). */
    private static final int NONCE_BYTES = 16;

    private final Database db;
    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random;

    public NonceStore(Database db, Clock clock, Duration lifetime, SecureRandom random) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime is null");
        this.random = Objects.requireNonNull(random, "random is null");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("nonce lifetime must be positive");
        }
    }

    /** A fresh nonce, stored before it is handed out (a client may use it on another replica at once). */
    public String issue() {
        byte[] raw = new byte[NONCE_BYTES];
        random.nextBytes(raw);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Timestamp now = Timestamp.from(clock.instant());
        db.inTransaction(c -> {
            try (PreparedStatement purge = c.prepareStatement("DELETE FROM acme_nonces WHERE expires_at < ?");
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO acme_nonces (nonce, expires_at) VALUES (?, ?)")) {
                purge.setTimestamp(1, now);
                purge.executeUpdate();
                insert.setString(1, nonce);
                insert.setTimestamp(2, Timestamp.from(clock.instant().plus(lifetime)));
                insert.executeUpdate();
            }
            return null;
        });
        return nonce;
    }

    /** True once for a nonce we issued that has not expired; false for a replayed, unknown or expired one. */
    public boolean consume(String nonce) {
        if (nonce == null || nonce.isEmpty() || nonce.length() > 64) {
            return false;
        }
        Timestamp now = Timestamp.from(clock.instant());
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM acme_nonces WHERE nonce = ? AND expires_at >= ?")) {
                s.setString(1, nonce);
                s.setTimestamp(2, now);
                return s.executeUpdate() == 1;
            }
        });
    }
}
