package org.scepca.scep.message;

import java.math.BigInteger;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;

/** GetCert and GetCRL messageData (RFC 8894 §3.3.4): a CMS IssuerAndSerialNumber. */
public record IssuerAndSerialPayload(X500Name issuer, BigInteger serial) implements RequestPayload {

    public IssuerAndSerialPayload {
        Objects.requireNonNull(issuer, "issuer is null");
        Objects.requireNonNull(serial, "serial is null");
    }
}
