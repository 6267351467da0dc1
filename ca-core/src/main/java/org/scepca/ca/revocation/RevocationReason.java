package org.scepca.ca.revocation;

import java.util.Arrays;
import java.util.Locale;

/** RFC 5280 §5.3.1 CRLReason values that make sense for an end-entity certificate (no CA/AA compromise, no hold). */
public enum RevocationReason {
    UNSPECIFIED(0),
    KEY_COMPROMISE(1),
    AFFILIATION_CHANGED(3),
    SUPERSEDED(4),
    CESSATION_OF_OPERATION(5),
    PRIVILEGE_WITHDRAWN(9);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Accepts the enum name in any case, with dashes or camel case (keyCompromise, key-compromise, KEY_COMPROMISE). */
    public static RevocationReason parse(String text) {
        String norm = text.strip().replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.name().equals(norm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown revocation reason '" + text + "'; one of "
                        + Arrays.toString(values()).toLowerCase(Locale.ROOT)));
    }

    /** RFC 5280 camel-case name, as OpenSSL prints it. */
    public String rfcName() {
        String[] parts = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }
}
