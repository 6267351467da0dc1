package org.scepca.ca.policy;

import java.io.IOException;
import java.io.OutputStream;

import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Verifies a CSR's self-signature over the CertificationRequestInfo exactly as it was sent. Bouncy Castle's
 * {@code isSignatureValid} re-encodes it as DER first, which re-sorts the attribute SET: requesters that write their
 * attributes in another order (strongSwan's pki puts challengePassword before extensionRequest whatever their
 * lengths) then fail a signature that OpenSSL and every CA that verifies the bytes as sent accept. Front ends pass a
 * {@link ReceivedCsr}, which keeps those bytes.
 */
public final class CsrSignature {
    private CsrSignature() {
    }

    public static boolean isValid(PKCS10CertificationRequest csr, ContentVerifierProvider verifiers)
            throws OperatorCreationException {
        ContentVerifier verifier = verifiers.get(csr.getSignatureAlgorithm());
        byte[] signed = csr instanceof ReceivedCsr received ? received.receivedRequestInfo().orElse(null) : null;
        try (OutputStream out = verifier.getOutputStream()) {
            out.write(signed != null ? signed : csr.toASN1Structure().getCertificationRequestInfo().getEncoded("DER"));
        } catch (IOException e) {
            return false;
        }
        return verifier.verify(csr.getSignature());
    }
}
