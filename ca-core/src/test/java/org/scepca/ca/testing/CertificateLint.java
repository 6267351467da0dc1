package org.scepca.ca.testing;

import java.io.IOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The certificate linter checks (zlint's RFC 5280 lints and the community ones that apply to a private PKI) that an
 * end-entity certificate from this CA must pass, written out so that every issuance test can run them: no zlint or
 * pkilint package installs here. Each problem names the zlint lint it stands for.
 */
public final class CertificateLint {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    /** RFC 5280 Appendix A upper bounds. */
    private static final Map<ASN1ObjectIdentifier, Integer> UPPER_BOUNDS = Map.of(BCStyle.CN, 64, BCStyle.O, 64,
            BCStyle.OU, 64, BCStyle.L, 128, BCStyle.ST, 128, BCStyle.C, 2, BCStyle.SERIALNUMBER, 64, BCStyle.E, 255);

    private CertificateLint() {
    }

    /** The problems found; empty when the certificate passes. */
    public static List<String> problems(X509Certificate c) {
        List<String> p = new ArrayList<>();
        try {
            X509CertificateHolder h = new X509CertificateHolder(c.getEncoded());
            keyUsage(c, p);
            subject(h.getSubject(), p);
            sans(c, h, p);
            if (c.getSerialNumber().signum() <= 0 || c.getSerialNumber().toByteArray().length > 20) {
                p.add("e_serial_number_not_positive / e_serial_number_longer_than_20_octets");
            }
            if (c.getSerialNumber().bitLength() < 64) {
                p.add("serial number below 64 bits of entropy");
            }
            if (h.getExtension(Extension.authorityKeyIdentifier) == null) {
                p.add("e_ext_authority_key_identifier_missing");
            }
            if (h.getExtension(Extension.subjectKeyIdentifier) == null) {
                p.add("w_ext_subject_key_identifier_missing_sub_cert");
            }
            if (c.getBasicConstraints() != -1) {
                p.add("end-entity certificate with CA:TRUE");
            }
        } catch (IOException | java.security.cert.CertificateEncodingException e) {
            p.add("cannot parse: " + e);
        }
        return p;
    }

    /** RFC 5280 §4.2.1.12 (e_key_usage_and_extended_key_usage_inconsistent), RFC 5480 §3 for EC keys. */
    private static void keyUsage(X509Certificate c, List<String> p) {
        boolean[] ku = c.getKeyUsage();
        if (ku == null) {
            p.add("no key usage");
            return;
        }
        boolean ds = ku[0];
        boolean ke = ku[2];
        boolean ka = ku[4];
        if (ku[5] || ku[6]) {
            p.add("keyCertSign or cRLSign on an end-entity certificate");
        }
        if (c.getPublicKey() instanceof ECPublicKey && ke) {
            p.add("e_ec_improper_key_usage: keyEncipherment on an EC key");
        }
        List<String> eku;
        try {
            eku = c.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            p.add("cannot parse EKU");
            return;
        }
        if (eku == null || eku.isEmpty()) {
            return;
        }
        // Each purpose allows a set of bits; several purposes allow the union (zlint's multiPurpose).
        boolean keAllowed = eku.contains(SERVER_AUTH) || eku.contains(EMAIL_PROTECTION)
                || eku.stream().anyMatch(e -> !Set.of(CLIENT_AUTH, SERVER_AUTH, EMAIL_PROTECTION).contains(e));
        if (ke && !keAllowed) {
            p.add("e_key_usage_and_extended_key_usage_inconsistent: keyEncipherment with " + eku);
        }
        if (eku.contains(CLIENT_AUTH) && !ds && !ka) {
            p.add("clientAuth without digitalSignature or keyAgreement");
        }
    }

    private static void subject(X500Name subject, List<String> p) {
        for (RDN rdn : subject.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                ASN1ObjectIdentifier t = atv.getType();
                ASN1Encodable v = atv.getValue();
                String name = BCStyle.INSTANCE.oidToDisplayName(t);
                String text = v instanceof ASN1String s ? s.getString() : "";
                Integer bound = UPPER_BOUNDS.get(t);
                if (bound != null && text.codePointCount(0, text.length()) > bound) {
                    p.add("e_subject_" + name + "_max_length: " + text.length());
                }
                if (t.equals(BCStyle.C) && !(v instanceof ASN1PrintableString && text.matches("[A-Z]{2}"))) {
                    p.add("e_subject_dn_country_not_printable_string / e_subj_country_not_uppercase");
                } else if (t.equals(BCStyle.SERIALNUMBER) && !(v instanceof ASN1PrintableString)) {
                    p.add("e_subject_dn_serial_number_not_printable_string");
                } else if ((t.equals(BCStyle.E) || t.equals(BCStyle.DC)) && !(v instanceof ASN1IA5String)) {
                    p.add(name + " not an IA5String");
                } else if (!t.equals(BCStyle.E) && !t.equals(BCStyle.DC)
                        && !(v instanceof ASN1PrintableString || v instanceof ASN1UTF8String)) {
                    p.add(name + ": DirectoryString other than PrintableString or UTF8String (RFC 5280 §4.1.2.4)");
                }
                if (v instanceof ASN1PrintableString && !DERPrintableString.isPrintableString(text)) {
                    p.add("e_subject_printable_string_badalpha: " + name);
                }
            }
        }
    }

    private static void sans(X509Certificate c, X509CertificateHolder h, List<String> p) throws IOException {
        Collection<List<?>> sans;
        try {
            sans = c.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            p.add("cannot parse SAN");
            return;
        }
        List<String> emails = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == 1) {
                    emails.add(value.toLowerCase(java.util.Locale.ROOT));
                    if (!value.matches("[^@<>\\s\"]+@[A-Za-z0-9.-]+")) {
                        p.add("e_ext_san_rfc822_format_invalid: " + value);
                    }
                }
                if (type == 2 && value.length() > 253) {
                    p.add("e_ext_san_dns_name_too_long");
                }
                if ((type == 1 || type == 2 || type == 6) && !value.chars().allMatch(ch -> ch < 0x80)) {
                    p.add("e_ext_san_*_not_ia5: " + value);
                }
            }
            if (sans.size() != sans.stream().map(s -> s.get(0) + ":" + String.valueOf(s.get(1)).toLowerCase(
                    java.util.Locale.ROOT)).distinct().count()) {
                p.add("a SAN twice");
            }
        }
        X500Name subject = h.getSubject();
        for (RDN rdn : subject.getRDNs(BCStyle.E)) {
            String e = ((ASN1String) rdn.getFirst().getValue()).getString().toLowerCase(java.util.Locale.ROOT);
            if (!emails.contains(e)) {
                p.add("e_subj_email_not_in_san: " + e);
            }
        }
        Extension san = h.getExtension(Extension.subjectAlternativeName);
        if (subject.getRDNs().length == 0 && (san == null || !san.isCritical())) {
            p.add("e_ext_san_not_critical_without_subject");
        }
        if (san != null && subject.getRDNs().length > 0 && san.isCritical()) {
            p.add("w_ext_san_critical_with_subject");
        }
    }
}
