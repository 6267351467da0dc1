package org.scepca.ca.events;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.StoreEvents;

/**
 * The write side of the transactional outbox ({@code event_outbox}): {@link #enqueue} inserts an event with the
 * connection of the transaction that makes the change, so the event commits with it or not at all, and is as durable
 * as the change (an acknowledged issuance's event survives SIGKILL). Nothing here reaches the network: delivery is the
 * {@link WebhookDispatcher}'s, later and on its own thread.
 *
 * <p>Given to {@code JdbcCertificateStore} as its {@link StoreEvents}: issuances, renewals, revocations, and the
 * revocation of a certificate superseded by its renewal are queued in their own transactions.
 */
public final class EventOutbox implements StoreEvents {
    private final Set<CaEvent.Type> types;

    /** @param types the event types to queue; others are dropped here, before any row is written */
    public EventOutbox(Set<CaEvent.Type> types) {
        Objects.requireNonNull(types, "types is null");
        this.types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    }

    public boolean wants(CaEvent.Type type) {
        return types.contains(type);
    }

    /**
     * Queues {@code e} in the caller's transaction (a no-op for a type not configured). Throws what the insert throws:
     * the caller's transaction then rolls back, as for any other row of it.
     */
    public void enqueue(Connection c, CaEvent e) throws SQLException {
        Objects.requireNonNull(c, "c is null");
        Objects.requireNonNull(e, "e is null");
        if (!wants(e.type())) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_outbox (id, event_type, payload, created_at,"
                + " attempts, next_attempt_at) VALUES (?,?,?,?,0,?)")) {
            OffsetDateTime at = OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
            ps.setString(1, e.id().toString());
            ps.setString(2, e.type().wireName());
            ps.setString(3, EventJson.render(e));
            ps.setObject(4, at);
            ps.setObject(5, at);
            ps.executeUpdate();
        }
    }

    @Override
    public void issued(Connection c, CertificateRecord certificate, Optional<BigInteger> renews) throws SQLException {
        if (wants(renews.isPresent() ? CaEvent.Type.RENEWED : CaEvent.Type.ISSUED)) {
            enqueue(c, CaEvent.issued(certificate, renews));
        }
    }

    @Override
    public void revoked(Connection c, CertificateRecord certificate, Optional<String> actor) throws SQLException {
        if (wants(CaEvent.Type.REVOKED)) {
            enqueue(c, CaEvent.revoked(certificate, actor));
        }
    }
}
