package org.scepca.acme;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import com.nimbusds.jose.jwk.JWK;

import org.scepca.ca.store.Database;

/**
 * ACME accounts of one endpoint (RFC 8555 section 7.3) in the shared database. An account is found by its id (the
 * last segment of its URL, the {@code kid}) and by the RFC 7638 thumbprint of its key, which is unique per endpoint:
 * newAccount with a known key returns the existing account (section 7.3.1). Writes are durable: the 201 that
 * acknowledges an account must survive a crash.
 */
public final class AccountStore implements JwsVerifier.AccountKeys {
    public enum Status { VALID, DEACTIVATED }

    /** @param created false when newAccount found the key's existing account */
    public record Account(String id, JWK key, Status status, Optional<String> contact, boolean created) {
        public Account {
            Objects.requireNonNull(id, "id is null");
            Objects.requireNonNull(key, "key is null");
            Objects.requireNonNull(status, "status is null");
            Objects.requireNonNull(contact, "contact is null");
        }
    }

    private final Database db;
    private final Directory directory;
    private final String endpoint;
    private final Clock clock;
    private final SecureRandom random;

    public AccountStore(Database db, Directory directory, String endpoint, Clock clock, SecureRandom random) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.directory = Objects.requireNonNull(directory, "directory is null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /** The account URL of {@code id}: what clients put in {@code kid}. */
    public String url(String id) {
        return directory.url("acct/" + id);
    }

    /** The key's account, created when there is none (newAccount, section 7.3). */
    public Account findOrCreate(JWK key, Optional<String> contact) {
        JWK pub = key.toPublicJWK();
        String thumbprint = JwsVerifier.thumbprint(pub);
        return db.inDurableTransaction(c -> {
            Optional<Account> existing = byThumbprint(c, thumbprint);
            if (existing.isPresent()) {
                return existing.get();
            }
            String id = OrderStore.randomId(random, 16);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO acme_accounts (id, endpoint, thumbprint, jwk,"
                    + " status, contact, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, endpoint);
                s.setString(3, thumbprint);
                s.setString(4, pub.toJSONString());
                s.setString(5, Status.VALID.name());
                s.setString(6, contact.orElse(null));
                s.setTimestamp(7, Timestamp.from(clock.instant()));
                s.executeUpdate();
            }
            return new Account(id, pub, Status.VALID, contact, true);
        });
    }

    /** The key's account, if any (newAccount with onlyReturnExisting, revocation by account). */
    public Optional<Account> findByKey(JWK key) {
        String thumbprint = JwsVerifier.thumbprint(key);
        return db.inTransaction(c -> byThumbprint(c, thumbprint));
    }

    public Optional<Account> find(String id) {
        return db.inTransaction(c -> query(c, "id", id));
    }

    /** Deactivation (section 7.3.6): final; later requests signed by the account are refused. */
    public boolean deactivate(String id) {
        return db.inDurableTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE acme_accounts SET status = ? WHERE id = ? AND endpoint = ? AND status = ?")) {
                s.setString(1, Status.DEACTIVATED.name());
                s.setString(2, id);
                s.setString(3, endpoint);
                s.setString(4, Status.VALID.name());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** Accounts of this endpoint only; a deactivated one is reported so, and its requests refused (section 7.3.6). */
    @Override
    public Optional<JwsVerifier.AccountKey> keyOf(String accountUrl) {
        return idOf(accountUrl).flatMap(this::find)
                .map(a -> new JwsVerifier.AccountKey(a.key(), a.status() == Status.VALID));
    }

    /** The account id of one of this endpoint's account URLs. */
    public Optional<String> idOf(String accountUrl) {
        String prefix = url("");
        if (accountUrl == null || !accountUrl.startsWith(prefix) || accountUrl.length() == prefix.length()) {
            return Optional.empty();
        }
        return Optional.of(accountUrl.substring(prefix.length()));
    }

    /**
     * Key rollover (section 7.3.5), durable. The thumbprint's uniqueness per endpoint is the database's: a key held
     * by another account (even one taken by a racing replica a moment ago) is refused with that account's id.
     *
     * @return empty when the key changed; the id of the account that holds {@code newKey} otherwise
     */
    public Optional<String> changeKey(String id, JWK oldKey, JWK newKey) {
        JWK pub = newKey.toPublicJWK();
        String thumbprint = JwsVerifier.thumbprint(pub);
        try {
            return db.inDurableTransaction(c -> {
                Optional<Account> holder = byThumbprint(c, thumbprint);
                if (holder.isPresent()) {
                    return Optional.of(holder.get().id());
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE acme_accounts SET jwk = ?, thumbprint = ?"
                        + " WHERE id = ? AND endpoint = ? AND thumbprint = ? AND status = ?")) {
                    s.setString(1, pub.toJSONString());
                    s.setString(2, thumbprint);
                    s.setString(3, id);
                    s.setString(4, endpoint);
                    s.setString(5, JwsVerifier.thumbprint(oldKey));
                    s.setString(6, Status.VALID.name());
                    if (s.executeUpdate() != 1) {
                        throw new AcmeProblem(AcmeProblem.Type.MALFORMED, "the account's key changed meanwhile");
                    }
                }
                return Optional.<String>empty();
            });
        } catch (org.scepca.ca.store.StoreException e) {
            // The unique constraint caught a racing rollover to the same key.
            return findByKey(pub).map(Account::id).or(() -> {
                throw e;
            });
        }
    }

    private Optional<Account> byThumbprint(Connection c, String thumbprint) throws SQLException {
        return query(c, "thumbprint", thumbprint);
    }

    private Optional<Account> query(Connection c, String column, String value) throws SQLException {
        // column is one of two constants above, never input
        try (PreparedStatement s = c.prepareStatement("SELECT id, jwk, status, contact FROM acme_accounts WHERE "
                + column + " = ? AND endpoint = ?")) {
            s.setString(1, value);
            s.setString(2, endpoint);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Account(rs.getString(1), JWK.parse(rs.getString(2)),
                        Status.valueOf(rs.getString(3)), Optional.ofNullable(rs.getString(4)), false));
            } catch (ParseException e) {
                throw new SQLException("stored account key does not parse", e);
            }
        }
    }
}
