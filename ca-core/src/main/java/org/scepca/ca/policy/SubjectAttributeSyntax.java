package org.scepca.ca.policy;

import java.util.Map;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1BMPString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1T61String;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The string type and upper bound of each subject attribute the CA writes, from X.520 and RFC 5280 Appendix A. The
 * requester's encoding is not copied: the CA encodes each value the way the attribute's syntax says (what a
 * certificate linter checks, zlint's {@code e_subject_dn_country_not_printable_string} and its kin), and refuses a
 * value that syntax cannot hold or that is longer than its upper bound ({@code e_subject_common_name_max_length}).
 *
 * <ul>
 * <li>DirectoryString attributes (CN, O, OU, L, ST, title, ...): RFC 5280 §4.1.2.4 allows PrintableString or
 * UTF8String. A PrintableString stays one when its characters are in that alphabet; anything else becomes a
 * UTF8String. A TeletexString is taken only when it is ASCII (its other bytes have no single meaning); a
 * UniversalString is refused.</li>
 * <li>countryName: a PrintableString of two capital letters (ISO 3166-1 alpha-2).</li>
 * <li>serialNumber, dnQualifier: PrintableString only.</li>
 * <li>emailAddress (PKCS #9) and domainComponent (RFC 4519): IA5String, so ASCII only.</li>
 * </ul>
 *
 * Re-encoding does not change the name: X.500 matching (RFC 5280 §7.1, {@code X500Principal.equals}) ignores the
 * string type, so a renewal still matches a certificate issued before the CA encoded this way.
 */
public final class SubjectAttributeSyntax {
    private enum Kind { DIRECTORY, PRINTABLE, COUNTRY, IA5 }

    private record Syntax(Kind kind, int upperBound) {
    }

    private static final ASN1ObjectIdentifier DN_QUALIFIER = new ASN1ObjectIdentifier("2.5.4.46");

    /** RFC 5280 Appendix A (ub-*); attributes not listed keep the generic checks and the DirectoryString rule. */
    private static final Map<ASN1ObjectIdentifier, Syntax> SYNTAX = Map.ofEntries(
            Map.entry(BCStyle.CN, new Syntax(Kind.DIRECTORY, 64)),
            Map.entry(BCStyle.O, new Syntax(Kind.DIRECTORY, 64)),
            Map.entry(BCStyle.OU, new Syntax(Kind.DIRECTORY, 64)),
            Map.entry(BCStyle.L, new Syntax(Kind.DIRECTORY, 128)),
            Map.entry(BCStyle.ST, new Syntax(Kind.DIRECTORY, 128)),
            Map.entry(BCStyle.T, new Syntax(Kind.DIRECTORY, 64)),
            Map.entry(BCStyle.PSEUDONYM, new Syntax(Kind.DIRECTORY, 128)),
            Map.entry(BCStyle.SURNAME, new Syntax(Kind.DIRECTORY, 32768)),
            Map.entry(BCStyle.GIVENNAME, new Syntax(Kind.DIRECTORY, 32768)),
            Map.entry(BCStyle.INITIALS, new Syntax(Kind.DIRECTORY, 32768)),
            Map.entry(BCStyle.GENERATION, new Syntax(Kind.DIRECTORY, 32768)),
            Map.entry(BCStyle.C, new Syntax(Kind.COUNTRY, 2)),
            Map.entry(BCStyle.SERIALNUMBER, new Syntax(Kind.PRINTABLE, 64)),
            Map.entry(DN_QUALIFIER, new Syntax(Kind.PRINTABLE, Integer.MAX_VALUE)),
            Map.entry(BCStyle.E, new Syntax(Kind.IA5, 255)),
            Map.entry(BCStyle.DC, new Syntax(Kind.IA5, Integer.MAX_VALUE)));

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern ASCII = Pattern.compile("[\\x20-\\x7E]*");

    private SubjectAttributeSyntax() {
    }

    /**
     * A whole name as the CA encodes it, for names an operator gives (the CA's own subjects): the same attributes,
     * each checked and encoded as {@link #encode} does.
     *
     * @throws PolicyViolationException naming the attribute and the rule
     */
    public static X500Name encoded(X500Name name) {
        return X500Match.mapValues(name, atv -> {
            ASN1ObjectIdentifier type = atv.getType();
            String display = BCStyle.INSTANCE.oidToDisplayName(type);
            String shortName = display != null ? display : type.getId();
            if (!(atv.getValue() instanceof ASN1String text)) {
                throw new PolicyViolationException("attribute " + shortName + " is not a string");
            }
            return new AttributeTypeAndValue(type, encode(type, shortName, atv.getValue(), text.getString()));
        });
    }

    /**
     * The value as the CA encodes it.
     *
     * @param name  the attribute's short name, for messages
     * @param value the requested value (an {@link ASN1String})
     * @param text  its text
     * @throws PolicyViolationException naming the attribute and the rule
     */
    static ASN1Encodable encode(ASN1ObjectIdentifier type, String name, ASN1Encodable value, String text) {
        Syntax syntax = SYNTAX.getOrDefault(type, new Syntax(Kind.DIRECTORY, Integer.MAX_VALUE));
        int length = text.codePointCount(0, text.length());
        if (length > syntax.upperBound()) {
            throw new PolicyViolationException("subject attribute " + name + " is longer than " + syntax.upperBound()
                    + " characters (its upper bound in X.520, RFC 5280 Appendix A)");
        }
        return switch (syntax.kind()) {
            case COUNTRY -> {
                if (!COUNTRY.matcher(text).matches()) {
                    throw new PolicyViolationException("subject attribute " + name
                            + " must be a two-letter ISO 3166 country code in capitals");
                }
                yield new DERPrintableString(text);
            }
            case PRINTABLE -> {
                if (!DERPrintableString.isPrintableString(text)) {
                    throw new PolicyViolationException("subject attribute " + name
                            + " may hold only PrintableString characters (letters, digits, space and '()+,-./:=?)");
                }
                yield new DERPrintableString(text);
            }
            case IA5 -> {
                if (!ASCII.matcher(text).matches()) {
                    throw new PolicyViolationException("subject attribute " + name + " must be ASCII (an IA5String)");
                }
                yield new DERIA5String(text);
            }
            case DIRECTORY -> directoryString(name, value, text);
        };
    }

    private static ASN1Encodable directoryString(String name, ASN1Encodable value, String text) {
        if (value instanceof ASN1PrintableString && DERPrintableString.isPrintableString(text)
                || value instanceof ASN1UTF8String) {
            return value;
        }
        if (value instanceof ASN1T61String && !ASCII.matcher(text).matches()) {
            throw new PolicyViolationException("subject attribute " + name
                    + " is a TeletexString with non-ASCII bytes; send it as a UTF8String");
        }
        if (!(value instanceof ASN1PrintableString || value instanceof ASN1BMPString || value instanceof ASN1T61String
                || value instanceof ASN1IA5String)) {
            throw new PolicyViolationException("subject attribute " + name + " has an unsupported string type; send"
                    + " it as a UTF8String");
        }
        return new DERUTF8String(text);
    }
}
