package org.scepca.est;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.scepca.ca.policy.IssuancePolicy;

/**
 * The CSR attributes an endpoint suggests (RFC 7030 §4.5.2, {@code CsrAttrs ::= SEQUENCE OF AttrOrOID}), derived
 * from its policy: the key the policy prefers and the signature to make the CSR with. Only suggestions: whatever the
 * client sends is checked by the policy, and no extension a client asks for is copied into a certificate.
 *
 * <p>With EC allowed: {@code id-ecPublicKey} with the curve (P-256 where allowed: the Secure Enclave's only curve)
 * and {@code ecdsa-with-SHA256}; with RSA only: {@code rsaEncryption} and {@code sha256WithRSAEncryption}.
 */
final class CsrAttrs {
    private static final List<String> CURVE_PREFERENCE = List.of("secp256r1", "secp384r1", "secp521r1");

    private CsrAttrs() {
    }

    static Optional<byte[]> forPolicy(IssuancePolicy policy) {
        ASN1EncodableVector attrs = new ASN1EncodableVector();
        Optional<String> curve = CURVE_PREFERENCE.stream().filter(policy.allowedCurves()::contains).findFirst();
        if (curve.isPresent()) {
            // RFC 7030 §4.5.2's example: an Attribute of type id-ecPublicKey whose value is the curve to use.
            attrs.add(new Attribute(X9ObjectIdentifiers.id_ecPublicKey, new DERSet(curveOid(curve.get()))));
            attrs.add(X9ObjectIdentifiers.ecdsa_with_SHA256);
        } else {
            attrs.add(PKCSObjectIdentifiers.rsaEncryption);
            attrs.add(PKCSObjectIdentifiers.sha256WithRSAEncryption);
        }
        try {
            return Optional.of(new DERSequence(attrs).getEncoded(ASN1Encoding.DER));
        } catch (IOException e) {
            throw new IllegalStateException("CsrAttrs cannot be encoded", e);
        }
    }

    private static ASN1Encodable curveOid(String name) {
        ASN1ObjectIdentifier oid = switch (name) {
            case "secp256r1" -> SECObjectIdentifiers.secp256r1;
            case "secp384r1" -> SECObjectIdentifiers.secp384r1;
            case "secp521r1" -> SECObjectIdentifiers.secp521r1;
            default -> throw new IllegalArgumentException("unknown curve " + name);
        };
        return oid;
    }
}
