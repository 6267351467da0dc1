package org.scepca.profiles;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough JSON for the {@link IntuneSheet}: ordered objects, arrays, strings, integers and
 * booleans, pretty-printed. This module must not pull in Jackson for one small document; the only
 * part that needs care is string escaping, done per RFC 8259 section 7.
 */
final class Json {

  private Json() {}

  /**
   * Writes a value built from {@link Map} (insertion order kept), {@link List}, String, Number,
   * Boolean.
   */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.append('\n').toString();
  }

  /** A JSON string literal, quotes included. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // Controls must be escaped; U+2028/U+2029 too, so the text is also safe inside
          // JavaScript.
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void write(StringBuilder out, Object value, int level) {
    if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        indent(out, level + 1);
        out.append(quote(String.valueOf(entry.getKey()))).append(": ");
        write(out, entry.getValue(), level + 1);
        out.append(++i < map.size() ? ",\n" : "\n");
      }
      indent(out, level);
      out.append('}');
    } else if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < list.size(); i++) {
        indent(out, level + 1);
        write(out, list.get(i), level + 1);
        out.append(i + 1 < list.size() ? ",\n" : "\n");
      }
      indent(out, level);
      out.append(']');
    } else if (value instanceof String text) {
      out.append(quote(text));
    } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      out.append(value);
    } else {
      throw new IllegalArgumentException(
          "unsupported JSON value type: " + (value == null ? "null" : value.getClass().getName()));
    }
  }

  private static void indent(StringBuilder out, int level) {
    out.append("  ".repeat(level));
  }
}
