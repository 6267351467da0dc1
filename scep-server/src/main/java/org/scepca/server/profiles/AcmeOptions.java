package org.scepca.server.profiles;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.scepca.profiles.AcmePayload;

/**
 * The ACME-only part of a profile request; subject, SANs, names, intermediate, signing and the identifier prefix
 * come from the {@link ProfileOptions} it is used with (the same values a SCEP profile takes). Checked by {@link
 * ProfileService}, which names the option ({@code directory-url}, {@code client-identifier}, {@code acme-key-type},
 * {@code acme-key-size}, {@code hardware-bound}, {@code attest}, {@code usage-flags}, {@code eku}).
 *
 * @param directoryUrl     the ACME directory; empty: {@code <public-base-url>/acme/<endpoint>/directory}
 * @param clientIdentifier empty: the preset's ({@code $SERIALNUMBER}, {@code {{SerialNumber}}}); required for generic
 * @param keyType          empty: ECSECPrimeRandom
 * @param keySize          empty: 384 for EC, 2048 for RSA
 * @param hardwareBound    empty: true for EC (Secure Enclave key)
 * @param attest           empty: as hardwareBound (Managed Device Attestation)
 * @param usageFlags       requested key usage bits; empty: not requested
 * @param extendedKeyUsage requested EKU OIDs; empty: none requested
 */
public record AcmeOptions(Optional<String> directoryUrl, Optional<String> clientIdentifier,
        Optional<AcmePayload.KeyType> keyType, OptionalInt keySize, Optional<Boolean> hardwareBound,
        Optional<Boolean> attest, OptionalInt usageFlags, List<String> extendedKeyUsage) {

    /** All defaults: the preset decides. */
    public static final AcmeOptions DEFAULTS = new AcmeOptions(Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalInt.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of());

    public AcmeOptions {
        Objects.requireNonNull(directoryUrl, "directoryUrl is null");
        Objects.requireNonNull(clientIdentifier, "clientIdentifier is null");
        Objects.requireNonNull(keyType, "keyType is null");
        Objects.requireNonNull(keySize, "keySize is null");
        Objects.requireNonNull(hardwareBound, "hardwareBound is null");
        Objects.requireNonNull(attest, "attest is null");
        Objects.requireNonNull(usageFlags, "usageFlags is null");
        extendedKeyUsage = List.copyOf(Objects.requireNonNull(extendedKeyUsage, "extendedKeyUsage is null"));
    }

    /**
     * From an admin's values, null meaning "not given".
     *
     * @throws ProfileOptionException naming {@code acme-key-type} when the key type is unknown
     */
    public static AcmeOptions of(String directoryUrl, String clientIdentifier, String keyType, Integer keySize,
            Boolean hardwareBound, Boolean attest, Integer usageFlags, List<String> extendedKeyUsage) {
        Optional<AcmePayload.KeyType> type;
        try {
            type = Optional.ofNullable(keyType).map(AcmePayload.KeyType::fromId);
        } catch (IllegalArgumentException e) {
            throw new ProfileOptionException("acme-key-type", e.getMessage());
        }
        return new AcmeOptions(Optional.ofNullable(directoryUrl), Optional.ofNullable(clientIdentifier), type,
                keySize == null ? OptionalInt.empty() : OptionalInt.of(keySize), Optional.ofNullable(hardwareBound),
                Optional.ofNullable(attest), usageFlags == null ? OptionalInt.empty() : OptionalInt.of(usageFlags),
                extendedKeyUsage == null ? List.of() : extendedKeyUsage);
    }
}
