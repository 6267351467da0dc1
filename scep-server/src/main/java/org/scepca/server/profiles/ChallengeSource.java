package org.scepca.server.profiles;

/** Where the challenge password in a profile comes from. */
public enum ChallengeSource {
    /**
     * The preset decides: generic gets a one-time challenge; jamf the configured static challenge (Jamf pushes one
     * profile to many devices); intune the static challenge when one is configured, else a one-time challenge.
     */
    AUTO,
    /** A challenge minted for this profile: it enrolls exactly one device, within its lifetime. */
    ONE_TIME,
    /** The static challenge configured as {@code scep.static-challenge}; refused when none is configured. */
    STATIC,
    /** Jamf Pro fetches a challenge per device from a webhook; the profile carries none (jamf preset only). */
    DYNAMIC
}
