package org.scepca.scep.message;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.Objects;

/**
 * The RA (or CA acting as its own RA) credential: its key decrypts the pkcsPKIEnvelope of requests
 * and signs CertRep replies.
 *
 * <p>The key must be RSA: SCEP clients encrypt to the RA with RSA key transport (RFC 8894 §3.2.2),
 * so a CA with an EC key needs a separate RSA RA certificate.
 *
 * @param certificate the RA certificate clients obtained from GetCACert
 * @param privateKey  the matching private key; never printed
 */
public record RaIdentity(X509Certificate certificate, PrivateKey privateKey) {

    public RaIdentity {
        Objects.requireNonNull(certificate, "certificate is null");
        Objects.requireNonNull(privateKey, "privateKey is null");
        if (!"RSA".equalsIgnoreCase(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException(
                    "RA key must be RSA (SCEP key transport), got " + privateKey.getAlgorithm());
        }
        if (!"RSA".equalsIgnoreCase(certificate.getPublicKey().getAlgorithm())) {
            throw new IllegalArgumentException("RA certificate must carry an RSA key");
        }
        // Hardware-backed keys may not expose the modulus; compare only when both do.
        if (privateKey instanceof RSAKey priv && certificate.getPublicKey() instanceof RSAKey pub
                && priv.getModulus() != null && !priv.getModulus().equals(pub.getModulus())) {
            throw new IllegalArgumentException("RA private key does not match the RA certificate");
        }
    }

    @Override
    public String toString() {
        return "RaIdentity[subject=" + certificate.getSubjectX500Principal().getName()
                + ", serial=" + certificate.getSerialNumber().toString(16) + "]";
    }
}
