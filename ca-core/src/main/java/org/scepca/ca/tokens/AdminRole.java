package org.scepca.ca.tokens;

import java.util.Arrays;
import java.util.Locale;

/**
 * What an admin identity may do: a viewer reads, an admin also changes (revoke, approve, mint challenges). An enroller
 * may only mint one-time challenges: the token an MDM (Jamf Pro's SCEPChallenge webhook) holds, which must not be
 * able to read or revoke the fleet's certificates.
 */
public enum AdminRole {
    VIEWER, ADMIN, ENROLLER;

    /** True if this role includes everything {@code required} allows. */
    public boolean includes(AdminRole required) {
        return this == required || this == ADMIN;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AdminRole parse(String text) {
        String norm = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.name().equals(norm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("role must be admin, viewer or enroller, not '" + text + "'"));
    }
}
