package org.scepca.ca.policy;

import java.util.OptionalInt;

/**
 * Characters that have no business in a certificate name and that make text lie when shown: C0 and C1 controls and
 * DEL (Unicode category Cc: they split log lines and terminal output), format characters (Cf: the bidi embeddings,
 * overrides and isolates U+202A–U+202E and U+2066–U+2069, zero-width U+200B–U+200F, U+FEFF, U+061C, soft hyphen,
 * tag characters: they reorder or hide what a reader sees, CVE-2021-42574 "Trojan Source"), line and paragraph
 * separators (Zl, Zp) and lone surrogates (Cs). The policy refuses them in subjects and SANs; the audit log escapes
 * them.
 */
public final class UnsafeText {
    private UnsafeText() {
    }

    public static boolean isUnsafe(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** The first unsafe code point in {@code s}, if any. */
    public static OptionalInt firstUnsafe(String s) {
        return s.codePoints().filter(UnsafeText::isUnsafe).findFirst();
    }

    /** "U+202E", for messages that must not contain the character itself. */
    public static String describe(int codePoint) {
        return String.format("U+%04X", codePoint);
    }
}
