package org.scepca.acme.attest;

import java.util.Objects;

/**
 * The identifier an ACME order names for device-attest-01. Apple devices order a {@code permanent-identifier}
 * (draft-ietf-acme-device-attest section 3.1) whose value is the ACME payload's {@code ClientIdentifier}: the MDM
 * sets it to the device's serial number or UDID ({@code $SERIALNUMBER}, {@code $UDID} in Jamf), and the attestation
 * must prove exactly that device.
 */
public record DeviceIdentifier(String type, String value) {
    public static final String PERMANENT_IDENTIFIER = "permanent-identifier";
    /** Serials are 10 to 12 characters, UDIDs 25 or 40 (older devices) or 36 (UUID form); 64 leaves room. */
    static final int MAX_VALUE = 64;

    public DeviceIdentifier {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(value, "value is null");
    }

    public static DeviceIdentifier permanent(String value) {
        return new DeviceIdentifier(PERMANENT_IDENTIFIER, value);
    }
}
