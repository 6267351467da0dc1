package org.scepca.scep.message;

import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** Reads SCEP-relevant attributes out of a PKCS#10 request. */
public final class CsrAttributes {

    private CsrAttributes() {
    }

    /**
     * The PKCS#9 challengePassword (RFC 8894 §2.3: the shared secret that authorizes enrollment).
     *
     * <p>The attribute is a DirectoryString, and clients differ in which variant they write
     * (PrintableString, UTF8String, BMPString, T61String, and IA5String from some non-conforming ones),
     * so any ASN.1 string type is read. A request carrying several challengePassword attributes or
     * values is ambiguous and yields empty, which callers treat as "no password" and refuse.
     */
    public static Optional<String> challengePassword(PKCS10CertificationRequest csr) {
        Objects.requireNonNull(csr, "csr is null");
        Attribute[] attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_challengePassword);
        if (attributes.length != 1) {
            return Optional.empty();
        }
        ASN1Set values = attributes[0].getAttrValues();
        if (values == null || values.size() != 1) {
            return Optional.empty();
        }
        ASN1Encodable value = values.getObjectAt(0);
        if (value instanceof ASN1String string) {
            return Optional.of(string.getString());
        }
        return Optional.empty();
    }

    /**
     * The subjectAltNames the CSR asks for, as "type:value" strings (empty if none, or if the extension request cannot
     * be read: the issuance policy refuses such a request anyway). For recording who a request is for, not for policy.
     */
    public static java.util.List<String> requestedSans(PKCS10CertificationRequest csr) {
        try {
            for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (ASN1Encodable v : a.getAttrValues()) {
                    org.bouncycastle.asn1.x509.Extensions ext = org.bouncycastle.asn1.x509.Extensions.getInstance(v);
                    org.bouncycastle.asn1.x509.GeneralNames names = org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(
                            ext, org.bouncycastle.asn1.x509.Extension.subjectAlternativeName);
                    if (names != null) {
                        return java.util.Arrays.stream(names.getNames()).map(org.scepca.ca.policy.SanText::of).toList();
                    }
                }
            }
        } catch (RuntimeException e) {
            return java.util.List.of();
        }
        return java.util.List.of();
    }
}
