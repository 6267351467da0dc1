package org.scepca.scep.message;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Encodes CertRep pkiMessages (RFC 8894 §3.3.2), signed by the RA.
 *
 * <p>Thread-safe: the instance holds only immutable configuration; JCA objects are made per call.
 */
public final class CertRepEncoder {

    private final RaIdentity ra;
    private final SecureRandom random;
    private final Clock clock;
    private final X509CertificateHolder raCertificate;
    private final DigestCalculatorProvider digests;

    public CertRepEncoder(RaIdentity ra, SecureRandom random) {
        this(ra, random, Clock.systemUTC());
    }

    /** @param clock source of the signingTime attribute */
    public CertRepEncoder(RaIdentity ra, SecureRandom random, Clock clock) {
        this.ra = Objects.requireNonNull(ra, "ra is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.raCertificate = CmsSupport.holder(ra.certificate());
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest calculator provider", e);
        }
    }

    /**
     * Encodes {@code rep} as a signed pkiMessage.
     *
     * <p>SUCCESS: the signed content is a pkcsPKIEnvelope encrypted to {@code params.recipient()} with
     * the request's content cipher, wrapping a degenerate certificates-only SignedData. FAILURE and
     * PENDING: no pkcsPKIEnvelope (RFC 8894 §3.3.2), but an encapsulated empty {@code data} content rather
     * than an absent one: OpenSSL's PKCS7_verify, which certmonger's scep-submit uses, refuses a SignedData
     * without eContent ("no content") and the client then reports the CA unreachable instead of the refusal.
     * The signature uses the request's digest, since a client verifies with the algorithm it asked for.
     *
     * @throws IllegalArgumentException if SUCCESS is asked for without a usable content cipher or RSA recipient
     * @throws ScepEncodingException    if the JCA provider fails to sign or encrypt
     */
    public byte[] encode(CertRep rep, ReplyParameters params) {
        Objects.requireNonNull(rep, "rep is null");
        Objects.requireNonNull(params, "params is null");
        CMSTypedData content;
        if (rep.status() == PkiStatus.SUCCESS) {
            ContentCipher cipher = params.contentCipher().orElseThrow(() -> new IllegalArgumentException(
                    "SUCCESS needs the request's content cipher; the request was refused, answer FAILURE"));
            byte[] degenerate = CmsSupport.degenerate(rep.certificates(), rep.crl().stream().toList());
            content = new CMSProcessableByteArray(envelope(degenerate, cipher, params));
        } else {
            content = new CMSProcessableByteArray(new byte[0]);
        }
        return CmsSupport.sign(content, ra.privateKey(), raCertificate, params.digestAlgorithm(),
                digests, attributes(rep), clock.instant());
    }

    private List<Attribute> attributes(CertRep rep) {
        List<Attribute> attributes = new ArrayList<>(6);
        // RFC 8894 §3.2.1: all of these are PrintableString or OCTET STRING; jscep's client casts to
        // exactly those types, so no other string type may be used.
        attributes.add(attribute(ScepAttributes.TRANSACTION_ID, new DERPrintableString(rep.transactionId().value())));
        attributes.add(attribute(ScepAttributes.MESSAGE_TYPE,
                new DERPrintableString(Integer.toString(MessageType.CERT_REP.code()))));
        attributes.add(attribute(ScepAttributes.PKI_STATUS,
                new DERPrintableString(Integer.toString(rep.status().code()))));
        rep.failInfo().ifPresent(failInfo -> attributes.add(
                attribute(ScepAttributes.FAIL_INFO, new DERPrintableString(Integer.toString(failInfo.code())))));
        attributes.add(attribute(ScepAttributes.SENDER_NONCE, new DEROctetString(Nonce.random(random).bytes())));
        attributes.add(attribute(ScepAttributes.RECIPIENT_NONCE, new DEROctetString(rep.recipientNonce().bytes())));
        return attributes;
    }

    private static Attribute attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        return new Attribute(type, new DERSet(value));
    }

    /**
     * The pkcsPKIEnvelope (RFC 8894 §3.2.2) with RSA PKCS#1 v1.5 key transport, what iOS, Intune and
     * Jamf clients expect, to the request signer's certificate, identified by issuer and serial number.
     */
    private byte[] envelope(byte[] degenerate, ContentCipher cipher, ReplyParameters params) {
        if (!"RSA".equalsIgnoreCase(params.recipient().getPublicKey().getAlgorithm())) {
            throw new IllegalArgumentException("reply recipient key must be RSA for key transport");
        }
        try {
            CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
            generator.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(params.recipient()));
            OutputEncryptor encryptor = new JceCMSContentEncryptorBuilder(cipher.oid())
                    .setSecureRandom(random)
                    .build();
            CMSEnvelopedData enveloped = generator.generate(new CMSProcessableByteArray(degenerate), encryptor);
            return enveloped.toASN1Structure().getEncoded(ASN1Encoding.DL);
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new ScepEncodingException("encrypting the reply failed", e);
        }
    }
}
