package org.scepca.scep.message;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Builds SCEP request pkiMessages with Bouncy Castle, for what jscep's client cannot send: RenewalReq,
 * OAEP key transport, 8-byte nonces, odd digests and ciphers, malformed attributes. Each setter changes
 * one thing from a valid AES-128 / SHA-256 PKCSReq.
 */
final class TestRequests {

    private final TestPki pki;
    private String messageType = "19";
    private String transactionId = "7c0ffee7c0ffee";
    private byte[] senderNonce = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    /** Null until set: build() then signs a fresh CSR (an RSA private-key operation that a caller's own data saves). */
    private byte[] messageData;
    private ASN1ObjectIdentifier cipher = CMSAlgorithm.AES128_CBC;
    private boolean oaep;
    private String signatureAlgorithm = "SHA256withRSA";
    private X509Certificate recipient;
    private X509Certificate signerCert;
    private PrivateKey signerKey;
    private boolean berEncoding = true;
    private boolean includeSignerCertificate = true;
    /** The provider that digests and signs; null: the first registered provider that has the algorithm. */
    private String signingProvider = BouncyCastleProvider.PROVIDER_NAME;
    private final Set<ASN1ObjectIdentifier> omitted = new HashSet<>();

    private TestRequests(TestPki pki) {
        this.pki = pki;
        this.recipient = pki.raCert;
        this.signerCert = pki.requesterCert;
        this.signerKey = pki.requesterKeys.getPrivate();
    }

    static TestRequests pkcsReq(TestPki pki) {
        return new TestRequests(pki);
    }

    TestRequests messageType(String value) {
        this.messageType = value;
        return this;
    }

    TestRequests transactionId(String value) {
        this.transactionId = value;
        return this;
    }

    TestRequests senderNonce(byte[] value) {
        this.senderNonce = value.clone();
        return this;
    }

    TestRequests messageData(byte[] value) {
        this.messageData = value.clone();
        return this;
    }

    TestRequests messageData(ASN1Encodable value) {
        return messageData(encoded(value));
    }

    TestRequests cipher(ASN1ObjectIdentifier value) {
        this.cipher = value;
        return this;
    }

    TestRequests oaep() {
        this.oaep = true;
        return this;
    }

    TestRequests signatureAlgorithm(String value) {
        this.signatureAlgorithm = value;
        return this;
    }

    TestRequests recipient(X509Certificate value) {
        this.recipient = value;
        return this;
    }

    TestRequests signer(X509Certificate cert, PrivateKey key) {
        this.signerCert = cert;
        this.signerKey = key;
        return this;
    }

    /** Definite-length encoding instead of the indefinite-length BER that Apple and jscep send. */
    TestRequests definiteLength() {
        this.berEncoding = false;
        return this;
    }

    /**
     * Signs with whichever provider is registered first for the algorithm rather than Bouncy Castle: the server's own
     * (Amazon Corretto Crypto Provider when {@code Providers.register()} ran), several times faster for RSA. The fuzz
     * target signs every input; the bytes it sends are the same kind of PKCS#1 v1.5 signature either way.
     */
    TestRequests signWithDefaultProviders() {
        this.signingProvider = null;
        return this;
    }

    TestRequests withoutSignerCertificate() {
        this.includeSignerCertificate = false;
        return this;
    }

    TestRequests omit(ASN1ObjectIdentifier attribute) {
        omitted.add(attribute);
        return this;
    }

    byte[] build() {
        try {
            CMSEnvelopedDataGenerator envelopeGenerator = new CMSEnvelopedDataGenerator();
            JceKeyTransRecipientInfoGenerator recipientInfo = oaep
                    ? new JceKeyTransRecipientInfoGenerator(recipient, new JcaAlgorithmParametersConverter()
                            .getAlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, new OAEPParameterSpec(
                                    "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT)))
                    : new JceKeyTransRecipientInfoGenerator(recipient);
            envelopeGenerator.addRecipientInfoGenerator(recipientInfo.setProvider(BouncyCastleProvider.PROVIDER_NAME));
            CMSEnvelopedData envelope = envelopeGenerator.generate(new CMSProcessableByteArray(
                    messageData != null ? messageData : encoded(pki.csr())),
                    new JceCMSContentEncryptorBuilder(cipher).setProvider(BouncyCastleProvider.PROVIDER_NAME).build());

            ASN1EncodableVector attributes = new ASN1EncodableVector();
            add(attributes, ScepAttributes.MESSAGE_TYPE, new DERPrintableString(messageType));
            add(attributes, ScepAttributes.TRANSACTION_ID, new DERPrintableString(transactionId));
            add(attributes, ScepAttributes.SENDER_NONCE, new DEROctetString(senderNonce));

            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            JcaDigestCalculatorProviderBuilder digests = new JcaDigestCalculatorProviderBuilder();
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder(signatureAlgorithm);
            if (signingProvider != null) {
                digests.setProvider(signingProvider);
                signer.setProvider(signingProvider);
            }
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(digests.build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(signer.build(signerKey), new JcaX509CertificateHolder(signerCert)));
            if (includeSignerCertificate) {
                generator.addCertificate(new JcaX509CertificateHolder(signerCert));
            }
            CMSSignedData signed = generator.generate(new CMSProcessableByteArray(envelope.getEncoded()), true);
            return berEncoding ? signed.getEncoded() : signed.getEncoded(ASN1Encoding.DL);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void add(ASN1EncodableVector attributes, ASN1ObjectIdentifier type, ASN1Encodable value) {
        if (!omitted.contains(type)) {
            attributes.add(new Attribute(type, new DERSet(value)));
        }
    }

    static byte[] encoded(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] encoded(org.bouncycastle.pkcs.PKCS10CertificationRequest csr) {
        return encoded(csr.toASN1Structure());
    }
}
