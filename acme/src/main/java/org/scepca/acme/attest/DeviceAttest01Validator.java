package org.scepca.acme.attest;

import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

import org.scepca.acme.AcmeProblem;
import org.scepca.acme.ChallengeValidator;
import org.scepca.acme.Identifier;

/**
 * device-attest-01 for one ACME endpoint: the client's response {@code {"attObj": ...}} is verified by
 * {@link AppleDeviceAttestation} against the challenge's token and the authorization's {@code permanent-identifier},
 * then the endpoint's {@link DevicePolicy} decides whether that device may enroll. A valid outcome binds the attested
 * key (finalize accepts only a CSR with it) and notes the attested device and versions for the certificate's record.
 * Holds no state between calls (the allow-list is in the database): any replica can run any validation.
 */
public final class DeviceAttest01Validator implements ChallengeValidator {
    public static final String TYPE = AppleDeviceAttestation.CHALLENGE_TYPE;
    /** What {@link Outcome#note()} may hold. */
    static final int MAX_NOTE = 256;

    private final AppleDeviceAttestation verifier;
    private final DevicePolicy policy;
    private final DeviceAllowList allowList;

    public DeviceAttest01Validator(AppleDeviceAttestation verifier, DevicePolicy policy, DeviceAllowList allowList) {
        this.verifier = Objects.requireNonNull(verifier, "verifier is null");
        this.policy = Objects.requireNonNull(policy, "policy is null");
        this.allowList = Objects.requireNonNull(allowList, "allowList is null");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean supports(Identifier identifier) {
        return Identifier.PERMANENT.equals(identifier.type());
    }

    /** draft-ietf-acme-device-attest section 5: the response is {@code {"attObj": "<base64url>"}}. */
    @Override
    public void checkResponse(JsonNode response) {
        JsonNode attObj = response.get("attObj");
        if (!response.isObject() || attObj == null || !attObj.isTextual() || attObj.textValue().isEmpty()) {
            throw new AcmeProblem(AcmeProblem.Type.MALFORMED,
                    TYPE + " takes {\"attObj\": \"<base64url of the CBOR attestation object>\"} as its response");
        }
    }

    @Override
    public Outcome validate(Attempt attempt) {
        try {
            checkResponse(attempt.response());
            AttestedDevice device = verifier.verify(attempt.response().get("attObj").textValue(), attempt.token(),
                    attempt.identifier());
            policy.requireAdmitted(attempt.endpoint(), device, allowList);
            return Outcome.validFor(device.publicKey(), Optional.of(note(device)));
        } catch (AcmeProblem refused) {
            return Outcome.invalid(refused);
        }
    }

    /** {@code apple-attested serial=… udid=… os=… sepos=…}: what the certificate's record keeps of the attestation. */
    static String note(AttestedDevice device) {
        StringJoiner j = new StringJoiner(" ", "apple-attested ", "");
        device.serialNumber().ifPresent(v -> j.add("serial=" + v));
        device.udid().ifPresent(v -> j.add("udid=" + v));
        device.osVersion().ifPresent(v -> j.add("os=" + v));
        device.sepOsVersion().ifPresent(v -> j.add("sepos=" + v));
        String note = j.toString();
        return note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE) : note;
    }

    /** The serial number and UDID an attested authorization's note names (as {@link #note} wrote it). */
    public record DeviceIds(Optional<String> serial, Optional<String> udid) {
        public DeviceIds {
            Objects.requireNonNull(serial, "serial is null");
            Objects.requireNonNull(udid, "udid is null");
        }
    }

    /**
     * Reads back what {@link #note} wrote: the attested serial number and UDID, each only if it is a valid device
     * identifier ({@link org.scepca.ca.store.ChallengeOrigin#normalizeDevice}). Empty for any other note.
     */
    public static DeviceIds deviceIds(String note) {
        Optional<String> serial = Optional.empty();
        Optional<String> udid = Optional.empty();
        if (note != null && note.startsWith("apple-attested ")) {
            for (String part : note.substring("apple-attested ".length()).split(" ")) {
                if (part.startsWith("serial=") && serial.isEmpty()) {
                    serial = device(part.substring("serial=".length()));
                } else if (part.startsWith("udid=") && udid.isEmpty()) {
                    udid = device(part.substring("udid=".length()));
                }
            }
        }
        return new DeviceIds(serial, udid);
    }

    private static Optional<String> device(String value) {
        try {
            return org.scepca.ca.store.ChallengeOrigin.normalizeDevice(Optional.of(value), "device");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
