package org.scepca.ca.material;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Subject and authority key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2, §5.2.1).
 *
 * <p>An authority key identifier carries the key identifier only. Bouncy Castle's
 * {@code JcaX509ExtensionUtils.createAuthorityKeyIdentifier(X509Certificate)} also adds the issuer's issuer name and
 * serial number, which ties every child to one certificate of its issuer: after the issuer is re-certified (a new
 * serial for the same key, as in a rollover or a cross-certificate) path builders that honour those fields no longer
 * match the children to it. The key identifier alone is what RFC 5280 requires and the CA/Browser Forum's profile
 * allows.
 */
public final class KeyIdentifiers {
    private KeyIdentifiers() {
    }

    /** Method 1 of RFC 5280 §4.2.1.2: SHA-1 over the BIT STRING of subjectPublicKey. */
    public static SubjectKeyIdentifier subjectKeyIdentifier(PublicKey key) {
        byte[] bits = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes();
        try {
            return new SubjectKeyIdentifier(MessageDigest.getInstance("SHA-1").digest(bits));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable for key identifiers", e);
        }
    }

    /**
     * The key identifier of {@code issuer} as children must name it: the issuer's own subject key identifier when it
     * has one (an imported CA's may have been computed another way, and RFC 5280 §4.2.1.1 wants the two equal),
     * otherwise method 1 over its public key.
     */
    public static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate issuer) {
        byte[] ext = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        byte[] keyId = ext != null
                ? SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier()
                : subjectKeyIdentifier(issuer.getPublicKey()).getKeyIdentifier();
        return new AuthorityKeyIdentifier(keyId);
    }
}
