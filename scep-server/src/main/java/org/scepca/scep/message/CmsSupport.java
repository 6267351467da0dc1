package org.scepca.scep.message;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.BERSet;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.pem.Asn1Times;
import org.scepca.ca.pem.CertsOnly;

/** CMS building blocks shared by the reply encoders. Stateless; all methods are thread-safe. */
final class CmsSupport {

    private CmsSupport() {
    }

    static X509CertificateHolder holder(X509Certificate certificate) {
        try {
            return new X509CertificateHolder(certificate.getEncoded());
        } catch (CertificateEncodingException | IOException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /** A degenerate certificates-only SignedData (RFC 8894 §3.4) as a ContentInfo, order kept ({@link CertsOnly}). */
    static byte[] degenerate(List<X509Certificate> certificates, List<X509CRL> crls) {
        try {
            return CertsOnly.encode(certificates, crls);
        } catch (IllegalStateException e) {
            throw new ScepEncodingException("degenerate SignedData cannot be encoded", e);
        }
    }

    /**
     * Signs {@code content} with RSA PKCS#1 v1.5 (never PSS: several SCEP clients cannot verify it)
     * using the default JCA providers, so a faster provider installed first is used for the key
     * operation. Returns the SignedData ContentInfo in definite-length encoding.
     *
     * @param extraAttributes SCEP attributes to sign in addition to contentType, messageDigest and
     *                        signingTime
     */
    static byte[] sign(CMSTypedData content, PrivateKey key, X509CertificateHolder signerCert,
            DigestAlgorithm digest, DigestCalculatorProvider digests, List<Attribute> extraAttributes,
            Instant signingTime) {
        return sign(content, key, signerCert, digest, digests, extraAttributes, signingTime, List.of());
    }

    /** As above, also carrying {@code extraCertificates} in the SignedData's certificate set. */
    static byte[] sign(CMSTypedData content, PrivateKey key, X509CertificateHolder signerCert,
            DigestAlgorithm digest, DigestCalculatorProvider digests, List<Attribute> extraAttributes,
            Instant signingTime, List<X509CertificateHolder> extraCertificates) {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(digest.rsaSignatureName()).build(key);
            SignerInfoGenerator signerInfo = new JcaSignerInfoGeneratorBuilder(digests, CmsSupport::signerInfoAlgorithm)
                    .setSignedAttributeGenerator(signedAttributes(extraAttributes, signingTime))
                    .build(contentSigner, signerCert);
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(signerInfo);
            generator.addCertificate(signerCert);
            for (X509CertificateHolder c : extraCertificates) {
                generator.addCertificate(c);
            }
            CMSSignedData signed = generator.generate(content, true);
            return signed.toASN1Structure().getEncoded(ASN1Encoding.DL);
        } catch (OperatorCreationException | CMSException | IOException e) {
            throw new ScepEncodingException("signing the reply failed", e);
        }
    }

    /**
     * The SignerInfo names an RSA PKCS#1 v1.5 signature as plain rsaEncryption, as OpenSSL writes it (RFC 3370 §3.2).
     * Bouncy Castle would write sha256WithRSAEncryption, which is valid too but which some SCEP clients refuse
     * (strongSwan's pki --scep: "only RSA digest encryption supported").
     */
    private static org.bouncycastle.asn1.x509.AlgorithmIdentifier signerInfoAlgorithm(
            org.bouncycastle.asn1.x509.AlgorithmIdentifier signatureAlgorithm) {
        if (RSA_PKCS1_SIGNATURES.contains(signatureAlgorithm.getAlgorithm())) {
            return new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                    org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption, org.bouncycastle.asn1.DERNull.INSTANCE);
        }
        return SIGNATURE_ENCRYPTION_FINDER.findEncryptionAlgorithm(signatureAlgorithm);
    }

    private static final org.bouncycastle.cms.CMSSignatureEncryptionAlgorithmFinder SIGNATURE_ENCRYPTION_FINDER =
            new org.bouncycastle.cms.DefaultCMSSignatureEncryptionAlgorithmFinder();

    private static final java.util.Set<ASN1ObjectIdentifier> RSA_PKCS1_SIGNATURES = java.util.Set.of(
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.sha1WithRSAEncryption,
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.sha224WithRSAEncryption,
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.sha256WithRSAEncryption,
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.sha384WithRSAEncryption,
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.sha512WithRSAEncryption);

    /**
     * Exactly contentType, messageDigest, signingTime and the given attributes. Bouncy Castle's default
     * generator would also add CMSAlgorithmProtection, which SCEP clients neither expect nor need.
     */
    private static CMSAttributeTableGenerator signedAttributes(List<Attribute> extra, Instant signingTime) {
        return parameters -> {
            ASN1EncodableVector attributes = new ASN1EncodableVector(extra.size() + 3);
            ASN1ObjectIdentifier contentType = ASN1ObjectIdentifier.getInstance(
                    parameters.get(CMSAttributeTableGenerator.CONTENT_TYPE));
            attributes.add(new Attribute(CMSAttributes.contentType, new DERSet(contentType)));
            attributes.add(new Attribute(CMSAttributes.signingTime, new DERSet(Asn1Times.of(signingTime))));
            attributes.add(new Attribute(CMSAttributes.messageDigest,
                    new DERSet(new DEROctetString((byte[]) parameters.get(CMSAttributeTableGenerator.DIGEST)))));
            for (Attribute attribute : extra) {
                attributes.add(attribute);
            }
            return new AttributeTable(attributes);
        };
    }
}
