package org.scepca.ca.material;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** The names this CA goes by: no device may be issued one of them (see CsrValidator). */
public final class CaNames {
    private static final String OCSP_SUFFIX = " OCSP Responder";
    private static final int UB_COMMON_NAME = 64;

    private CaNames() {
    }

    /** Root, issuing CA, RA, the OCSP responder, and the staged next issuing CA and RA. */
    public static Set<X500Name> reserved(CaMaterial m) {
        Set<X500Name> names = new LinkedHashSet<>();
        names.add(name(m.root()));
        names.add(name(m.intermediateCertificate()));
        names.add(name(m.raCertificate()));
        names.add(ocspResponder(name(m.intermediateCertificate())));
        m.next().ifPresent(n -> {
            names.add(name(n.intermediate().certificate()));
            names.add(name(n.ra().certificate()));
            names.add(ocspResponder(name(n.intermediate().certificate())));
        });
        return Set.copyOf(names);
    }

    /** The issuer's name with "OCSP Responder" appended to its CN (RFC 5280 ub-common-name: 64 characters). */
    public static X500Name ocspResponder(X500Name issuerName) {
        List<RDN> rdns = new ArrayList<>();
        boolean named = false;
        for (RDN rdn : issuerName.getRDNs()) {
            if (!named && !rdn.isMultiValued() && BCStyle.CN.equals(rdn.getFirst().getType())) {
                String cn = rdn.getFirst().getValue() instanceof ASN1String text ? text.getString()
                        : IETFUtils.valueToString(rdn.getFirst().getValue());
                cn = cn.substring(0, Math.min(cn.length(), UB_COMMON_NAME - OCSP_SUFFIX.length()));
                rdns.add(new RDN(BCStyle.CN, new DERUTF8String(cn + OCSP_SUFFIX)));
                named = true;
            } else {
                rdns.add(rdn);
            }
        }
        if (!named) {
            rdns.add(new RDN(BCStyle.CN, new DERUTF8String(OCSP_SUFFIX.strip())));
        }
        return new X500Name(rdns.toArray(new RDN[0]));
    }

    private static X500Name name(X509Certificate c) {
        return X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
    }
}
