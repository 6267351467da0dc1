package org.scepca.ca.issuance;

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
 */
public record IssuanceRequest(PKCS10CertificationRequest csr, String requester, CertificateProfile profile,
        IssuanceEffects effects, NameRule names, IssuedFor issuedFor) {
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
