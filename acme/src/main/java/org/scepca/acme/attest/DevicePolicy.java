package org.scepca.acme.attest;

import java.util.Locale;
import java.util.Objects;

import org.scepca.acme.AcmeProblem;

/**
 * Which attested devices an ACME endpoint lets enroll: every device Apple attests ({@code any}), or only those on
 * the endpoint's {@link DeviceAllowList} ({@code allow-list}). Applied after the attestation is verified, to the
 * serial number and UDID Apple attested (not to what the client claimed), so a listed UDID admits the device whose
 * order named its serial number, and the other way round.
 */
public enum DevicePolicy {
    ANY("any"),
    ALLOW_LIST("allow-list");

    private final String id;

    DevicePolicy(String id) {
        this.id = id;
    }

    /** The configuration value: {@code any} or {@code allow-list}. */
    public String id() {
        return id;
    }

    /** Parses a configuration value; {@link IllegalArgumentException} naming the accepted values otherwise. */
    public static DevicePolicy parse(String value) {
        Objects.requireNonNull(value, "value is null");
        for (DevicePolicy p : values()) {
            if (p.id.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("device policy must be \"any\" or \"allow-list\", not \"" + value + "\"");
    }

    /**
     * Refuses ({@code rejectedIdentifier}) a verified device that this policy does not let enroll at
     * {@code endpoint}.
     */
    public void requireAdmitted(String endpoint, AttestedDevice device, DeviceAllowList allowList) {
        Objects.requireNonNull(device, "device is null");
        if (this == ANY) {
            return;
        }
        Objects.requireNonNull(allowList, "allowList is null");
        if (!allowList.containsAny(endpoint, device.identities())) {
            throw new AcmeProblem(AcmeProblem.Type.REJECTED_IDENTIFIER,
                    "this device is not on the endpoint's list of devices allowed to enroll");
        }
    }
}
