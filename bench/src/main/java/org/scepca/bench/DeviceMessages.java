package org.scepca.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What a device sends and checks (RFC 8894 §3.2, §3.3): a PKCSReq signed by a throwaway self-signed certificate of
 * its key and encrypted (AES-128-CBC, what sscep and iOS pick from "AES") to the RA; and the CertRep it gets back.
 * Uses the default JCA providers, like the server.
 */
final class DeviceMessages {
    // RFC 8894 §3.2.1 attribute OIDs (id-attributes of VeriSign's arc).
    static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.2");
    static final ASN1ObjectIdentifier PKI_STATUS = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.3");
    static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.4");
    static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.7");

    private final X509Certificate ra;
    private final SecureRandom random;
    private final DigestCalculatorProvider digests;

    DeviceMessages(X509Certificate ra, SecureRandom random) {
        this.ra = Objects.requireNonNull(ra, "ra is null");
        this.random = Objects.requireNonNull(random, "random is null");
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A device identity: its key and the self-signed certificate that signs its pkiMessages. */
    record Device(KeyPair keys, X509Certificate signer) {
    }

    static Device device(KeyPair keys, String name) {
        try {
            X500Name subject = new X500Name("CN=" + name + ",O=scepca bench");
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(30, ChronoUnit.DAYS)), subject,
                    keys.getPublic());
            X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
            return new Device(keys, org.scepca.ca.pem.Pem.certificate(h.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException("self-signed device certificate", e);
        }
    }

    /** One prepared enrollment. */
    record Prepared(int index, byte[] message, String transactionId, byte[] senderNonce, Device device, String cn) {
    }

    Prepared pkcsReq(int index, Device device, String cn, String challenge) {
        try {
            X500Name subject = new X500Name("CN=" + cn + ",O=scepca bench");
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, device.keys().getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge))
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(device.keys().getPrivate()));

            CMSEnvelopedDataGenerator envelopes = new CMSEnvelopedDataGenerator();
            envelopes.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(ra));
            CMSEnvelopedData envelope = envelopes.generate(new CMSProcessableByteArray(csr.getEncoded()),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setSecureRandom(random).build());

            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            byte[] tid = new byte[20];
            random.nextBytes(tid);
            String transactionId = HexFormat.of().formatHex(tid);
            ASN1EncodableVector attributes = new ASN1EncodableVector();
            attributes.add(attribute(MESSAGE_TYPE, new DERPrintableString("19")));
            attributes.add(attribute(TRANSACTION_ID, new DERPrintableString(transactionId)));
            attributes.add(attribute(SENDER_NONCE, new DEROctetString(nonce)));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(device.keys().getPrivate());
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(digests)
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(signer, new X509CertificateHolder(device.signer().getEncoded())));
            generator.addCertificate(new X509CertificateHolder(device.signer().getEncoded()));
            byte[] message = generator.generate(new CMSProcessableByteArray(envelope.getEncoded()), true).getEncoded();
            return new Prepared(index, message, transactionId, nonce, device, cn);
        } catch (Exception e) {
            throw new IllegalStateException("building PKCSReq " + index, e);
        }
    }

    private static Attribute attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        return new Attribute(type, new DERSet(value));
    }

    /** The pkiStatus of a CertRep, read without decrypting: "0" SUCCESS, "2" FAILURE, "3" PENDING. */
    static String pkiStatus(byte[] certRep) throws IOException {
        try {
            SignerInformation si = new CMSSignedData(certRep).getSignerInfos().getSigners().iterator().next();
            return string(si.getSignedAttributes(), PKI_STATUS);
        } catch (org.bouncycastle.cms.CMSException | RuntimeException e) {
            throw new IOException("reply is not a CertRep", e);
        }
    }

    /**
     * Checks a reply as a device would: signed by the RA, a CertRep SUCCESS for this transaction answering this nonce;
     * and, when {@code decrypt}, that the enveloped certificate is for this device's key and subject.
     *
     * @return empty if good, else what is wrong
     */
    String check(Prepared p, byte[] reply, boolean decrypt) {
        try {
            CMSSignedData signed = new CMSSignedData(reply);
            SignerInformation si = signed.getSignerInfos().getSigners().iterator().next();
            if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(ra))) {
                return "signature does not verify with the RA certificate";
            }
            AttributeTable attrs = si.getSignedAttributes();
            if (!"3".equals(string(attrs, MESSAGE_TYPE))) {
                return "messageType is not CertRep";
            }
            String status = string(attrs, PKI_STATUS);
            if (!"0".equals(status)) {
                return "pkiStatus " + status + (attrs.get(FAIL_INFO) != null ? " failInfo " + string(attrs, FAIL_INFO) : "");
            }
            if (!p.transactionId().equals(string(attrs, TRANSACTION_ID))) {
                return "transactionID differs";
            }
            byte[] recipientNonce = ASN1OctetString.getInstance(attrs.get(RECIPIENT_NONCE).getAttrValues().getObjectAt(0))
                    .getOctets();
            if (!Arrays.equals(recipientNonce, p.senderNonce())) {
                return "recipientNonce is not our senderNonce";
            }
            if (!decrypt) {
                return "";
            }
            CMSEnvelopedData envelope = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
            RecipientInformation recipient = envelope.getRecipientInfos().getRecipients().iterator().next();
            PrivateKey key = p.device().keys().getPrivate();
            byte[] degenerate = recipient.getContent(new JceKeyTransEnvelopedRecipient(key));
            var certs = new CMSSignedData(degenerate).getCertificates().getMatches(null);
            if (certs.isEmpty()) {
                return "no certificate in the reply";
            }
            X509CertificateHolder issued = certs.iterator().next();
            if (!Arrays.equals(issued.getSubjectPublicKeyInfo().getEncoded(), p.device().keys().getPublic().getEncoded())) {
                return "certificate is not for this device's key";
            }
            if (!issued.getSubject().toString().contains("CN=" + p.cn())) {
                return "certificate subject " + issued.getSubject() + " is not CN=" + p.cn();
            }
            return "";
        } catch (Exception e) {
            return "unreadable reply: " + e;
        }
    }

    private static String string(AttributeTable attrs, ASN1ObjectIdentifier type) {
        Attribute a = attrs.get(type);
        if (a == null) {
            return "absent";
        }
        return ((ASN1String) a.getAttrValues().getObjectAt(0)).getString();
    }
}
