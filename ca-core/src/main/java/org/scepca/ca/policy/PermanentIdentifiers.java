package org.scepca.ca.policy;

import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The RFC 4043 PermanentIdentifier subjectAltName, the name a device certificate carries for the serial number or
 * UDID that an attestation proved (ACME device-attest-01):
 *
 * <pre>
 * OtherName ::= SEQUENCE { type-id id-on-permanentIdentifier, value [0] EXPLICIT PermanentIdentifier }
 * PermanentIdentifier ::= SEQUENCE { identifierValue UTF8String OPTIONAL, assigner OBJECT IDENTIFIER OPTIONAL }
 * </pre>
 *
 * The assigner is left out: there is no registered OID for "Apple's serial numbers", and the value's meaning is the
 * ACME identifier's (draft-ietf-acme-device-attest, section 3). Only the CA writes it, from what it verified; a CSR
 * that asks for one is refused.
 */
public final class PermanentIdentifiers {
    /** id-on-permanentIdentifier (RFC 4043 section 2). */
    public static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.3");
    /** What a permanent identifier may be: a serial number or UDID (letters, digits, hyphens; at most 64). */
    public static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** How the name reads in the store, in search and in the policy's measures. */
    public static final String SAN_PREFIX = "permanent-id:";

    private PermanentIdentifiers() {
    }

    /** The subjectAltName for {@code value}. */
    public static GeneralName generalName(String value) {
        return new GeneralName(GeneralName.otherName, new DERSequence(new ASN1Encodable[] {OID,
                new DERTaggedObject(true, 0, new DERSequence(new DERUTF8String(value)))}));
    }

    /**
     * The identifierValue of an otherName's value ({@code [0] EXPLICIT PermanentIdentifier}); empty if it has none or
     * is not a PermanentIdentifier.
     */
    static Optional<String> value(ASN1Encodable otherNameValue) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(otherNameValue);
            if (seq.size() > 0 && seq.getObjectAt(0) instanceof DERUTF8String s) {
                return Optional.of(s.getString());
            }
        } catch (RuntimeException e) {
            // not a PermanentIdentifier
        }
        return Optional.empty();
    }

    /** True for an otherName SEQUENCE whose type-id is id-on-permanentIdentifier. */
    static boolean is(ASN1Sequence otherName) {
        return otherName.size() == 2 && OID.equals(otherName.getObjectAt(0));
    }

    /** The identifierValue of a permanentIdentifier otherName SEQUENCE, if it has one. */
    static Optional<String> of(ASN1Sequence otherName) {
        return is(otherName) ? value(ASN1TaggedObject.getInstance(otherName.getObjectAt(1)).getExplicitBaseObject())
                : Optional.empty();
    }
}
