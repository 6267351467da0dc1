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

    /**
     * Accepts RFC 5280's name in any case, with or without dashes or underscores between the words: keyCompromise,
     * keycompromise, key-compromise, KEY_COMPROMISE. Output always uses {@link #rfcName()}.
     */
    public static RevocationReason parse(String text) {
        String norm = text.strip().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.rfcName().toLowerCase(Locale.ROOT).equals(norm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown revocation reason '" + text + "'; one of "
                        + String.join(", ", Arrays.stream(values()).map(RevocationReason::rfcName).toList())));
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
