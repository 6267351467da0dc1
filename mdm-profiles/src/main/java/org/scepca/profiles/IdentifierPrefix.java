package org.scepca.profiles;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The reverse-DNS prefix of every {@code PayloadIdentifier} in a profile ({@code <prefix>.scep.<preset>}). A device
 * keeps one profile per identifier: installing a profile whose identifier it already has replaces the installed one.
 * Two CAs that share a prefix (staging and production) therefore replace each other's profiles on a device.
 *
 * @param value labels of letters, digits and inner hyphens, at least two, joined by dots (e.g. {@code
 *     com.example.staging}), at most {@value #MAX_LENGTH} characters
 */
public record IdentifierPrefix(String value) {

  /** Leaves room for {@code .scep.<preset>.intermediate} within what MDM consoles display. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern REVERSE_DNS =
      Pattern.compile(
          "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");

  /** Hex digits of the root's SHA-256 in {@link #forRoot}: 40 bits, so two CAs collide with odds of 1 in 10^12. */
  private static final int ROOT_HEX_DIGITS = 10;

  /** The prefix of this project's identifiers before it was configurable (after the pattern: static order). */
  public static final IdentifierPrefix LEGACY = new IdentifierPrefix("org.scepca");

  public IdentifierPrefix {
    if (value == null || !isValid(value)) {
      throw new InvalidProfileOptionException(
          "identifierPrefix must be reverse-DNS like com.example.staging (letters, digits, inner hyphens, at"
              + " least two labels, at most "
              + MAX_LENGTH
              + " characters): "
              + shown(value));
    }
  }

  /** The value for an error message: never a control character, never a screenful. */
  private static String shown(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() > MAX_LENGTH || Strings.hasControlCharacter(value)) {
      return "(" + value.length() + " characters)";
    }
    return value;
  }

  /** Whether {@code value} would be accepted, without an exception. */
  public static boolean isValid(String value) {
    return value != null && value.length() <= MAX_LENGTH && REVERSE_DNS.matcher(value).matches();
  }

  /**
   * A prefix that differs per CA: {@code org.scepca.ca-<first 10 hex digits of the root's SHA-256>}. Every CA has its
   * own root (it is made at {@code init}), an intermediate rollover keeps it, and it is already what a device trusts:
   * so staging and production differ without configuration, while one CA's profiles keep their identifier for its
   * whole life.
   */
  public static IdentifierPrefix forRoot(X509Certificate root) {
    Objects.requireNonNull(root, "root is null");
    byte[] digest = Certificates.digest("SHA-256", root);
    String hex = HexFormat.of().formatHex(digest).substring(0, ROOT_HEX_DIGITS);
    return new IdentifierPrefix(LEGACY.value() + ".ca-" + hex);
  }

  @Override
  public String toString() {
    return value;
  }
}
