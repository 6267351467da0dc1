package org.scepca.ca.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A search of the audit trail, newest first. Every given field must match exactly (serial as lower-case hex; actor
 * either exactly or as the name after its kind, {@code alice} for {@code token:alice}; device in any case).
 *
 * @param from   events at or after this instant
 * @param to     events before this instant
 * @param cursor the id of the last event of the previous page
 */
public record AuditQuery(Optional<String> serial, Optional<String> device, Optional<String> actor,
        Optional<String> outcome, Optional<String> op, Optional<Instant> from, Optional<Instant> to,
        Optional<String> cursor, int limit) {
    public static final int MAX_LIMIT = 500;

    public AuditQuery {
        Objects.requireNonNull(serial, "serial is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(actor, "actor is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(op, "op is null");
        Objects.requireNonNull(from, "from is null");
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(cursor, "cursor is null");
        serial = serial.map(AuditEvent::normalSerial);
        if (cursor.isPresent() && !AuditIds.isId(cursor.get())) {
            throw new IllegalArgumentException("cursor is not an audit event id");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }

    public static AuditQuery latest(int limit) {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), limit);
    }

    public AuditQuery withSerial(String s) {
        return new AuditQuery(Optional.of(s), device, actor, outcome, op, from, to, cursor, limit);
    }

    public AuditQuery withCursor(String c) {
        return new AuditQuery(serial, device, actor, outcome, op, from, to, Optional.of(c), limit);
    }
}
