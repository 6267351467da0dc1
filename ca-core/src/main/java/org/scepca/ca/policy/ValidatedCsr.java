package org.scepca.ca.policy;

import java.security.PublicKey;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;

/** A CSR that passed the policy: only these values may reach the certificate. */
public record ValidatedCsr(X500Name subject, PublicKey publicKey, List<GeneralName> subjectAltNames) {
    public ValidatedCsr {
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(publicKey, "publicKey is null");
        subjectAltNames = List.copyOf(subjectAltNames);
    }
}
