package org.scepca.profiles;

/** Text checks shared by the option records. */
final class Strings {

  private Strings() {}

  /**
   * True when the text holds a character that has no place in a one-line plist string. XML 1.0
   * cannot carry most C0 controls at all, and dd-plist silently drops them, so a value would reach
   * the device different from what the admin typed; refusing is clearer.
   */
  static boolean hasControlCharacter(String text) {
    return hasControlCharacter(text, false);
  }

  /** Like {@link #hasControlCharacter(String)}, but tab and line breaks are fine (descriptions). */
  static boolean hasControlCharacterExceptNewlines(String text) {
    return hasControlCharacter(text, true);
  }

  private static boolean hasControlCharacter(String text, boolean allowNewlines) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean newline = c == '\n' || c == '\r' || c == '\t';
      if (newline && allowNewlines) {
        continue;
      }
      if (c < 0x20 || c == 0x7f || c == 0xfffe || c == 0xffff) {
        return true;
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
        if (!paired) {
          return true;
        }
        i++;
      }
    }
    return false;
  }

  /** Returns the text, or throws naming the option when it is blank or holds control characters. */
  static String requireLine(String option, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidProfileOptionException(option + " must not be empty");
    }
    if (hasControlCharacter(text)) {
      throw new InvalidProfileOptionException(option + " contains a control character");
    }
    return text;
  }
}
