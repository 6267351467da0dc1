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
import org.scepca.ca.issuance.IssuerIdentity;
import org.scepca.ca.keys.KeyPairs;

/**
 * The delegated responder's certificate and signing capability. Exposes signers, never the key; a
 * {@link ContentSigner} is stateful, so every response gets a new one.
 */
public final class ResponderCredential {
    private final X509Certificate certificate;
    private final X509CertificateHolder holder;
    private final java.util.function.Supplier<ContentSigner> signers;
    private final Instant renewAt;

    ResponderCredential(X509Certificate certificate, PrivateKey key) {
        this(certificate, signers(certificate, key), null);
    }

    private ResponderCredential(X509Certificate certificate, java.util.function.Supplier<ContentSigner> signers,
            Instant renewAt) {
        this.certificate = Objects.requireNonNull(certificate, "certificate is null");
        this.signers = Objects.requireNonNull(signers, "signers is null");
        try {
            this.holder = new X509CertificateHolder(certificate.getEncoded());
        } catch (CertificateEncodingException | java.io.IOException e) {
            throw new IllegalArgumentException("responder certificate cannot be encoded", e);
        }
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        // Renew at half-life: a response cached by a client then never outlives the certificate that signed it.
        this.renewAt = renewAt != null ? renewAt : notBefore.plus(java.time.Duration.between(notBefore, notAfter).dividedBy(2));
    }

    /**
     * The issuing CA signing its own responses (RFC 6960 §4.2.2.2 allows it): once it has expired no delegated
     * certificate can be issued, yet relying parties still ask about the certificates it issued. Never "renewed":
     * the next start after a rollover makes a delegated responder again.
     */
    static ResponderCredential issuingCa(IssuerIdentity issuer) {
        return new ResponderCredential(issuer.certificate(), issuer::newSigner, Instant.MAX);
    }

    private static java.util.function.Supplier<ContentSigner> signers(X509Certificate certificate, PrivateKey key) {
        Objects.requireNonNull(key, "key is null");
        String algorithm = KeyPairs.signatureAlgorithm(certificate.getPublicKey());
        return () -> {
            try {
                return new JcaContentSignerBuilder(algorithm).build(key);
            } catch (OperatorCreationException e) {
                throw new IllegalStateException("cannot create a signer for " + algorithm, e);
            }
        };
    }

    public X509Certificate certificate() {
        return certificate;
    }

    X509CertificateHolder holder() {
        return holder;
    }

    /** When this credential should be replaced. */
    public Instant renewAt() {
        return renewAt;
    }

    public boolean isExpired(Instant now) {
        return certificate.getNotAfter().toInstant().isBefore(now);
    }

    ContentSigner newSigner() {
        return signers.get();
    }

    @Override
    public String toString() {
        return "ResponderCredential[" + certificate.getSubjectX500Principal().getName() + ", serial "
                + certificate.getSerialNumber().toString(16) + ", key hidden]";
    }
}
