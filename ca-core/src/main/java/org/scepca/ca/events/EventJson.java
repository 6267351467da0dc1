package org.scepca.ca.events;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON body of a webhook (schema version 1, docs/webhooks.md). Every field is always present, null or empty where
 * it does not apply, in a fixed order: receivers with strict schemas see one shape. Built as a tree here rather than
 * by annotating {@link CaEvent}: the wire format is this class's business, not the domain record's.
 */
final class EventJson {
    static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    static String render(CaEvent e) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("schemaVersion", SCHEMA_VERSION);
        o.put("id", e.id().toString());
        o.put("type", e.type().wireName());
        o.put("occurredAt", e.occurredAt().toString());
        text(o, "serial", e.serial());
        text(o, "subject", e.subject());
        ArrayNode sans = o.putArray("sans");
        e.sans().forEach(sans::add);
        text(o, "notAfter", e.notAfter().map(Instant::toString));
        text(o, "renews", e.renews());
        text(o, "transactionId", e.transactionId());
        text(o, "endpoint", e.endpoint());
        ObjectNode device = o.putObject("device");
        e.device().forEach(device::put);
        text(o, "actor", e.actor());
        text(o, "reason", e.reason());
        text(o, "failInfo", e.failInfo());
        if (e.thresholdDays().isPresent()) {
            o.put("thresholdDays", e.thresholdDays().get());
        } else {
            o.putNull("thresholdDays");
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot render an event", ex); // a tree of strings always renders
        }
    }

    private static void text(ObjectNode o, String name, Optional<String> value) {
        if (value.isPresent()) {
            o.put(name, value.get());
        } else {
            o.putNull(name);
        }
    }
}
