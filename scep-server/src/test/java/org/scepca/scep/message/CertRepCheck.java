package org.scepca.scep.message;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.scepca.scep.ScepReply;

/**
 * The fuzz targets' oracle for a PKIOperation answer: a CertRep (messageType 3) signed by the RA certificate, with a
 * pkiStatus of SUCCESS, FAILURE or PENDING and, on FAILURE, one of the five standard failInfo values (RFC 8894 §3.2.1).
 */
final class CertRepCheck {
    private static final Set<String> STATUSES = Set.of("0", "2", "3");
    private static final Set<String> FAIL_INFOS = Set.of("0", "1", "2", "3", "4");

    /** What a verified CertRep said; {@code label} is "success", "pending" or "failure:badRequest" and the like. */
    record Rep(String status, String failInfo, String transactionId, byte[] recipientNonce) {
        String label() {
            return switch (status) {
                case "0" -> "success";
                case "3" -> "pending";
                default -> "failure:" + FailInfo.values()[Integer.parseInt(failInfo)].name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    private CertRepCheck() {
    }

    /** Verifies {@code reply}; throws AssertionError (a fuzz finding) if it is not a signed, well-formed CertRep. */
    static Rep verify(ScepReply reply, X509Certificate ra) {
        if (!ScepReply.PKI_MESSAGE.equals(reply.contentType())) {
            throw new AssertionError("PKIOperation answered with " + reply.contentType());
        }
        try {
            CMSSignedData signed = new CMSSignedData(reply.body());
            var signers = signed.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new AssertionError("CertRep has " + signers.size() + " signers");
            }
            SignerInformation signer = signers.iterator().next();
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(ra))) {
                throw new AssertionError("CertRep signature does not verify with the RA certificate");
            }
            AttributeTable a = signer.getSignedAttributes();
            if (!"3".equals(text(a, ScepAttributes.MESSAGE_TYPE))) {
                throw new AssertionError("reply messageType is not CertRep");
            }
            String status = text(a, ScepAttributes.PKI_STATUS);
            if (!STATUSES.contains(status)) {
                throw new AssertionError("pkiStatus " + status);
            }
            String failInfo = a.get(ScepAttributes.FAIL_INFO) == null ? null : text(a, ScepAttributes.FAIL_INFO);
            if ("2".equals(status) != (failInfo != null) || failInfo != null && !FAIL_INFOS.contains(failInfo)) {
                throw new AssertionError("pkiStatus " + status + " with failInfo " + failInfo);
            }
            if ("0".equals(status) && signed.getSignedContent() == null) {
                throw new AssertionError("SUCCESS without a pkcsPKIEnvelope");
            }
            ASN1Encodable nonce = value(a, ScepAttributes.RECIPIENT_NONCE);
            return new Rep(status, failInfo, text(a, ScepAttributes.TRANSACTION_ID),
                    ASN1OctetString.getInstance(nonce).getOctets());
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("reply is not a valid CertRep", e);
        }
    }

    /** The reply answers the request it was for: same transactionID, recipientNonce = senderNonce. */
    static void assertAddressed(Rep rep, String transactionId, byte[] senderNonce) {
        if (!rep.transactionId().equals(transactionId) || !Arrays.equals(rep.recipientNonce(), senderNonce)) {
            throw new AssertionError("CertRep not addressed to the request (transactionID or nonce differ)");
        }
    }

    private static ASN1Encodable value(AttributeTable a, ASN1ObjectIdentifier oid) {
        Attribute attribute = a.get(oid);
        if (attribute == null || attribute.getAttrValues().size() != 1) {
            throw new AssertionError("attribute " + oid + " missing or repeated");
        }
        return attribute.getAttrValues().getObjectAt(0);
    }

    private static String text(AttributeTable a, ASN1ObjectIdentifier oid) {
        return ((ASN1String) value(a, oid)).getString();
    }
}
