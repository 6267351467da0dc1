package org.scepca.ca.store;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whom a certificate was issued for, kept beside it so that an operator can find a device's certificates and so
 * that integrations (Intune's revocation requests, the Jamf device sync) can map a device to its certificates.
 *
 * @param endpoint       the enrollment endpoint that issued it; empty for certificates made by the CLI and for those
 *                       issued before endpoints existed (which came through the default endpoint)
 * @param challengeId    the one-time challenge that authorised it, if any
 * @param note           the note of that challenge (who it was minted for)
 * @param deviceSerial   the device serial number the challenge was minted for (Jamf), upper-case
 * @param deviceUdid     the device UDID the challenge was minted for (Jamf), upper-case
 * @param intuneDeviceId Intune's device id, from the {@code IntuneDeviceId://} URI SAN of an Intune-validated
 *                       request, lower-case
 */
public record IssuedFor(Optional<String> endpoint, Optional<String> challengeId, Optional<String> note,
        Optional<String> deviceSerial, Optional<String> deviceUdid, Optional<String> intuneDeviceId) {
    public static final IssuedFor NONE = new IssuedFor(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    /** Intune's SCEP profiles put the device id in a URI SAN: {@code IntuneDeviceId://{{DeviceId}}}. */
    private static final Pattern INTUNE_DEVICE_URI = Pattern.compile("(?i)uri:IntuneDeviceId://([0-9a-f-]{1,64})");

    public IssuedFor {
        Objects.requireNonNull(endpoint, "endpoint is null");
        Objects.requireNonNull(challengeId, "challengeId is null");
        note = Objects.requireNonNull(note, "note is null").map(n -> n.length() > 256 ? n.substring(0, 256) : n);
        deviceSerial = ChallengeOrigin.normalizeDevice(deviceSerial, "deviceSerial");
        deviceUdid = ChallengeOrigin.normalizeDevice(deviceUdid, "deviceUdid");
        intuneDeviceId = Objects.requireNonNull(intuneDeviceId, "intuneDeviceId is null").map(s -> s.toLowerCase(Locale.ROOT));
    }

    public static IssuedFor endpoint(String endpoint) {
        return new IssuedFor(Optional.of(endpoint), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** A challenge enrollment on {@code endpoint}: the challenge's id, note and device. */
    public static IssuedFor challenge(ChallengeRecord c) {
        return new IssuedFor(Optional.of(c.origin().endpoint()), Optional.of(c.id()), c.note(), c.origin().deviceSerial(),
                c.origin().deviceUdid(), Optional.empty());
    }

    /** The Intune device id from a request's SANs ("type:value" strings), if one is there. */
    public static Optional<String> intuneDeviceIdFrom(List<String> sans) {
        for (String s : sans) {
            Matcher m = INTUNE_DEVICE_URI.matcher(s);
            if (m.matches()) {
                return Optional.of(m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    public IssuedFor withIntuneDeviceId(Optional<String> id) {
        return new IssuedFor(endpoint, challengeId, note, deviceSerial, deviceUdid, id);
    }

    /** The most specific device name for audit lines: serial, UDID, Intune id, or empty. */
    public Optional<String> device() {
        return deviceSerial.or(() -> deviceUdid).or(() -> intuneDeviceId);
    }

    /** Lower-case text the free-text search looks in. */
    public String searchText() {
        StringBuilder b = new StringBuilder();
        for (Optional<String> o : List.of(endpoint.map(e -> "endpoint:" + e), note, deviceSerial, deviceUdid, intuneDeviceId)) {
            o.ifPresent(v -> b.append('\n').append(v));
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
