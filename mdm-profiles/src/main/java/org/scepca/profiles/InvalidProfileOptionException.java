package org.scepca.profiles;

/**
 * A profile option that cannot produce a profile a device would install and enroll with. The
 * message names the option and the offending value so an admin can fix the configuration without
 * reading code, e.g. {@code url must be http or https: ftp://x}.
 */
public final class InvalidProfileOptionException extends IllegalArgumentException {

  public InvalidProfileOptionException(String message) {
    super(message);
  }
}
