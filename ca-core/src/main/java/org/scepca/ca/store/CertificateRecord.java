package org.scepca.ca.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;

/**
 * One issued certificate as the store keeps it. {@code subjectAltNames} are "type:value" strings
 * (dns:host.example, email:a@b, uri:urn:x, ip:10.0.0.1, upn:a@b).
 */
public record CertificateRecord(BigInteger serial, String issuerDn, String subjectDn, List<String> subjectAltNames,
        Instant notBefore, Instant notAfter, CertificateStatus status, Optional<Instant> revokedAt,
        Optional<RevocationReason> revocationReason, Optional<String> transactionId, String requester,
        CertificateProfile profile, Instant issuedAt, String sha256, byte[] der, IssuedFor issuedFor) {

    /** A certificate not issued for a device (CLI-made, or from before endpoints existed). */
    public CertificateRecord(BigInteger serial, String issuerDn, String subjectDn, List<String> subjectAltNames,
            Instant notBefore, Instant notAfter, CertificateStatus status, Optional<Instant> revokedAt,
            Optional<RevocationReason> revocationReason, Optional<String> transactionId, String requester,
            CertificateProfile profile, Instant issuedAt, String sha256, byte[] der) {
        this(serial, issuerDn, subjectDn, subjectAltNames, notBefore, notAfter, status, revokedAt, revocationReason,
                transactionId, requester, profile, issuedAt, sha256, der, IssuedFor.NONE);
    }

    public CertificateRecord {
        Objects.requireNonNull(serial, "serial is null");
        Objects.requireNonNull(issuerDn, "issuerDn is null");
        Objects.requireNonNull(subjectDn, "subjectDn is null");
        subjectAltNames = List.copyOf(subjectAltNames);
        Objects.requireNonNull(notBefore, "notBefore is null");
        Objects.requireNonNull(notAfter, "notAfter is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(revokedAt, "revokedAt is null");
        Objects.requireNonNull(revocationReason, "revocationReason is null");
        Objects.requireNonNull(transactionId, "transactionId is null");
        Objects.requireNonNull(requester, "requester is null");
        Objects.requireNonNull(profile, "profile is null");
        Objects.requireNonNull(issuedAt, "issuedAt is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(der, "der is null");
        Objects.requireNonNull(issuedFor, "issuedFor is null");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial must be positive");
        }
        if (status == CertificateStatus.REVOKED && revokedAt.isEmpty()) {
            throw new IllegalArgumentException("a revoked certificate needs a revocation time");
        }
    }

    public boolean isExpired(Instant now) {
        return notAfter.isBefore(now);
    }

    /** Usable for authentication now: valid status, inside its validity window. */
    public boolean isActive(Instant now) {
        return status == CertificateStatus.VALID && !isExpired(now) && !notBefore.isAfter(now);
    }

    /** The endpoint that issued it; certificates from before endpoints existed came through the default one. */
    public String endpointName() {
        return issuedFor.endpoint().orElse(ChallengeOrigin.DEFAULT_ENDPOINT);
    }

    public String serialHex() {
        return serial.toString(16);
    }
}
