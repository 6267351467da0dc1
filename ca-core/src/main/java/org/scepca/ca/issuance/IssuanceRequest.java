package org.scepca.ca.issuance;

import java.util.Objects;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;

/**
 * A CSR plus what the front end vouches for: who asked (for the audit trail), which profile, and what must happen
 * atomically with storing the certificate (consume a challenge, record the SCEP transaction, supersede a renewal).
 */
public record IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
        IssuanceEffects effects) {
    public IssuanceRequest {
        Objects.requireNonNull(csr, "csr is null");
        Objects.requireNonNull(requester, "requester is null");
        Objects.requireNonNull(profile, "profile is null");
        Objects.requireNonNull(effects, "effects is null");
    }
}
