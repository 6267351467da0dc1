package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code Subject} of a SCEP payload: an ordered list of RDNs, each a list of (type, value)
 * attributes.
 *
 * <p>Apple wants exactly three levels of nesting, {@code [[["CN","x"]],[["O","y"]]]}: the Subject
 * array holds one array per RDN, which holds one two-element array per attribute. iOS rejects the
 * profile when a level is missing, which is why this is a typed value and not a string passed
 * through.
 *
 * <p>The RDNs stay in the order written: {@code CN=$SERIALNUMBER,O=Example} becomes {@code
 * [[["CN","$SERIALNUMBER"]],[["O","Example"]]]}, the same order Apple's own example and the Jamf
 * Pro UI use. Values may hold MDM variables ({@code $UDID}, {@code {{DeviceId}}}); they are not
 * interpreted here.
 *
 * @param rdns the RDNs in order; each holds one attribute, or several for a multi-valued RDN
 */
public record SubjectTemplate(List<List<Attribute>> rdns) {

  /** Apple accepts these short names as they are; they are kept so the profile stays readable. */
  private static final List<String> APPLE_SHORT_NAMES = List.of("C", "L", "ST", "O", "OU", "CN");

  /** Other common keywords, written as dotted OIDs because Apple does not know their names. */
  private static final Map<String, String> KEYWORD_OIDS =
      Map.of(
          "E", "1.2.840.113549.1.9.1",
          "EMAILADDRESS", "1.2.840.113549.1.9.1",
          "SERIALNUMBER", "2.5.4.5",
          "UID", "0.9.2342.19200300.100.1.1",
          "DC", "0.9.2342.19200300.100.1.25",
          "STREET", "2.5.4.9",
          "TITLE", "2.5.4.12");

  private static final Pattern DOTTED_OID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");

  public SubjectTemplate {
    Objects.requireNonNull(rdns, "rdns is null");
    if (rdns.isEmpty()) {
      throw new InvalidProfileOptionException("subject must have at least one RDN");
    }
    List<List<Attribute>> copy = new ArrayList<>(rdns.size());
    for (List<Attribute> rdn : rdns) {
      Objects.requireNonNull(rdn, "rdn is null");
      if (rdn.isEmpty()) {
        throw new InvalidProfileOptionException("subject RDN must have at least one attribute");
      }
      copy.add(List.copyOf(rdn));
    }
    rdns = List.copyOf(copy);
  }

  /** One attribute of an RDN: a type (Apple short name or dotted OID) and its value. */
  public record Attribute(String type, String value) {
    public Attribute {
      Objects.requireNonNull(type, "type is null");
      Objects.requireNonNull(value, "value is null");
      type = canonicalType(type);
      if (type == null) {
        throw new InvalidProfileOptionException(
            "subject attribute type must be one of "
                + String.join(", ", APPLE_SHORT_NAMES)
                + ", "
                + String.join(", ", KEYWORD_OIDS.keySet().stream().sorted().toList())
                + " or a dotted OID: "
                + type);
      }
      if (value.isBlank()) {
        throw new InvalidProfileOptionException(
            "subject attribute " + type + " has an empty value");
      }
      if (Strings.hasControlCharacter(value)) {
        throw new InvalidProfileOptionException(
            "subject attribute " + type + " contains a control character");
      }
    }
  }

  /** A subject with one attribute per RDN, in the order given: {@code of("CN", "x", "O", "y")}. */
  public static SubjectTemplate of(String... typeValuePairs) {
    if (typeValuePairs.length == 0 || typeValuePairs.length % 2 != 0) {
      throw new IllegalArgumentException("typeValuePairs must be non-empty type/value pairs");
    }
    List<List<Attribute>> rdns = new ArrayList<>();
    for (int i = 0; i < typeValuePairs.length; i += 2) {
      rdns.add(List.of(new Attribute(typeValuePairs[i], typeValuePairs[i + 1])));
    }
    return new SubjectTemplate(rdns);
  }

  /**
   * Parses a template such as {@code CN=$SERIALNUMBER,O=Example}. RDNs are separated by {@code ,},
   * attributes of a multi-valued RDN by {@code +}; a backslash escapes the next character (so
   * {@code O=Example\, Inc.} keeps its comma). Whitespace around types and values is trimmed.
   *
   * @throws InvalidProfileOptionException naming the template when it is malformed
   */
  public static SubjectTemplate parse(String template) {
    Objects.requireNonNull(template, "template is null");
    try {
      return parseChecked(template);
    } catch (InvalidProfileOptionException e) {
      throw new InvalidProfileOptionException(
          "malformed subject template \"" + template + "\": " + e.getMessage());
    }
  }

  private static SubjectTemplate parseChecked(String template) {
    if (template.isBlank()) {
      throw new InvalidProfileOptionException("it is empty");
    }
    List<List<Attribute>> rdns = new ArrayList<>();
    for (String rdnText : splitUnescaped(template, ',')) {
      List<Attribute> rdn = new ArrayList<>();
      for (String attributeText : splitUnescaped(rdnText, '+')) {
        int equals = indexOfUnescaped(attributeText, '=');
        if (equals < 0) {
          throw new InvalidProfileOptionException(
              "component \"" + attributeText.trim() + "\" is not TYPE=value");
        }
        String type = unescape(attributeText.substring(0, equals)).trim();
        String value = unescape(attributeText.substring(equals + 1)).trim();
        if (type.isEmpty()) {
          throw new InvalidProfileOptionException(
              "component \"" + attributeText.trim() + "\" has no type");
        }
        rdn.add(new Attribute(type, value));
      }
      rdns.add(rdn);
    }
    return new SubjectTemplate(rdns);
  }

  /** The SCEP payload form: array of RDNs, each an array of [type, value] arrays. */
  NSArray toPlist() {
    NSArray subject = new NSArray(rdns.size());
    for (int i = 0; i < rdns.size(); i++) {
      List<Attribute> rdn = rdns.get(i);
      NSArray rdnArray = new NSArray(rdn.size());
      for (int j = 0; j < rdn.size(); j++) {
        Attribute attribute = rdn.get(j);
        rdnArray.setValue(
            j, new NSArray(new NSString(attribute.type()), new NSString(attribute.value())));
      }
      subject.setValue(i, rdnArray);
    }
    return subject;
  }

  /** The template form that {@link #parse} reads back to an equal value. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (List<Attribute> rdn : rdns) {
      if (text.length() > 0) {
        text.append(',');
      }
      for (int j = 0; j < rdn.size(); j++) {
        if (j > 0) {
          text.append('+');
        }
        text.append(rdn.get(j).type()).append('=').append(escape(rdn.get(j).value()));
      }
    }
    return text.toString();
  }

  private static String canonicalType(String type) {
    String trimmed = type.trim();
    String upper = trimmed.toUpperCase(Locale.ROOT);
    if (APPLE_SHORT_NAMES.contains(upper)) {
      return upper;
    }
    if (KEYWORD_OIDS.containsKey(upper)) {
      return KEYWORD_OIDS.get(upper);
    }
    if (DOTTED_OID.matcher(trimmed).matches()) {
      return trimmed;
    }
    return null;
  }

  private static List<String> splitUnescaped(String text, char separator) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        if (i + 1 == text.length()) {
          throw new InvalidProfileOptionException("it ends with a lone backslash");
        }
        i++;
      } else if (c == separator) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    for (String part : parts) {
      if (part.isBlank()) {
        throw new InvalidProfileOptionException("it has an empty component");
      }
    }
    return parts;
  }

  private static int indexOfUnescaped(String text, char wanted) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        out.append(text.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' || c == '+' || c == '=' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
