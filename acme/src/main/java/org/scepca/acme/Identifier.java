package org.scepca.acme;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An ACME identifier (RFC 8555 section 7.1.3/9.7.7): {@code dns} names (validated by http-01 and dns-01) and
 * {@code permanent-identifier} (draft-acme-device-attest: a device's serial number or UDID, validated by
 * device-attest-01). DNS names are kept in lower case (section 7.1.4 compares them case-insensitively).
 */
public record Identifier(String type, String value) {
    public static final String DNS = "dns";
    public static final String PERMANENT = "permanent-identifier";

    public Identifier {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(value, "value is null");
        if (type.equals(DNS)) {
            value = value.toLowerCase(Locale.ROOT);
        }
    }

    public boolean isDns() {
        return type.equals(DNS);
    }

    /** A wildcard dns name ({@code *.example.org}): only dns-01 can validate it (section 8.4, 7.1.3). */
    public boolean isWildcard() {
        return isDns() && value.startsWith("*.");
    }

    /** The authorization's identifier: a wildcard's base name, with {@code wildcard: true} beside it (7.1.4). */
    public Identifier base() {
        return isWildcard() ? new Identifier(type, value.substring(2)) : this;
    }

    public Map<String, Object> toJson() {
        return Map.of("type", type, "value", value);
    }
}
