package org.scepca.ca.issuance;

import java.util.List;
import java.util.Objects;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;

/**
 * A CSR plus what the front end vouches for: who asked (for the audit trail), which profile, which names the
 * authority behind the request allows (the renewed certificate's, a bound challenge's), and what must happen
 * atomically with storing the certificate (consume a challenge, record the SCEP transaction, supersede a renewal).
 *
 * <p>{@code attestedIdentifiers} are device identities that an attestation proved (ACME device-attest-01: the serial
 * number or UDID Apple's attestation certifies). The engine writes each into the certificate as an RFC 4043
 * PermanentIdentifier subjectAltName, which no CSR can ask for ({@link org.scepca.ca.policy.CsrValidator} refuses
 * that otherName): the one name in a device certificate that the CA, not the requester, vouches for.
 *
 * <p>{@code dnsNames} are DNS names the front end proved the requester controls (an ACME order's {@code dns}
 * identifiers, each validated and within the endpoint's policy). RFC 8555 §7.4 lets a CSR name such an identifier in
 * its subject's commonName only; the engine writes each name the CSR's subjectAltName extension lacks as a dNSName
 * after the CSR's names, checked against the policy like a requested one, so that the certificate names it where TLS
 * clients look (RFC 6125 §6.4.4: not in the CN once a subjectAltName is present, and many never).
 */
public record IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
        IssuanceEffects effects, NameRule names, IssuedFor issuedFor, List<String> attestedIdentifiers,
        List<String> dnsNames) {
    /** No DNS names beside the CSR's. */
    public IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
            IssuanceEffects effects, NameRule names, IssuedFor issuedFor, List<String> attestedIdentifiers) {
        this(csr, requester, profile, effects, names, issuedFor, attestedIdentifiers, List.of());
    }

    /** Nothing attested. */
    public IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
            IssuanceEffects effects, NameRule names, IssuedFor issuedFor) {
        this(csr, requester, profile, effects, names, issuedFor, List.of());
    }

    /** Not issued for a device (the CLI's certificates). */
    public IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
            IssuanceEffects effects, NameRule names) {
        this(csr, requester, profile, effects, names, IssuedFor.NONE);
    }

    public IssuanceRequest {
        Objects.requireNonNull(issuedFor, "issuedFor is null");
        Objects.requireNonNull(csr, "csr is null");
        Objects.requireNonNull(requester, "requester is null");
        Objects.requireNonNull(profile, "profile is null");
        Objects.requireNonNull(effects, "effects is null");
        Objects.requireNonNull(names, "names is null");
        attestedIdentifiers = List.copyOf(Objects.requireNonNull(attestedIdentifiers, "attestedIdentifiers is null"));
        if (attestedIdentifiers.size() > 4 || !attestedIdentifiers.stream().allMatch(
                i -> org.scepca.ca.policy.PermanentIdentifiers.VALUE.matcher(i).matches())) {
            throw new IllegalArgumentException("attested identifiers are at most 4 serial numbers or UDIDs");
        }
        dnsNames = List.copyOf(Objects.requireNonNull(dnsNames, "dnsNames is null"));
        if (effects.adminGrant().isPresent() != (profile == CertificateProfile.ADMIN_CLIENT)) {
            throw new IllegalArgumentException("an ADMIN_CLIENT certificate, and only one, carries an admin grant");
        }
    }

    /** Any names the policy allows. */
    public IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
            IssuanceEffects effects) {
        this(csr, requester, profile, effects, NameRule.any());
    }
}
