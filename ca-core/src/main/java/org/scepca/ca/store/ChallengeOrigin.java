package org.scepca.ca.store;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a one-time challenge may be used and what it was minted for.
 *
 * @param endpoint     the enrollment endpoint it is good for ({@value #DEFAULT_ENDPOINT} is {@code /scep})
 * @param source       who minted it: an operator (CLI, API, console) or Jamf Pro's SCEPChallenge webhook
 * @param deviceSerial the device serial number the minting event named (upper-case), if any
 * @param deviceUdid   the device UDID the minting event named (upper-case), if any
 */
public record ChallengeOrigin(String endpoint, Source source, Optional<String> deviceSerial, Optional<String> deviceUdid) {
    public static final String DEFAULT_ENDPOINT = "default";
    /** Endpoint names: they appear in URLs (/scep/NAME), configuration keys and audit lines. */
    public static final Pattern ENDPOINT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    /** Device serial numbers and UDIDs as Apple and the MDMs write them (UDIDs: 40 hex, or 8-4-4-4-12 / 8-16 with dashes). */
    public static final Pattern DEVICE_ID = Pattern.compile("[A-Z0-9-]{1,64}");

    public enum Source { ADMIN, JAMF }

    public static final ChallengeOrigin DEFAULT = new ChallengeOrigin(DEFAULT_ENDPOINT, Source.ADMIN, Optional.empty(),
            Optional.empty());

    public ChallengeOrigin {
        Objects.requireNonNull(endpoint, "endpoint is null");
        Objects.requireNonNull(source, "source is null");
        deviceSerial = normalizeDevice(deviceSerial, "deviceSerial");
        deviceUdid = normalizeDevice(deviceUdid, "deviceUdid");
        if (!ENDPOINT_NAME.matcher(endpoint).matches()) {
            throw new IllegalArgumentException("endpoint name must match " + ENDPOINT_NAME.pattern());
        }
    }

    public static ChallengeOrigin admin(String endpoint) {
        return new ChallengeOrigin(endpoint, Source.ADMIN, Optional.empty(), Optional.empty());
    }

    /** Upper-case, validated; blank is absent. */
    public static Optional<String> normalizeDevice(Optional<String> value, String what) {
        Objects.requireNonNull(value, what + " is null");
        Optional<String> v = value.map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.toUpperCase(Locale.ROOT));
        if (v.isPresent() && !DEVICE_ID.matcher(v.get()).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits or dashes");
        }
        return v;
    }
}
