package org.scepca.server.ocsp;

import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;

/**
 * The delegated responder's certificate and signing capability. Exposes signers, never the key; a
 * {@link ContentSigner} is stateful, so every response gets a new one.
 */
public final class ResponderCredential {
    private final X509Certificate certificate;
    private final X509CertificateHolder holder;
    private final PrivateKey key;
    private final String signatureAlgorithm;
    private final Instant renewAt;

    ResponderCredential(X509Certificate certificate, PrivateKey key) {
        this.certificate = Objects.requireNonNull(certificate, "certificate is null");
        this.key = Objects.requireNonNull(key, "key is null");
        try {
            this.holder = new X509CertificateHolder(certificate.getEncoded());
        } catch (CertificateEncodingException | java.io.IOException e) {
            throw new IllegalArgumentException("responder certificate cannot be encoded", e);
        }
        this.signatureAlgorithm = KeyPairs.signatureAlgorithm(certificate.getPublicKey());
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        // Renew at half-life: a response cached by a client then never outlives the certificate that signed it.
        this.renewAt = notBefore.plus(java.time.Duration.between(notBefore, notAfter).dividedBy(2));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    X509CertificateHolder holder() {
        return holder;
    }

    PrivateKey key() {
        return key;
    }

    /** When this credential should be replaced. */
    public Instant renewAt() {
        return renewAt;
    }

    public boolean isExpired(Instant now) {
        return certificate.getNotAfter().toInstant().isBefore(now);
    }

    ContentSigner newSigner() {
        try {
            return new JcaContentSignerBuilder(signatureAlgorithm).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot create a signer for " + signatureAlgorithm, e);
        }
    }

    @Override
    public String toString() {
        return "ResponderCredential[" + certificate.getSubjectX500Principal().getName() + ", serial "
                + certificate.getSerialNumber().toString(16) + ", key hidden]";
    }
}
