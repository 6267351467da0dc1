package org.scepca.ca.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.GeneralName;

/** A subjectAltName as "type:value", the form the store keeps and searches (and the policy measures). */
public final class SanText {
    private SanText() {
    }

    public static String of(GeneralName n) {
        return switch (n.getTagNo()) {
            case GeneralName.dNSName -> "dns:" + ((ASN1String) n.getName()).getString();
            case GeneralName.rfc822Name -> "email:" + ((ASN1String) n.getName()).getString();
            case GeneralName.uniformResourceIdentifier -> "uri:" + ((ASN1String) n.getName()).getString();
            case GeneralName.iPAddress -> {
                try {
                    yield "ip:" + InetAddress.getByAddress(ASN1OctetString.getInstance(n.getName()).getOctets())
                            .getHostAddress();
                } catch (UnknownHostException e) {
                    yield "ip:?";
                }
            }
            case GeneralName.otherName -> {
                ASN1Sequence seq = ASN1Sequence.getInstance(n.getName());
                if (PermanentIdentifiers.is(seq)) {
                    yield PermanentIdentifiers.SAN_PREFIX + PermanentIdentifiers.of(seq).orElse("?");
                }
                ASN1Encodable v = ASN1TaggedObject.getInstance(seq.getObjectAt(1)).getExplicitBaseObject();
                yield "upn:" + (v instanceof ASN1String s ? s.getString() : "?");
            }
            default -> "other:" + n.getTagNo();
        };
    }
}
