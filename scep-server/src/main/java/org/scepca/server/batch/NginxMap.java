package org.scepca.server.batch;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.Page;

/**
 * An nginx {@code map} of the active certificates, for per-device authorization behind {@code ssl_verify_client}:
 *
 * <pre>
 * map $ssl_client_serial $scepca_device { default ""; 0A1B... "CN=iPad-17"; }
 * if ($scepca_device = "") { return 403; }
 * </pre>
 *
 * <p>Keys match nginx's variables exactly. {@code $ssl_client_serial} is OpenSSL's {@code i2a_ASN1_INTEGER}: the
 * serial's magnitude bytes (no DER sign byte), two upper-case hex digits each, leading zero nibble kept ({@code 0A},
 * not {@code A}). {@code $ssl_client_s_dn} (nginx 1.11.6+) is RFC 2253, last RDN first, which is what the store
 * keeps; a subject with characters OpenSSL escapes differently from Java (non-ASCII, leading {@code #}) is left out
 * with a warning, so serials are the safer key.
 *
 * <p>Nothing from a certificate can become a directive: keys and values are double-quoted with {@code \} and
 * {@code "} escaped (RFC 2253's own escapes, {@code \;}, stay as OpenSSL prints them); a subject with a control character, {@code $} (nginx would expand a variable in a value) or a
 * leading {@code ~} (a regex key) is left out; values are the subject reduced to a safe alphabet.
 */
public final class NginxMap {
    /** What the map is keyed by. */
    public enum Key {
        SERIAL("$ssl_client_serial"), SUBJECT("$ssl_client_s_dn");

        private final String variable;

        Key(String variable) {
            this.variable = variable;
        }

        public String variable() {
            return variable;
        }
    }

    /** The map and the certificates left out of it, with why. */
    public record Rendered(String text, int entries, List<String> skipped) {
        public Rendered {
            Objects.requireNonNull(text, "text is null");
            skipped = List.copyOf(skipped);
        }
    }

    private static final int PAGE = 1000;
    private static final int MAX_VALUE = 128;

    private NginxMap() {
    }

    /** {@code $ssl_client_serial} of a certificate with this serial number. */
    public static String nginxSerial(BigInteger serial) {
        if (serial.signum() < 0) {
            throw new IllegalArgumentException("serial is negative");
        }
        byte[] b = serial.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length); // the DER sign byte; OpenSSL keeps the magnitude only
        }
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    /** Every active certificate's entry, oldest cursor page first, as one {@code map} block. */
    public static Rendered render(CertificateStore store, Instant now, Key key, String variable) {
        if (!variable.matches("\\$[a-z_][a-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("variable must look like $scepca_device: " + variable);
        }
        List<String> lines = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        CertificateQuery q = new CertificateQuery(CertificateQuery.State.ACTIVE, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), PAGE);
        while (true) {
            Page<CertificateRecord> page = store.list(q, now);
            for (CertificateRecord r : page.items()) {
                if (r.profile() != CertificateProfile.CLIENT && r.profile() != CertificateProfile.CLIENT_PKCS12) {
                    continue; // device certificates only: not the CA's server, admin or profile-signing ones
                }
                String k = key == Key.SERIAL ? nginxSerial(r.serial()) : r.subjectDn();
                Optional<String> why = unsafe(k);
                if (why.isPresent()) {
                    skipped.add(r.serialHex() + ": " + why.get());
                    continue;
                }
                lines.add("    " + quote(k) + " " + quote(value(r.subjectDn())) + ";");
            }
            if (page.nextCursor().isEmpty()) {
                break;
            }
            q = q.withCursor(page.nextCursor().get());
        }
        lines.sort(null); // stable output: an unchanged set of certificates writes the same bytes
        StringBuilder b = new StringBuilder();
        b.append("# scepca nginx-map: active certificates by ").append(key.name().toLowerCase(Locale.ROOT))
                .append(" (").append(lines.size()).append("). Generated; do not edit.\n");
        b.append("map ").append(key.variable()).append(' ').append(variable).append(" {\n");
        b.append("    default \"\";\n");
        lines.forEach(l -> b.append(l).append('\n'));
        b.append("}\n");
        return new Rendered(b.toString(), lines.size(), skipped);
    }

    private static Optional<String> unsafe(String key) {
        if (key.isEmpty()) {
            return Optional.of("empty subject");
        }
        if (key.codePoints().anyMatch(cp -> cp < 0x20 || cp == 0x7f || cp > 0x7e)) {
            return Optional.of("subject has a control or non-ASCII character (use --by serial)");
        }
        if (key.contains("$") || key.startsWith("~") || key.startsWith("#")) {
            return Optional.of("subject has $ or a leading ~ or # (use --by serial)");
        }
        return Optional.empty();
    }

    /** The map's value: the subject in a safe alphabet, for logs ({@code log_format ... $scepca_device}). */
    private static String value(String subject) {
        StringBuilder b = new StringBuilder();
        subject.codePoints().limit(MAX_VALUE).forEach(cp -> b.append(
                cp < 128 && (Character.isLetterOrDigit(cp) || " .,=@:_+-/".indexOf(cp) >= 0) ? (char) cp : '_'));
        return b.isEmpty() ? "device" : b.toString();
    }

    /** An nginx double-quoted string: {@code \} and {@code "} escaped (callers keep control characters out). */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
