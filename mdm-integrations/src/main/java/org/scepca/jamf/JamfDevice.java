package org.scepca.jamf;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of Jamf Pro's inventory, as far as the CA needs it: what kind, Jamf's id, and the identifiers a
 * certificate record may carry (the hardware serial number and the UDID, the values of Jamf's {@code $SERIALNUMBER}
 * and {@code $UDID}). Identifiers are kept as Jamf sends them; {@link #normalize} is how they are compared.
 */
public record JamfDevice(Kind kind, String id, Optional<String> serialNumber, Optional<String> udid) {
    public enum Kind { COMPUTER, MOBILE_DEVICE }

    public JamfDevice {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(serialNumber, "serialNumber is null");
        Objects.requireNonNull(udid, "udid is null");
        serialNumber = serialNumber.map(String::strip).filter(s -> !s.isEmpty());
        udid = udid.map(String::strip).filter(s -> !s.isEmpty());
    }

    /**
     * How device identifiers are compared: trimmed and upper-cased. Apple serial numbers are upper case; UDIDs are
     * hex, and Jamf, the device and the profile variable do not always agree on the case of the letters.
     */
    public static String normalize(String identifier) {
        return identifier.strip().toUpperCase(Locale.ROOT);
    }
}
