package org.scepca.acme.attest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.scepca.acme.AcmeProblem;

/**
 * What a verified Apple attestation proves: the device (serial number and/or UDID, and which of them the order's
 * identifier named), the key the Secure Enclave holds (the leaf's public key, which the CSR at finalize must carry),
 * and the OS and sepOS versions to record with the certificate.
 *
 * @param chain the attestation chain as sent (leaf first), already verified to the trusted root
 */
public record AttestedDevice(Optional<String> serialNumber, Optional<String> udid, Match matchedBy,
        Optional<String> osVersion, Optional<String> sepOsVersion, PublicKey publicKey,
        List<X509Certificate> chain) {
    /** Which attested identity equals the order's identifier. */
    public enum Match { SERIAL_NUMBER, UDID }

    public AttestedDevice {
        Objects.requireNonNull(serialNumber, "serialNumber is null");
        Objects.requireNonNull(udid, "udid is null");
        Objects.requireNonNull(matchedBy, "matchedBy is null");
        Objects.requireNonNull(osVersion, "osVersion is null");
        Objects.requireNonNull(sepOsVersion, "sepOsVersion is null");
        Objects.requireNonNull(publicKey, "publicKey is null");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
        if (serialNumber.isEmpty() && udid.isEmpty()) {
            throw new IllegalArgumentException("an attested device has a serial number or a UDID");
        }
    }

    /** The attestation leaf certificate (Apple-issued, holding the attested key). */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * The attested key's thumbprint, base64url (no padding) of SHA-256 over its SubjectPublicKeyInfo: what to keep
     * on the authorization so that finalize, on any replica, can compare the CSR's key with
     * {@link #requireAttestedKey(String, PublicKey)} without keeping the certificate.
     */
    public String keyThumbprint() {
        return keyThumbprint(publicKey);
    }

    /** Refuses ({@code badCSR}) a CSR key other than the attested one. */
    public void requireAttestedKey(PublicKey csrKey) {
        requireAttestedKey(keyThumbprint(), csrKey);
    }

    /**
     * Refuses ({@code badCSR}) a CSR whose key is not the one with {@code attestedThumbprint}. This is what makes
     * the attestation mean anything: without it a client could attest one (Secure Enclave) key and certify another.
     */
    public static void requireAttestedKey(String attestedThumbprint, PublicKey csrKey) {
        Objects.requireNonNull(attestedThumbprint, "attestedThumbprint is null");
        Objects.requireNonNull(csrKey, "csrKey is null");
        byte[] expected = attestedThumbprint.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = keyThumbprint(csrKey).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new AcmeProblem(AcmeProblem.Type.BAD_CSR,
                    "the CSR's public key is not the key attested by the device");
        }
    }

    public static String keyThumbprint(PublicKey key) {
        Objects.requireNonNull(key, "key is null");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The attested identities, upper-case, for the allow-list (serial numbers and UDIDs are stored that way). */
    List<String> identities() {
        return Stream.of(serialNumber, udid).flatMap(Optional::stream)
                .map(DeviceAllowList::normalize).toList();
    }
}
