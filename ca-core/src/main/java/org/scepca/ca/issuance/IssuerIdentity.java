package org.scepca.ca.issuance;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;

/**
 * The issuing CA's certificate and signing capability, parsed once. Exposes signers, never the key. A
 * {@link ContentSigner} is stateful, so each signature gets a new one; the builder is reused.
 */
public final class IssuerIdentity {
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final X500Name name;
    private final AuthorityKeyIdentifier authorityKeyIdentifier;
    private final String signatureAlgorithm;

    public IssuerIdentity(X509Certificate certificate, PrivateKey key) {
        this.certificate = Objects.requireNonNull(certificate, "certificate is null");
        this.key = Objects.requireNonNull(key, "key is null");
        this.name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        this.authorityKeyIdentifier = org.scepca.ca.material.KeyIdentifiers.authorityKeyIdentifier(certificate);
        this.signatureAlgorithm = KeyPairs.signatureAlgorithm(certificate.getPublicKey());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public X500Name name() {
        return name;
    }

    /** RFC 2253 form, as stored with each certificate and used to select CRL entries. */
    public String dn() {
        return certificate.getSubjectX500Principal().getName();
    }

    public AuthorityKeyIdentifier authorityKeyIdentifier() {
        return authorityKeyIdentifier;
    }

    public ContentSigner newSigner() {
        try {
            return new JcaContentSignerBuilder(signatureAlgorithm).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot create a signer for " + signatureAlgorithm, e);
        }
    }

    @Override
    public String toString() {
        return "IssuerIdentity[" + dn() + ", key hidden]";
    }
}
