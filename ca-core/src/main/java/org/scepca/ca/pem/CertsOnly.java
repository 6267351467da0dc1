package org.scepca.ca.pem;

import java.io.IOException;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.BERSet;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;

/**
 * A degenerate certificates-only SignedData (RFC 5652 §5, "certs-only" of RFC 5751 §3.8) as a ContentInfo: what
 * SCEP's GetCACert and CertRep (RFC 8894 §3.4) and EST's cacerts and enroll answers (RFC 7030 §4.1.3, §4.2.3) carry.
 *
 * <p>The certificates keep the caller's order. A DER SET OF would sort them by encoding, which put the CA certificate
 * first and made iOS match it against the device key (error 22008, NeySlim/ultimate-ca-manager#228). So the sets
 * are BER sets (never sorted) and the whole structure is written in definite-length form, which strict parsers also
 * accept.
 */
public final class CertsOnly {
    private CertsOnly() {
    }

    /** Certificates only, in the order given. */
    public static byte[] encode(List<X509Certificate> certificates) {
        return encode(certificates, List.of());
    }

    /** Certificates and CRLs (SCEP's GetCRL answer), in the order given. */
    public static byte[] encode(List<X509Certificate> certificates, List<X509CRL> crls) {
        Objects.requireNonNull(certificates, "certificates is null");
        Objects.requireNonNull(crls, "crls is null");
        ASN1Set certSet = certificates.isEmpty() ? null : berSet(certificates.stream().map(CertsOnly::asn1).toList());
        ASN1Set crlSet = crls.isEmpty() ? null : berSet(crls.stream().map(CertsOnly::asn1).toList());
        SignedData signedData = new SignedData(new DLSet(), new ContentInfo(CMSObjectIdentifiers.data, null),
                certSet, crlSet, new DLSet());
        try {
            return new ContentInfo(CMSObjectIdentifiers.signedData, signedData).getEncoded(ASN1Encoding.DL);
        } catch (IOException e) {
            throw new IllegalStateException("degenerate SignedData cannot be encoded", e);
        }
    }

    private static ASN1Set berSet(List<ASN1Encodable> elements) {
        return new BERSet(elements.toArray(ASN1Encodable[]::new));
    }

    private static ASN1Encodable asn1(X509Certificate certificate) {
        try {
            return Certificate.getInstance(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    private static ASN1Encodable asn1(X509CRL crl) {
        try {
            return CertificateList.getInstance(crl.getEncoded());
        } catch (CRLException e) {
            throw new IllegalArgumentException("CRL cannot be encoded", e);
        }
    }
}
