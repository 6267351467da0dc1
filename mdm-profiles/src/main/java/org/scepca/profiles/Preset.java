package org.scepca.profiles;

import java.util.Locale;

/**
 * Who will deliver the profile, which decides the defaults for Subject, SubjectAltName and how the
 * challenge reaches the device.
 */
public enum Preset {
  /** Manual install or any MDM: the caller puts a (one-time or static) challenge in the profile. */
  GENERIC("generic"),
  /**
   * Jamf Pro: Jamf payload variables ({@code $SERIALNUMBER}, {@code $UDID}, ...) in Subject and
   * SubjectAltName, which Jamf substitutes per device when it pushes the profile; static or dynamic
   * challenge.
   */
  JAMF("jamf"),
  /**
   * Microsoft Intune: Intune builds its own SCEP profile, so the main output is the trusted root
   * and an {@link IntuneSheet}; the {@code .mobileconfig} is for upload as a custom profile.
   */
  INTUNE("intune");

  private final String id;

  Preset(String id) {
    this.id = id;
  }

  /** The lowercase name used in configuration files, command lines and payload identifiers. */
  public String id() {
    return id;
  }

  /** Parses {@code generic}, {@code jamf} or {@code intune} (case-insensitive). */
  public static Preset fromId(String id) {
    if (id != null) {
      String wanted = id.trim().toLowerCase(Locale.ROOT);
      for (Preset preset : values()) {
        if (preset.id.equals(wanted)) {
          return preset;
        }
      }
    }
    throw new InvalidProfileOptionException("preset must be one of generic, jamf, intune: " + id);
  }
}
