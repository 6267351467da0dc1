package org.scepca.acme;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.IssuanceEffects;

/**
 * Orders, authorizations and challenges (RFC 8555 sections 7.1.3 to 7.1.5) of one endpoint in the shared database.
 * Every state change is a conditional UPDATE (... WHERE status = the expected one) whose row count says who won, so
 * replicas racing on one order (two finalize calls, two validations) cannot both succeed; every change a client is
 * told about is durable first.
 */
public final class OrderStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Status {
        PENDING, READY, PROCESSING, VALID, INVALID, EXPIRED, DEACTIVATED, REVOKED;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Order(String id, String accountId, Status status, List<Identifier> identifiers, Instant expires,
            Optional<String> error, Optional<String> certSerial, List<String> authorizationIds) {
        public Order {
            identifiers = List.copyOf(identifiers);
            authorizationIds = List.copyOf(authorizationIds);
        }
    }

    public record Authorization(String id, String orderId, String accountId, Identifier identifier, boolean wildcard,
            Status status, Instant expires, Optional<String> boundKey, Optional<String> note,
            List<Challenge> challenges) {
        public Authorization {
            challenges = List.copyOf(challenges);
        }
    }

    public record Challenge(String id, String authzId, String type, String token, Status status,
            Optional<Instant> validated, Optional<String> error, Optional<Instant> leaseUntil,
            Optional<String> response) {
    }

    private final Database db;
    private final String endpoint;
    private final Clock clock;
    private final SecureRandom random;

    public OrderStore(Database db, String endpoint, Clock clock, SecureRandom random) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /** 128 random bits, base64url: ids and (with 256 bits) tokens that cannot be guessed. */
    static String randomId(SecureRandom random, int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /**
     * A new order with one pending authorization per identifier and, in each, one pending challenge per type.
     *
     * @param challengeTypes per identifier (in order), the challenge types offered
     */
    public Order create(String accountId, List<Identifier> identifiers, List<List<String>> challengeTypes,
            Duration lifetime) {
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String orderId = randomId(random, 16);
        List<String> authzIds = new ArrayList<>();
        db.inDurableTransaction(c -> {
            try (PreparedStatement o = c.prepareStatement("INSERT INTO acme_orders (id, account_id, endpoint, status,"
                    + " identifiers, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement a = c.prepareStatement("INSERT INTO acme_authorizations (id, order_id, account_id,"
                            + " identifier_type, identifier_value, status, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement ch = c.prepareStatement("INSERT INTO acme_challenges (id, authz_id, type, token,"
                            + " status) VALUES (?, ?, ?, ?, ?)")) {
                o.setString(1, orderId);
                o.setString(2, accountId);
                o.setString(3, endpoint);
                o.setString(4, Status.PENDING.name());
                o.setString(5, JSON.writeValueAsString(identifiers.stream().map(Identifier::toJson).toList()));
                o.setTimestamp(6, Timestamp.from(expires));
                o.setTimestamp(7, Timestamp.from(now));
                o.executeUpdate();
                for (int i = 0; i < identifiers.size(); i++) {
                    String authzId = randomId(random, 16);
                    authzIds.add(authzId);
                    a.setString(1, authzId);
                    a.setString(2, orderId);
                    a.setString(3, accountId);
                    a.setString(4, identifiers.get(i).type());
                    a.setString(5, identifiers.get(i).value());
                    a.setString(6, Status.PENDING.name());
                    a.setTimestamp(7, Timestamp.from(expires));
                    a.executeUpdate();
                    for (String type : challengeTypes.get(i)) {
                        ch.setString(1, randomId(random, 16));
                        ch.setString(2, authzId);
                        ch.setString(3, type);
                        ch.setString(4, randomId(random, 32)); // section 8.1: at least 128 bits of entropy
                        ch.setString(5, Status.PENDING.name());
                        ch.executeUpdate();
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        return new Order(orderId, accountId, Status.PENDING, identifiers, expires, Optional.empty(), Optional.empty(),
                authzIds);
    }

    public Optional<Order> order(String id) {
        return db.inTransaction(c -> order(c, id));
    }

    /** The order that issued a certificate (revocation by account, download). */
    public Optional<Order> orderOfCertificate(String serialHex) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id FROM acme_orders WHERE cert_serial = ? AND endpoint = ?")) {
                s.setString(1, serialHex);
                s.setString(2, endpoint);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? order(c, rs.getString(1)) : Optional.<Order>empty();
                }
            }
        });
    }

    /**
     * The query behind {@link #orderIds}: index {@code acme_orders_account_newest} (V16) holds the rows in this order.
     * The ORDER BY names the index's leading columns although the WHERE fixes them: H2 reads an index in order only when
     * the ORDER BY starts with the index's first column (else it sorts all the account's orders).
     */
    static final String LIST_ORDERS = "SELECT id FROM acme_orders WHERE account_id = ? AND endpoint = ?"
            + " ORDER BY account_id, endpoint, created_at DESC, id LIMIT ?";

    /** An account's orders, newest first, at most {@code limit} (section 7.1.2.1). */
    public List<String> orderIds(String accountId, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(LIST_ORDERS)) {
                s.setString(1, accountId);
                s.setString(2, endpoint);
                s.setInt(3, limit);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    public Optional<Authorization> authorization(String id) {
        return db.inTransaction(c -> authorization(c, id));
    }

    /** A challenge with its authorization. */
    public Optional<Authorization> authorizationOfChallenge(String challengeId) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT authz_id FROM acme_challenges WHERE id = ?")) {
                s.setString(1, challengeId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? authorization(c, rs.getString(1)) : Optional.<Authorization>empty();
                }
            }
        });
    }

    /**
     * The statement behind {@link #startValidation}. The authorization is looked up by its key (correlated EXISTS):
     * written as {@code authz_id IN (SELECT id FROM acme_authorizations WHERE status = 'PENDING')}, H2 read every pending
     * authorization of every account on each challenge response, and orders nobody finishes stay pending.
     */
    static final String START_VALIDATION = "UPDATE acme_challenges SET status = ?, response = ?, lease_until = ?"
            + " WHERE id = ? AND status = ? AND EXISTS (SELECT 1 FROM acme_authorizations a"
            + " WHERE a.id = acme_challenges.authz_id AND a.status = ?)";

    /**
     * The client asked for validation (section 7.5.1): pending becomes processing, with the client's response and a
     * lease, only while the authorization is pending. False if another request got there first.
     */
    public boolean startValidation(String challengeId, String response, Instant leaseUntil) {
        return db.inDurableTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(START_VALIDATION)) {
                s.setString(1, Status.PROCESSING.name());
                s.setString(2, response);
                s.setTimestamp(3, Timestamp.from(leaseUntil));
                s.setString(4, challengeId);
                s.setString(5, Status.PENDING.name());
                s.setString(6, Status.PENDING.name());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** Takes over a validation whose lease ran out (its replica died or its queue was full). */
    public boolean takeOver(String challengeId, Instant now, Instant leaseUntil) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_challenges SET lease_until = ? WHERE id = ?"
                    + " AND status = ? AND lease_until < ?")) {
                s.setTimestamp(1, Timestamp.from(leaseUntil));
                s.setString(2, challengeId);
                s.setString(3, Status.PROCESSING.name());
                s.setTimestamp(4, Timestamp.from(now));
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * Stores a validation's outcome, durably and in one transaction: the challenge, its authorization (section
     * 7.1.6: valid with one valid challenge, invalid with an invalid one) and the order (ready once all its
     * authorizations are valid, invalid as soon as one is invalid).
     *
     * @param error the problem document (JSON) when invalid
     * @return false if the challenge was no longer processing (another replica finished it)
     */
    public boolean finishValidation(String challengeId, Optional<String> error, Optional<String> boundKey,
            Optional<String> note) {
        Instant now = clock.instant();
        Status outcome = error.isEmpty() ? Status.VALID : Status.INVALID;
        return db.inDurableTransaction(c -> {
            String authzId;
            try (PreparedStatement s = c.prepareStatement("SELECT authz_id FROM acme_challenges WHERE id = ?")) {
                s.setString(1, challengeId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    authzId = rs.getString(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_challenges SET status = ?, validated_at = ?,"
                    + " error = ?, lease_until = NULL WHERE id = ? AND status = ?")) {
                s.setString(1, outcome.name());
                s.setTimestamp(2, error.isEmpty() ? Timestamp.from(now) : null);
                s.setString(3, error.orElse(null));
                s.setString(4, challengeId);
                s.setString(5, Status.PROCESSING.name());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            String orderId;
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_authorizations SET status = ?, bound_key = ?,"
                    + " note = ? WHERE id = ? AND status = ?")) {
                s.setString(1, outcome.name());
                s.setString(2, boundKey.orElse(null));
                s.setString(3, note.map(n -> n.length() > 256 ? n.substring(0, 256) : n).orElse(null));
                s.setString(4, authzId);
                s.setString(5, Status.PENDING.name());
                if (s.executeUpdate() != 1) {
                    return true; // the authorization was settled by another challenge; this one's result stands alone
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT order_id FROM acme_authorizations WHERE id = ?")) {
                s.setString(1, authzId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    orderId = rs.getString(1);
                }
            }
            if (outcome == Status.INVALID) {
                setOrder(c, orderId, Status.PENDING, Status.INVALID, error, Optional.empty());
            } else {
                try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM acme_authorizations WHERE"
                        + " order_id = ? AND status <> ?")) {
                    s.setString(1, orderId);
                    s.setString(2, Status.VALID.name());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            setOrder(c, orderId, Status.PENDING, Status.READY, Optional.empty(), Optional.empty());
                        }
                    }
                }
            }
            return true;
        });
    }

    /**
     * ready -> valid with the certificate, as the last step of the transaction that stores it (section 7.4): the
     * certificate and the order's update commit together, so no crash leaves a stored certificate behind an order
     * that never names it, nor an order stuck between the two. Of two finalize calls racing on one order, the one
     * that commits second finds the order valid and its issuance rolls back ({@link ConflictException}).
     */
    public static IssuanceEffects.Step becomesValid(String orderId) {
        return (c, cert) -> {
            if (!setOrder(c, orderId, Status.READY, Status.VALID, Optional.empty(), Optional.of(cert.serialHex()))) {
                throw new ConflictException(ConflictException.What.NOT_PENDING, "the order was finalized meanwhile");
            }
        };
    }

    /** ready -> invalid with the problem (a finalize that issued nothing); false if the order was no longer ready. */
    public boolean fail(String orderId, String problemJson) {
        return db.inDurableTransaction(c -> setOrder(c, orderId, Status.READY, Status.INVALID, Optional.of(problemJson),
                Optional.empty()));
    }

    /** Deactivates an authorization (section 7.5.2); its order can no longer become ready. */
    public boolean deactivate(String authzId) {
        return db.inDurableTransaction(c -> {
            String orderId;
            try (PreparedStatement s = c.prepareStatement("SELECT order_id FROM acme_authorizations WHERE id = ?"
                    + " AND status IN (?, ?)")) {
                s.setString(1, authzId);
                s.setString(2, Status.PENDING.name());
                s.setString(3, Status.VALID.name());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    orderId = rs.getString(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_authorizations SET status = ? WHERE id = ?")) {
                s.setString(1, Status.DEACTIVATED.name());
                s.setString(2, authzId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_orders SET status = ? WHERE id = ? AND status"
                    + " IN (?, ?)")) {
                s.setString(1, Status.INVALID.name());
                s.setString(2, orderId);
                s.setString(3, Status.PENDING.name());
                s.setString(4, Status.READY.name());
                s.executeUpdate();
            }
            return true;
        });
    }

    private static boolean setOrder(Connection c, String orderId, Status from, Status to, Optional<String> error,
            Optional<String> serial) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE acme_orders SET status = ?, error = ?, cert_serial = ?"
                + " WHERE id = ? AND status = ?")) {
            s.setString(1, to.name());
            s.setString(2, error.orElse(null));
            s.setString(3, serial.orElse(null));
            s.setString(4, orderId);
            s.setString(5, from.name());
            return s.executeUpdate() == 1;
        }
    }

    private Optional<Order> order(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT account_id, status, identifiers, expires_at, error,"
                + " cert_serial FROM acme_orders WHERE id = ? AND endpoint = ?")) {
            s.setString(1, id);
            s.setString(2, endpoint);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<Map<String, String>> ids = JSON.readValue(rs.getString(3), new TypeReference<>() { });
                List<String> authz = new ArrayList<>();
                try (PreparedStatement a = c.prepareStatement(
                        "SELECT id FROM acme_authorizations WHERE order_id = ? ORDER BY identifier_value, id")) {
                    a.setString(1, id);
                    try (ResultSet ars = a.executeQuery()) {
                        while (ars.next()) {
                            authz.add(ars.getString(1));
                        }
                    }
                }
                return Optional.of(new Order(id, rs.getString(1), Status.valueOf(rs.getString(2)),
                        ids.stream().map(m -> new Identifier(m.get("type"), m.get("value"))).toList(),
                        rs.getTimestamp(4).toInstant(), Optional.ofNullable(rs.getString(5)),
                        Optional.ofNullable(rs.getString(6)), authz));
            } catch (IOException e) {
                throw new SQLException("stored order identifiers do not parse", e);
            }
        }
    }

    private Optional<Authorization> authorization(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT a.order_id, a.account_id, a.identifier_type,"
                + " a.identifier_value, a.status, a.expires_at, a.bound_key, a.note FROM acme_authorizations a JOIN"
                + " acme_orders o ON o.id = a.order_id WHERE a.id = ? AND o.endpoint = ?")) {
            s.setString(1, id);
            s.setString(2, endpoint);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Identifier identifier = new Identifier(rs.getString(3), rs.getString(4));
                List<Challenge> challenges = new ArrayList<>();
                try (PreparedStatement ch = c.prepareStatement("SELECT id, type, token, status, validated_at, error,"
                        + " lease_until, response FROM acme_challenges WHERE authz_id = ? ORDER BY type, id")) {
                    ch.setString(1, id);
                    try (ResultSet crs = ch.executeQuery()) {
                        while (crs.next()) {
                            challenges.add(new Challenge(crs.getString(1), id, crs.getString(2), crs.getString(3),
                                    Status.valueOf(crs.getString(4)), instant(crs.getTimestamp(5)),
                                    Optional.ofNullable(crs.getString(6)), instant(crs.getTimestamp(7)),
                                    Optional.ofNullable(crs.getString(8))));
                        }
                    }
                }
                return Optional.of(new Authorization(id, rs.getString(1), rs.getString(2), identifier.base(),
                        identifier.isWildcard(), Status.valueOf(rs.getString(5)), rs.getTimestamp(6).toInstant(),
                        Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8)), challenges));
            }
        }
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
