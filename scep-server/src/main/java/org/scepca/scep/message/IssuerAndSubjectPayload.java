package org.scepca.scep.message;

import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * CertPoll (GetCertInitial) messageData (RFC 8894 §3.3.3): the CA's name and the subject of the
 * pending request, which the server uses together with the transactionID to find it.
 */
public record IssuerAndSubjectPayload(X500Name issuer, X500Name subject) implements RequestPayload {

    public IssuerAndSubjectPayload {
        Objects.requireNonNull(issuer, "issuer is null");
        Objects.requireNonNull(subject, "subject is null");
    }
}
