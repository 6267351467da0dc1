package org.scepca.scep.message;

import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PKCSReq or RenewalReq messageData (RFC 8894 §3.3.1): the PKCS#10 request, its self-signature
 * already checked.
 *
 * @param csr    the parsed request
 * @param csrDer the bytes exactly as the client sent them (Intune's validation API wants these)
 */
public record CsrPayload(PKCS10CertificationRequest csr, byte[] csrDer) implements RequestPayload {

    public CsrPayload {
        Objects.requireNonNull(csr, "csr is null");
        Objects.requireNonNull(csrDer, "csrDer is null");
        csrDer = csrDer.clone();
    }

    @Override
    public byte[] csrDer() {
        return csrDer.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CsrPayload that && Arrays.equals(csrDer, that.csrDer);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(csrDer);
    }

    @Override
    public String toString() {
        return "CsrPayload[subject=" + csr.getSubject() + "]";
    }
}
