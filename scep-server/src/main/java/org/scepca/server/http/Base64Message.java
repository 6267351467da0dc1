package org.scepca.server.http;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Optional;

/**
 * Decodes the base64 {@code message} of a GET PKIOperation, tolerating what real clients send (SCEP-NOTES):
 * unescaped '+' and '/', '+' that arrived as a space, the URL-safe alphabet, line breaks, missing padding.
 * Works on the raw query string so a literal '+' is never mistaken for a space.
 */
final class Base64Message {
    private Base64Message() {
    }

    /** The raw (still percent-encoded) value of {@code name} in a query string. */
    static Optional<String> rawParameter(String query, String name) {
        if (query == null) {
            return Optional.empty();
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            if (key.equalsIgnoreCase(name)) {
                return Optional.of(eq < 0 ? "" : part.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    static byte[] decode(String raw) {
        String text = percentDecode(raw);
        StringBuilder sb = new StringBuilder(text.length() + 3);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case ' ' -> sb.append('+');   // '+' decoded as space by a proxy or client (iOS 11)
                case '-' -> sb.append('+');   // URL-safe alphabet
                case '_' -> sb.append('/');
                case '\r', '\n', '\t' -> { }  // wrapped base64
                case '=' -> { }               // padding is re-added below
                default -> sb.append(c);
            }
        }
        while (sb.length() % 4 != 0) {
            sb.append('=');
        }
        return Base64.getDecoder().decode(sb.toString());
    }

    /** Percent-decoding for short parameters; a malformed escape yields the raw text (it then matches nothing). */
    static String percentDecodeSafe(String s) {
        try {
            return percentDecode(s);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Percent-decoding that leaves '+' alone (RFC 3986 query, not HTML form encoding). */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("bad percent-encoding");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent-encoding");
                }
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
