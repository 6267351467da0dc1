package org.scepca.ca.policy;

import java.io.IOException;
import java.util.function.UnaryOperator;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1UniversalString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * X.500 name matching (RFC 5280 §7.1: case and runs of spaces do not make another name) that also ignores the
 * string type a value was sent in. {@code X500Principal.equals} compares only PrintableString and UTF8String values as
 * text and every other type as bytes, so an emailAddress sent as a UTF8String and the same one as an IA5String would
 * be two names; the CA re-encodes subjects ({@link SubjectAttributeSyntax}), so a renewal or a binding must match the
 * name, not its encoding.
 */
final class X500Match {
    private X500Match() {
    }

    /** A key equal for two names exactly when they match. */
    static String key(X500Name name) {
        X500Name text = mapValues(name, atv -> atv.getValue() instanceof ASN1String s
                && !(atv.getValue() instanceof ASN1UniversalString)
                ? new AttributeTypeAndValue(atv.getType(), new DERUTF8String(s.getString())) : atv);
        try {
            return new X500Principal(text.getEncoded()).getName(X500Principal.CANONICAL);
        } catch (IOException | IllegalArgumentException e) {
            return name.toString();
        }
    }

    /** The same name, RDN by RDN, with each attribute replaced by {@code f}'s (in encoding order). */
    static X500Name mapValues(X500Name name, UnaryOperator<AttributeTypeAndValue> f) {
        RDN[] rdns = name.getRDNs();
        RDN[] out = new RDN[rdns.length];
        for (int i = 0; i < rdns.length; i++) {
            AttributeTypeAndValue[] atvs = rdns[i].getTypesAndValues();
            AttributeTypeAndValue[] mapped = new AttributeTypeAndValue[atvs.length];
            for (int j = 0; j < atvs.length; j++) {
                mapped[j] = f.apply(atvs[j]);
            }
            out[i] = mapped.length == 1 ? new RDN(mapped[0]) : new RDN(mapped);
        }
        return new X500Name(out);
    }

    static String key(byte[] der) {
        return key(X500Name.getInstance(der));
    }

    /**
     * The email SANs a subject vouches for: "email:" and each emailAddress value, the SAN the CA adds for it
     * (RFC 5280 §4.1.2.6, {@code CsrValidator}).
     */
    static java.util.Set<String> subjectEmailSans(byte[] der) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (RDN rdn : X500Name.getInstance(der).getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.E)) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(org.bouncycastle.asn1.x500.style.BCStyle.E) && atv.getValue() instanceof ASN1String s) {
                    out.add("email:" + s.getString());
                }
            }
        }
        return out;
    }
}
