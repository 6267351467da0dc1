package org.scepca.scep.message;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/** OIDs of the SCEP signed attributes (RFC 8894 §3.2.1), under Verisign's arc 2.16.840.1.113733.1.9. */
final class ScepAttributes {

    private static final ASN1ObjectIdentifier ARC = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9");

    static final ASN1ObjectIdentifier MESSAGE_TYPE = ARC.branch("2");
    static final ASN1ObjectIdentifier PKI_STATUS = ARC.branch("3");
    static final ASN1ObjectIdentifier FAIL_INFO = ARC.branch("4");
    static final ASN1ObjectIdentifier SENDER_NONCE = ARC.branch("5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = ARC.branch("6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = ARC.branch("7");

    private ScepAttributes() {
    }
}
