package org.scepca.ca.tokens;

import java.util.Arrays;
import java.util.Locale;

/** What an admin identity may do: a viewer reads, an admin also changes (revoke, approve, mint challenges). */
public enum AdminRole {
    VIEWER, ADMIN;

    /** True if this role includes everything {@code required} allows. */
    public boolean includes(AdminRole required) {
        return compareTo(required) >= 0;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AdminRole parse(String text) {
        String norm = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.name().equals(norm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("role must be admin or viewer, not '" + text + "'"));
    }
}
