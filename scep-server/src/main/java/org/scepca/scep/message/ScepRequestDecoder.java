package org.scepca.scep.message;

import java.io.IOException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.DefaultCMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.RecipientId;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.SignatureAlgorithmIdentifierFinder;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.Store;
import org.scepca.ca.keys.SignatureVerifiers;

/**
 * Decodes request pkiMessages (RFC 8894 §3.2, §3.3): PKCSReq, RenewalReq, CertPoll, GetCert, GetCRL.
 *
 * <p>Outcomes, in the order they are checked:
 * <ol>
 *   <li>not CMS SignedData, or transactionID, messageType or senderNonce missing or invalid (a messageType must
 *       be a decimal number): throws {@link MalformedScepMessageException}; without those attributes no CertRep can
 *       be addressed;</li>
 *   <li>signer digest not SHA-1/SHA-2: failure badAlg; signature does not verify with the signer
 *       certificate carried in the message: badMessageCheck;</li>
 *   <li>messageType a number this server does not handle (or CertRep): badRequest, "not supported"
 *       (RFC 8894 §3.2.1.4), without opening the envelope;</li>
 *   <li>envelope not for our RA certificate or not decryptable: badMessageCheck; content cipher other than
 *       AES-CBC or 3DES (or single DES without the legacy switch), or key transport other than RSA
 *       PKCS#1 v1.5 or OAEP: badAlg;</li>
 *   <li>messageData does not parse (or the CSR's self-signature does not verify): badRequest.</li>
 * </ol>
 *
 * <p>Thread-safe and lock-free: the instance holds immutable configuration only. Private-key and cipher
 * operations use the default JCA providers, so a faster provider installed first is picked up;
 * Bouncy Castle (which must be registered) only parses certificates.
 */
public final class ScepRequestDecoder {

    private static final Set<ASN1ObjectIdentifier> KEY_TRANSPORT = Set.of(
            PKCSObjectIdentifiers.rsaEncryption, PKCSObjectIdentifiers.id_RSAES_OAEP);

    private final RaIdentity ra;
    private final boolean allowSingleDes;
    private final DecoderLimits limits;
    private final RecipientId raRecipientId;
    private final DigestCalculatorProvider digests;
    private final CMSSignatureAlgorithmNameGenerator signatureNames =
            new DefaultCMSSignatureAlgorithmNameGenerator();
    private final SignatureAlgorithmIdentifierFinder signatureAlgorithms =
            new DefaultSignatureAlgorithmIdentifierFinder();
    private final SignatureVerifiers verifiers = new SignatureVerifiers();
    private final JcaX509CertificateConverter certificateConverter;

    /**
     * @param ra             the RA credential requests are encrypted to
     * @param allowSingleDes accept single-DES envelopes from legacy clients (off by default everywhere)
     * @param limits         parsing bounds
     * @throws IllegalStateException if the Bouncy Castle provider is not registered
     */
    public ScepRequestDecoder(RaIdentity ra, boolean allowSingleDes, DecoderLimits limits) {
        this.ra = Objects.requireNonNull(ra, "ra is null");
        this.allowSingleDes = allowSingleDes;
        this.limits = Objects.requireNonNull(limits, "limits is null");
        this.raRecipientId = new JceKeyTransRecipientId(ra.certificate());
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest calculator provider", e);
        }
        // The JDK's own X.509 factory serializes parsing through a global synchronized cache; use BC's,
        // looked up once here rather than by name per message.
        Provider bc = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (bc == null) {
            throw new IllegalStateException("the Bouncy Castle provider must be registered at start-up");
        }
        this.certificateConverter = new JcaX509CertificateConverter().setProvider(bc);
    }

    /**
     * Decodes one pkiMessage.
     *
     * @return the request, possibly with a {@link DecodedRequest#failure()} to answer with CertRep FAILURE
     * @throws MalformedScepMessageException if no signed CertRep can be addressed to the sender
     */
    public DecodedRequest decode(byte[] pkiMessage) throws MalformedScepMessageException {
        Objects.requireNonNull(pkiMessage, "pkiMessage is null");
        Outer outer = parseOuter(pkiMessage);
        SignerInformation signer = outer.signer();
        Optional<DigestAlgorithm> digest = DigestAlgorithm.fromOid(signer.getDigestAlgorithmID().getAlgorithm());
        // A refused digest still gets a signed FAILURE; sign that one with SHA-256.
        DigestAlgorithm replyDigest = digest.orElse(DigestAlgorithm.SHA256);
        Optional<ContentCipher> cipher = Optional.empty();
        try {
            if (digest.isEmpty()) {
                throw new Refusal(FailInfo.BAD_ALG,
                        "signer digest " + signer.getDigestAlgorithmID().getAlgorithm() + " is not SHA-1 or SHA-2");
            }
            verifySignature(signer, outer.signerCertificate());
            if (outer.messageType() == MessageType.UNSUPPORTED) {
                throw new Refusal(FailInfo.BAD_REQUEST, "messageType " + outer.messageTypeText() + " is not supported");
            }
            requireRsaRecipient(outer.signerCertificate());
            CMSEnvelopedData envelope = parseEnvelope(outer.envelope());
            RecipientInformation recipient = ourRecipient(envelope);
            ContentCipher contentCipher = allowedCipher(envelope);
            cipher = Optional.of(contentCipher);
            requireKeyTransport(recipient);
            byte[] messageData = decrypt(recipient);
            RequestPayload payload = parsePayload(outer.messageType(), messageData);
            return DecodedRequest.accepted(outer.messageType(), outer.transactionId(), outer.senderNonce(),
                    outer.signerCertificate(), new ReplyParameters(digest.get(), cipher, outer.signerCertificate()),
                    payload);
        } catch (Refusal refusal) {
            return DecodedRequest.failed(outer.messageType(), outer.transactionId(), outer.senderNonce(),
                    outer.signerCertificate(), new ReplyParameters(replyDigest, cipher, outer.signerCertificate()),
                    refusal.failInfo, refusal.getMessage());
        }
    }

    // ---- stage 1: structure and the attributes needed to address a reply ----

    private record Outer(SignerInformation signer, MessageType messageType, String messageTypeText,
            TransactionId transactionId, Nonce senderNonce, X509Certificate signerCertificate, byte[] envelope) {
    }

    private Outer parseOuter(byte[] bytes) throws MalformedScepMessageException {
        if (bytes.length == 0) {
            throw new MalformedScepMessageException("empty message");
        }
        if (bytes.length > limits.maxMessageBytes()) {
            throw new MalformedScepMessageException("message exceeds " + limits.maxMessageBytes() + " bytes");
        }
        try {
            // ASN1Primitive reads BER (indefinite lengths, as Apple and jscep send), rejects trailing bytes
            // and bounds nesting depth, so hostile input fails with an IOException.
            ContentInfo contentInfo = ContentInfo.getInstance(ASN1Primitive.fromByteArray(bytes));
            if (!CMSObjectIdentifiers.signedData.equals(contentInfo.getContentType())) {
                throw new MalformedScepMessageException("content type is not signedData");
            }
            CMSSignedData signedData = new CMSSignedData(contentInfo);
            Collection<SignerInformation> signers = signedData.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new MalformedScepMessageException("expected one signerInfo, found " + signers.size());
            }
            SignerInformation signer = signers.iterator().next();
            AttributeTable attributes = signer.getSignedAttributes();
            if (attributes == null) {
                throw new MalformedScepMessageException("signerInfo has no signed attributes");
            }
            String messageTypeText = messageTypeText(attributes);
            MessageType messageType = MessageType.fromCode(Integer.parseInt(messageTypeText))
                    .filter(MessageType::isRequest).orElse(MessageType.UNSUPPORTED);
            TransactionId transactionId = transactionId(attributes);
            Nonce senderNonce = senderNonce(attributes);
            CMSTypedData content = signedData.getSignedContent();
            if (content == null) {
                throw new MalformedScepMessageException("no encapsulated pkcsPKIEnvelope");
            }
            X509Certificate signerCertificate = signerCertificate(signedData, signer);
            return new Outer(signer, messageType, messageTypeText, transactionId, senderNonce, signerCertificate,
                    (byte[]) content.getContent());
        } catch (IOException | CMSException | RuntimeException e) {
            throw new MalformedScepMessageException("not a CMS SignedData pkiMessage", e);
        }
    }

    /** The messageType's decimal digits (at most nine, so that they parse as an int). */
    private static String messageTypeText(AttributeTable attributes) throws MalformedScepMessageException {
        String text = string(singleValue(attributes, ScepAttributes.MESSAGE_TYPE, "messageType"), "messageType");
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedScepMessageException("messageType is not a number");
        }
        return text;
    }

    private static TransactionId transactionId(AttributeTable attributes) throws MalformedScepMessageException {
        String text = string(singleValue(attributes, ScepAttributes.TRANSACTION_ID, "transactionID"), "transactionID");
        try {
            return new TransactionId(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedScepMessageException("invalid transactionID", e);
        }
    }

    private static Nonce senderNonce(AttributeTable attributes) throws MalformedScepMessageException {
        ASN1Encodable value = singleValue(attributes, ScepAttributes.SENDER_NONCE, "senderNonce");
        if (!(value instanceof ASN1OctetString octets)) {
            throw new MalformedScepMessageException("senderNonce is not an OCTET STRING");
        }
        try {
            return new Nonce(octets.getOctets());
        } catch (IllegalArgumentException e) {
            throw new MalformedScepMessageException("invalid senderNonce", e);
        }
    }

    private static ASN1Encodable singleValue(AttributeTable attributes, ASN1ObjectIdentifier type, String name)
            throws MalformedScepMessageException {
        ASN1EncodableVector all = attributes.getAll(type);
        if (all.size() != 1) {
            throw new MalformedScepMessageException(name + " attribute missing or repeated");
        }
        ASN1Set values = Attribute.getInstance(all.get(0)).getAttrValues();
        if (values.size() != 1) {
            throw new MalformedScepMessageException(name + " must have exactly one value");
        }
        return values.getObjectAt(0);
    }

    /** RFC 8894 says PrintableString; any string type is read so that a sloppy client still gets an answer. */
    private static String string(ASN1Encodable value, String name) throws MalformedScepMessageException {
        if (value instanceof ASN1String string) {
            return string.getString();
        }
        throw new MalformedScepMessageException(name + " is not a string");
    }

    /**
     * The certificate matching the signerInfo's sid, from the SignedData itself. A PKCSReq signer is
     * usually a throwaway self-signed certificate made from the CSR key (RFC 8894 §2.3), so it is not
     * chained; renewal policy checks the RenewalReq signer later.
     */
    private X509Certificate signerCertificate(CMSSignedData signedData, SignerInformation signer)
            throws MalformedScepMessageException {
        Store<X509CertificateHolder> store = signedData.getCertificates();
        Collection<X509CertificateHolder> certificates = store.getMatches(null);
        if (certificates.size() > limits.maxCertificates()) {
            throw new MalformedScepMessageException("more than " + limits.maxCertificates() + " certificates");
        }
        SignerId signerId = signer.getSID();
        X509CertificateHolder match = certificates.stream().filter(signerId::match).findFirst()
                .orElseThrow(() -> new MalformedScepMessageException("signer certificate not included"));
        try {
            return certificateConverter.getCertificate(match);
        } catch (CertificateException e) {
            throw new MalformedScepMessageException("signer certificate does not parse", e);
        }
    }

    // ---- stage 2: signature ----

    private void verifySignature(SignerInformation signer, X509Certificate signerCertificate) throws Refusal {
        boolean valid;
        try {
            // Built from the public key, not the certificate: BC would otherwise reject a signingTime
            // outside the throwaway certificate's validity, which clients do not keep consistent.
            SignerInformationVerifier verifier = new SignerInformationVerifier(signatureNames, signatureAlgorithms,
                    verifiers.forKey(signerCertificate.getPublicKey()), digests);
            valid = signer.verify(verifier);
        } catch (CMSException e) {
            if (e.getCause() instanceof OperatorCreationException) {
                throw new Refusal(FailInfo.BAD_ALG, "signature algorithm " + signer.getEncryptionAlgOID()
                        + " not supported");
            }
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "signed attributes do not match the content");
        } catch (RuntimeException e) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "signature cannot be verified");
        }
        if (!valid) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "signature does not verify with the signer certificate");
        }
    }

    /** Every SUCCESS reply is encrypted to the signer certificate, which needs RSA key transport. */
    private static void requireRsaRecipient(X509Certificate signerCertificate) throws Refusal {
        if (!"RSA".equalsIgnoreCase(signerCertificate.getPublicKey().getAlgorithm())) {
            throw new Refusal(FailInfo.BAD_ALG, "signer key is "
                    + signerCertificate.getPublicKey().getAlgorithm() + "; a reply needs RSA key transport");
        }
    }

    // ---- stage 3: pkcsPKIEnvelope ----

    private static CMSEnvelopedData parseEnvelope(byte[] bytes) throws Refusal {
        try {
            ContentInfo contentInfo = ContentInfo.getInstance(ASN1Primitive.fromByteArray(bytes));
            if (!CMSObjectIdentifiers.envelopedData.equals(contentInfo.getContentType())) {
                throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "pkcsPKIEnvelope is not EnvelopedData");
            }
            return new CMSEnvelopedData(contentInfo);
        } catch (IOException | CMSException | RuntimeException e) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "pkcsPKIEnvelope does not parse");
        }
    }

    private RecipientInformation ourRecipient(CMSEnvelopedData envelope) throws Refusal {
        // Matches issuer and serial number or subject key identifier of our RA certificate.
        RecipientInformation recipient = envelope.getRecipientInfos().get(raRecipientId);
        if (!(recipient instanceof KeyTransRecipientInformation)) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "pkcsPKIEnvelope is not encrypted to our RA certificate");
        }
        return recipient;
    }

    private ContentCipher allowedCipher(CMSEnvelopedData envelope) throws Refusal {
        ASN1ObjectIdentifier oid = envelope.getContentEncryptionAlgorithm().getAlgorithm();
        ContentCipher cipher = ContentCipher.fromOid(oid)
                .orElseThrow(() -> new Refusal(FailInfo.BAD_ALG, "content cipher " + oid + " not supported"));
        if (cipher.isSingleDes() && !allowSingleDes) {
            throw new Refusal(FailInfo.BAD_ALG, "single DES refused (legacy switch is off)");
        }
        return cipher;
    }

    private static void requireKeyTransport(RecipientInformation recipient) throws Refusal {
        ASN1ObjectIdentifier oid = recipient.getKeyEncryptionAlgorithm().getAlgorithm();
        if (!KEY_TRANSPORT.contains(oid)) {
            throw new Refusal(FailInfo.BAD_ALG, "key transport " + oid + " not supported");
        }
    }

    private byte[] decrypt(RecipientInformation recipient) throws Refusal {
        try {
            return recipient.getContent(new JceKeyTransEnvelopedRecipient(ra.privateKey()));
        } catch (CMSException | RuntimeException e) {
            // One answer for every decryption failure, so the reply is no padding oracle.
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "pkcsPKIEnvelope cannot be decrypted");
        }
    }

    // ---- stage 4: messageData ----

    private RequestPayload parsePayload(MessageType type, byte[] messageData) throws Refusal {
        return switch (type) {
            case PKCS_REQ, RENEWAL_REQ -> csr(messageData);
            case CERT_POLL -> issuerAndSubject(messageData);
            case GET_CERT, GET_CRL -> issuerAndSerial(messageData);
            case CERT_REP, UNSUPPORTED -> throw new IllegalStateException("refused as not supported before this point");
        };
    }

    private CsrPayload csr(byte[] der) throws Refusal {
        PKCS10CertificationRequest csr;
        try {
            // Keeps the bytes as sent: the self-signature covers them, not Bouncy Castle's DER re-encoding.
            csr = new org.scepca.ca.policy.ReceivedCsr(der);
        } catch (IOException | RuntimeException e) {
            throw new Refusal(FailInfo.BAD_REQUEST, "CSR does not parse");
        }
        if (org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey.equals(
                csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm())) {
            try {
                // Before the signature: a key with explicit curve parameters is an algorithm we do not take (badAlg).
                org.scepca.ca.policy.CsrValidator.requireNamedCurve(csr.getSubjectPublicKeyInfo());
            } catch (org.scepca.ca.policy.PolicyViolationException e) {
                throw new Refusal(FailInfo.BAD_ALG, e.getMessage());
            }
        }
        try {
            ContentVerifierProvider verifier = verifiers.forKey(publicKey(csr));
            if (!org.scepca.ca.policy.CsrSignature.isValid(csr, verifier)) {
                throw new Refusal(FailInfo.BAD_REQUEST, "CSR self-signature does not verify");
            }
        } catch (OperatorCreationException e) {
            throw new Refusal(FailInfo.BAD_ALG, "CSR key or signature algorithm not supported");
        } catch (RuntimeException e) {
            throw new Refusal(FailInfo.BAD_REQUEST, "CSR self-signature cannot be verified");
        }
        return new CsrPayload(csr, der);
    }

    private static PublicKey publicKey(PKCS10CertificationRequest csr) throws OperatorCreationException {
        try {
            return new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
        } catch (PEMException | RuntimeException e) {
            throw new OperatorCreationException("CSR public key not supported", e);
        }
    }

    private static IssuerAndSubjectPayload issuerAndSubject(byte[] der) throws Refusal {
        try {
            // IssuerAndSubject ::= SEQUENCE { issuer Name, subject Name } (RFC 8894 §3.3.3)
            ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            if (sequence.size() != 2) {
                throw new Refusal(FailInfo.BAD_REQUEST, "IssuerAndSubject must have two elements");
            }
            return new IssuerAndSubjectPayload(X500Name.getInstance(sequence.getObjectAt(0)),
                    X500Name.getInstance(sequence.getObjectAt(1)));
        } catch (IOException | RuntimeException e) {
            throw new Refusal(FailInfo.BAD_REQUEST, "IssuerAndSubject does not parse");
        }
    }

    private static IssuerAndSerialPayload issuerAndSerial(byte[] der) throws Refusal {
        try {
            IssuerAndSerialNumber value = IssuerAndSerialNumber.getInstance(ASN1Primitive.fromByteArray(der));
            return new IssuerAndSerialPayload(value.getName(), value.getSerialNumber().getValue());
        } catch (IOException | RuntimeException e) {
            throw new Refusal(FailInfo.BAD_REQUEST, "IssuerAndSerialNumber does not parse");
        }
    }

    /** Internal control flow for "answer with CertRep FAILURE"; carries no stack trace. */
    private static final class Refusal extends Exception {
        private final FailInfo failInfo;

        Refusal(FailInfo failInfo, String detail) {
            super(detail, null, false, false);
            this.failInfo = failInfo;
        }
    }
}
