package org.scepca.ca.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of the searchable audit trail: the line's common fields (empty where the line has "-") and the whole line.
 *
 * @param id time-ordered and unique across processes (see {@link AuditIds})
 */
public record AuditEvent(String id, Instant at, String op, Optional<String> txid, Optional<String> endpoint,
        Optional<String> subject, Optional<String> device, Optional<String> serial, Optional<String> outcome,
        Optional<String> actor, String line) {
    public AuditEvent {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(at, "at is null");
        Objects.requireNonNull(op, "op is null");
        Objects.requireNonNull(txid, "txid is null");
        Objects.requireNonNull(endpoint, "endpoint is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(serial, "serial is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(actor, "actor is null");
        Objects.requireNonNull(line, "line is null");
    }

    /** The event for {@code line}, logged at {@code at}. */
    public static AuditEvent of(AuditLine line, Instant at, String id) {
        return new AuditEvent(id, at, line.field("op").orElse("-"), line.field("txid"), line.field("endpoint"),
                line.field("subject"), line.field("device"), line.field("serial").map(AuditEvent::normalSerial),
                line.field("outcome"), line.field("actor"), line.toString());
    }

    /** Serials are searched as lower-case hex without colons (the spelling of the CLI and the API). */
    public static String normalSerial(String s) {
        String v = s.strip().replace(":", "").toLowerCase(java.util.Locale.ROOT);
        return v.startsWith("0x") ? v.substring(2) : v;
    }
}
