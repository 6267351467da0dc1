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
}
