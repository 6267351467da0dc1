package org.scepca.ca.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.scepca.ca.policy.UnsafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit line: {@code key=value} pairs separated by single spaces, in the order they were added. No requester byte
 * can split a line or forge a field: a value is written bare only if it consists of {@code [A-Za-z0-9._:@/+,=-]};
 * anything else, and every free-text field (subject, reason, actor, ...), is in double quotes with {@code \} and
 * {@code "} backslash-escaped and every control, format (bidi, zero-width), line/paragraph separator or lone
 * surrogate character written as {@code \}{@code uXXXX}. Values are cut at {@value #MAX_VALUE} characters.
 * {@link #parse} reads a line back.
 *
 * <p>Every event line carries {@code txid endpoint subject device serial outcome actor} ("-" when not applicable),
 * whichever process (server or CLI) writes it.
 *
 * <p>{@link #log()} writes the line to the logger, the primary trail, and hands it to the process's
 * {@link AuditSinks} (the database's searchable copy, {@code audit_events}), which must not block.
 */
public final class AuditLine {
    public static final String LOGGER = "scepca.audit";
    static final int MAX_VALUE = 512;
    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9._:@/+,=-]+");

    private final StringBuilder line = new StringBuilder(160);
    /** The values as given (before quoting and cutting), for the sinks' columns. */
    private final Map<String, String> fields = new LinkedHashMap<>();

    private AuditLine(String op) {
        token("op", op);
    }

    public static AuditLine op(String op) {
        return new AuditLine(op);
    }

    /** A value that is usually a token (ids, serials, outcomes): bare when safe, quoted otherwise. */
    public AuditLine token(String key, Object value) {
        String v = value == null ? "-" : value.toString();
        fields.put(key, v);
        return append(key, BARE.matcher(v).matches() && v.length() <= MAX_VALUE ? v : quote(v));
    }

    /** Free text (names, reasons, actors): always quoted, so its shape never depends on what a requester sent. */
    public AuditLine text(String key, String value) {
        fields.put(key, value == null || value.isEmpty() ? "-" : value);
        return append(key, value == null || value.isEmpty() ? "-" : quote(value));
    }

    private AuditLine append(String key, String rendered) {
        Objects.requireNonNull(key, "key is null");
        if (!line.isEmpty()) {
            line.append(' ');
        }
        line.append(key).append('=').append(rendered);
        return this;
    }

    @Override
    public String toString() {
        return line.toString();
    }

    /**
     * Writes the line to the {@value #LOGGER} logger (as an argument, never as a format string), then offers it to
     * the registered {@link AuditSinks} (which queue it and never block the caller).
     */
    public void log() {
        AUDIT.info("{}", line);
        AuditSinks.publish(this);
    }

    /**
     * The value of a field for a column of the searchable trail: as given, with every character that {@link #quote}
     * escapes (control, format, separators, lone surrogates) escaped the same way too, so the stored value is
     * as inert as the line; cut at {@value #MAX_VALUE} characters. Empty for a missing field or "-".
     */
    public java.util.Optional<String> field(String key) {
        String v = fields.get(key);
        if (v == null || v.equals("-")) {
            return java.util.Optional.empty();
        }
        if (v.length() > MAX_VALUE) {
            int end = Character.isHighSurrogate(v.charAt(MAX_VALUE - 1)) ? MAX_VALUE - 1 : MAX_VALUE;
            v = v.substring(0, end) + "…";
        }
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); ) {
            int cp = v.codePointAt(i);
            if (UnsafeText.isUnsafe(cp)) {
                for (char c : Character.toChars(cp)) {
                    b.append(String.format("\\u%04X", (int) c));
                }
            } else {
                b.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return java.util.Optional.of(b.toString());
    }

    /**
     * The endpoint an actor string comes from, by the actors' prefixes: "token:" (admin API token), "basic:" (the
     * HTTP Basic credential of Jamf Pro's webhook), "mtls:" (admin client certificate), "cli" (the command line),
     * "scep:" and "est:" (a device, by protocol), "acme:" (an ACME account).
     */
    public static String endpointOf(String actor) {
        if (actor == null) {
            return "-";
        }
        if (actor.startsWith("token:") || actor.startsWith("basic:")) {
            return "admin-api";
        }
        if (actor.startsWith("mtls:")) {
            return "admin-mtls";
        }
        if (actor.startsWith("cli")) {
            return "cli";
        }
        if (actor.startsWith("scep:")) {
            return "scep";
        }
        if (actor.startsWith("acme:")) {
            return "acme";
        }
        if (actor.startsWith("est:")) {
            return "est";
        }
        return "internal";
    }

    static String quote(String raw) {
        String v = raw;
        boolean cut = false;
        if (v.length() > MAX_VALUE) {
            int end = Character.isHighSurrogate(v.charAt(MAX_VALUE - 1)) ? MAX_VALUE - 1 : MAX_VALUE;
            v = v.substring(0, end);
            cut = true;
        }
        StringBuilder b = new StringBuilder(v.length() + 8).append('"');
        for (int i = 0; i < v.length(); ) {
            int cp = v.codePointAt(i);
            if (cp == '\\' || cp == '"') {
                b.append('\\').append((char) cp);
            } else if (UnsafeText.isUnsafe(cp)) {
                for (char c : Character.toChars(cp)) {
                    b.append(String.format("\\u%04X", (int) c));
                }
            } else {
                b.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (cut) {
            b.append('…');
        }
        return b.append('"').toString();
    }

    /**
     * Reads a line written by this class (the leading timestamp of the file appender, if any, is skipped as a field
     * without '='). Escapes are undone, so a value reads back as it was given (up to the cut).
     *
     * @throws IllegalArgumentException if the line is not well formed
     */
    public static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ') {
                i++;
            }
            if (i >= n || line.charAt(i) == ' ') {
                continue; // a bare word (the timestamp): not a field
            }
            String key = line.substring(start, i++);
            StringBuilder v = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated quoted value for " + key);
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (i >= n) {
                            throw new IllegalArgumentException("dangling escape in " + key);
                        }
                        char e = line.charAt(i++);
                        if (e == 'u') {
                            v.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                            i += 4;
                        } else {
                            v.append(e);
                        }
                    } else {
                        v.append(c);
                    }
                }
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    v.append(line.charAt(i++));
                }
            }
            if (out.putIfAbsent(key, v.toString()) != null) {
                throw new IllegalArgumentException("field " + key + " appears twice");
            }
        }
        return out;
    }
}
