package org.scepca.ca.material;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;

/**
 * Builds the CA's own certificates (root, intermediate, RA, profile signer); device certificates go through the
 * issuance engine.
 */
public final class CertificateMaker {
    private CertificateMaker() {
    }

    public static X509Certificate selfSignedRoot(X500Name subject, java.security.KeyPair keys, BigInteger serial,
            Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, KeyIdentifiers.subjectKeyIdentifier(keys.getPublic()));
            return sign(b, keys.getPrivate(), keys.getPublic());
        } catch (CertIOException e) {
            throw new IllegalStateException("root certificate encoding failed", e);
        }
    }

    /**
     * An issuing CA below {@code issuer}, with pathLen 0: it can sign end-entity certificates only. With a public base
     * URL it names where the root's CRL and certificate are (CRL distribution point, AIA caIssuers), so that a relying
     * party checking the whole chain (nginx {@code ssl_crl} with both CRLs, OpenSSL {@code -crl_check_all},
     * {@code -crl_download}) finds the CRL that covers the intermediate.
     */
    public static X509Certificate intermediate(X500Name subject, PublicKey key, X509Certificate issuer, PrivateKey issuerKey,
            BigInteger serial, Instant notBefore, Instant notAfter, java.util.Optional<java.net.URI> publicBaseUrl) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notAfter), new org.bouncycastle.asn1.x500.X500Name(subject.toString()), key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            // digitalSignature lets the intermediate sign OCSP responses itself (RFC 6960 §4.2.2.2).
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, KeyIdentifiers.subjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, KeyIdentifiers.authorityKeyIdentifier(issuer));
            if (publicBaseUrl.isPresent()) {
                b.addExtension(Extension.cRLDistributionPoints, false,
                        crlDistributionPoint(PublicUrls.rootCrl(publicBaseUrl.get())));
                b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        X509ObjectIdentifiers.id_ad_caIssuers, new GeneralName(GeneralName.uniformResourceIdentifier,
                                PublicUrls.rootCertificate(publicBaseUrl.get()).toString())));
            }
            return sign(b, issuerKey, issuer.getPublicKey());
        } catch (CertIOException e) {
            throw new IllegalStateException("intermediate certificate encoding failed", e);
        }
    }

    /**
     * The SCEP RA certificate: decrypts requests and signs replies. macOS picks the encryption certificate by key
     * usage, so it must carry digitalSignature and keyEncipherment (openxpki-config#14).
     */
    public static X509Certificate registrationAuthority(X500Name subject, PublicKey key, X509Certificate issuer,
            PrivateKey issuerKey, BigInteger serial, Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.subjectKeyIdentifier, false, KeyIdentifiers.subjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, KeyIdentifiers.authorityKeyIdentifier(issuer));
            return sign(b, issuerKey, issuer.getPublicKey());
        } catch (CertIOException e) {
            throw new IllegalStateException("RA certificate encoding failed", e);
        }
    }

    /**
     * A certificate that signs configuration profiles (CMS SignedData over the plist), issued by the intermediate.
     * Apple accepts any signer that chains to a root the device trusts; the EKU is emailProtection because a profile
     * signature is a CMS signed message, which is what S/MIME certificates are for (RFC 8550 §4.4.4), and because it
     * gives the key no power elsewhere that codeSigning or serverAuth would. keyUsage digitalSignature only; CA:FALSE.
     *
     * @param crlUrl CRL distribution point, so a revoked signer is visible to relying parties that check
     */
    public static X509Certificate profileSigner(X500Name subject, PublicKey key, X509Certificate issuer, PrivateKey issuerKey,
            BigInteger serial, Instant notBefore, Instant notAfter, java.util.Optional<java.net.URI> crlUrl) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
            b.addExtension(Extension.subjectKeyIdentifier, false, KeyIdentifiers.subjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, KeyIdentifiers.authorityKeyIdentifier(issuer));
            if (crlUrl.isPresent()) {
                b.addExtension(Extension.cRLDistributionPoints, false, crlDistributionPoint(crlUrl.get()));
            }
            return sign(b, issuerKey, issuer.getPublicKey());
        } catch (CertIOException e) {
            throw new IllegalStateException("profile signing certificate encoding failed", e);
        }
    }

    private static CRLDistPoint crlDistributionPoint(java.net.URI url) {
        return new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(new DistributionPointName(
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url.toString()))), null, null)});
    }

    static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, PublicKey signerPublicKey) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(signerPublicKey)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("certificate signing failed", e);
        }
    }
}
