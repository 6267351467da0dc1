package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.jscep.message.PkcsPkiEnvelopeDecoder;
import org.jscep.message.PkcsPkiEnvelopeEncoder;
import org.jscep.message.PkcsReq;
import org.jscep.message.PkiMessage;
import org.jscep.message.PkiMessageDecoder;
import org.jscep.message.PkiMessageEncoder;
import org.scepca.ca.testing.OpenSsl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CertRepEncoderTest {

    private static TestPki pki;
    private static ScepRequestDecoder decoder;
    private static CertRepEncoder encoder;

    @BeforeAll
    static void setUp() {
        TestPki.registerBouncyCastle();
        pki = TestPki.PKI;
        decoder = new ScepRequestDecoder(pki.ra, false, DecoderLimits.DEFAULT);
        encoder = new CertRepEncoder(pki.ra, new SecureRandom());
    }

    // ---- SUCCESS read back by jscep's client-side decoder ----

    @ParameterizedTest(name = "ok/{0}+{1}")
    @CsvSource({
        "AES, SHA256withRSA",
        "DESede, SHA1withRSA",
        "AES_256, SHA512withRSA",
    })
    void successRoundTrip_isReadByJscepClient_withIssuedCertificateFirst(String cipher, String signature)
            throws Exception {
        org.jscep.transaction.TransactionId txId = org.jscep.transaction.TransactionId.createTransactionId(
                pki.requesterKeys.getPublic(), "SHA-1");
        org.jscep.transaction.Nonce nonce = org.jscep.transaction.Nonce.nextNonce();
        DecodedRequest request = decoder.decode(jscepRequest(new PkcsReq(txId, nonce, pki.csr()), cipher, signature));
        assertThat(request.failure()).isEmpty();

        byte[] reply = encoder.encode(CertRep.success(request.transactionId(),
                request.senderNonce(), List.of(pki.issuedCert, pki.caCert)), request.replyParameters());

        org.jscep.message.CertRep rep = jscepDecode(reply);
        assertThat(rep.getPkiStatus()).isEqualTo(org.jscep.transaction.PkiStatus.SUCCESS);
        assertThat(rep.getTransactionId()).isEqualTo(txId);
        assertThat(rep.getRecipientNonce()).isEqualTo(nonce);
        assertThat(rep.getSenderNonce().getBytes()).hasSize(16).isNotEqualTo(nonce.getBytes());
        assertThat(certificates(rep.getMessageData()))
                .containsExactly(holder(pki.issuedCert), holder(pki.caCert));
    }

    @Test
    void successCertificateOrder_survivesRoundTrip_evenWhenDerWouldSortIt() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).build());
        List<X509Certificate> order1 = List.of(pki.issuedCert, pki.caCert, pki.raCert);
        List<X509Certificate> order2 = List.of(pki.raCert, pki.caCert, pki.issuedCert);
        // A DER SET OF sorts by encoding, so at most one of two reversed orders can already be sorted.
        assertThat(List.of(derSorted(order1), derSorted(order2))).anyMatch(sorted -> !sorted.equals(order1))
                .anyMatch(sorted -> !sorted.equals(order2));

        for (List<X509Certificate> order : List.of(order1, order2)) {
            byte[] reply = encoder.encode(CertRep.success(request.transactionId(),
                    request.senderNonce(), order), request.replyParameters());
            CMSSignedData degenerate = new CMSSignedData(decryptWithBc(new CMSSignedData(reply)));
            assertThat(certificates(degenerate)).containsExactlyElementsOf(order.stream().map(c -> holder(c)).toList());
        }
    }

    // ---- SUCCESS read back with Bouncy Castle: reply matches the request's cipher and digest ----

    @ParameterizedTest(name = "ok/{0}")
    @EnumSource(value = ContentCipher.class, names = {"AES_128_CBC", "AES_192_CBC", "AES_256_CBC", "DES_EDE3_CBC"})
    void successReply_usesRequestCipher(ContentCipher cipher) throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).cipher(cipher.oid()).build());

        byte[] reply = encoder.encode(CertRep.success(request.transactionId(),
                request.senderNonce(), List.of(pki.issuedCert)), request.replyParameters());

        CMSSignedData signed = new CMSSignedData(reply);
        CMSEnvelopedData envelope = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
        assertThat(envelope.getEncryptionAlgOID()).isEqualTo(cipher.oid().getId());
        RecipientInformation recipient = envelope.getRecipientInfos().get(new JceKeyTransRecipientId(pki.requesterCert));
        assertThat(recipient).isNotNull();
        // RSA PKCS#1 v1.5 key transport, what iOS, Intune and Jamf expect.
        assertThat(recipient.getKeyEncryptionAlgOID()).isEqualTo(PKCSObjectIdentifiers.rsaEncryption.getId());
        CMSSignedData degenerate = new CMSSignedData(decryptWithBc(signed));
        assertThat(certificates(degenerate)).containsExactly(holder(pki.issuedCert));
        assertThat(degenerate.getSignerInfos().size()).isZero();
    }

    @ParameterizedTest(name = "ok/{0}")
    @CsvSource({"SHA1withRSA, SHA1", "SHA256withRSA, SHA256", "SHA512withRSA, SHA512"})
    void reply_isSignedWithRequestDigest_andPkcs1v15(String requestSignature, DigestAlgorithm digest) throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).signatureAlgorithm(requestSignature).build());
        assertThat(request.replyParameters().digestAlgorithm()).isEqualTo(digest);

        byte[] reply = encoder.encode(CertRep.success(request.transactionId(),
                request.senderNonce(), List.of(pki.issuedCert)), request.replyParameters());

        SignerInformation signer = verifiedSigner(new CMSSignedData(reply));
        assertThat(signer.getDigestAlgOID()).isEqualTo(digest.oid().getId());
        assertThat(signer.getEncryptionAlgOID()).isNotEqualTo(PKCSObjectIdentifiers.id_RSASSA_PSS.getId());
    }

    @Test
    void successReply_carriesRfc8894Attributes() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).senderNonce(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})
                .build());
        // Inside the test RA certificate's validity (made at class load, valid from an hour before), whole seconds.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        CertRepEncoder fixedClock = new CertRepEncoder(pki.ra, new SecureRandom(), Clock.fixed(now, ZoneOffset.UTC));

        byte[] reply = fixedClock.encode(CertRep.success(request.transactionId(),
                request.senderNonce(), List.of(pki.issuedCert)), request.replyParameters());

        CMSSignedData signed = new CMSSignedData(reply);
        AttributeTable attributes = verifiedSigner(signed).getSignedAttributes();
        assertThat(printable(attributes, ScepAttributes.MESSAGE_TYPE)).isEqualTo("3");
        assertThat(printable(attributes, ScepAttributes.PKI_STATUS)).isEqualTo("0");
        assertThat(printable(attributes, ScepAttributes.TRANSACTION_ID)).isEqualTo("7c0ffee7c0ffee");
        assertThat(attributes.get(ScepAttributes.FAIL_INFO)).isNull();
        assertThat(octets(attributes, ScepAttributes.RECIPIENT_NONCE)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(octets(attributes, ScepAttributes.SENDER_NONCE)).hasSize(16);
        assertThat(attributes.get(CMSAttributes.contentType).getAttrValues().getObjectAt(0))
                .isEqualTo(CMSObjectIdentifiers.data);
        assertThat(org.bouncycastle.asn1.cms.Time.getInstance(
                attributes.get(CMSAttributes.signingTime).getAttrValues().getObjectAt(0)).getDate().toInstant())
                .isEqualTo(now);
        assertThat(attributes.get(CMSAttributes.cmsAlgorithmProtect)).isNull();
        assertThat(certificates(signed)).containsExactly(holder(pki.raCert));
    }

    @Test
    void senderNonce_isFreshForEveryReply() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).build());
        var rep = CertRep.pending(request.transactionId(), request.senderNonce());

        byte[] first = encoder.encode(rep, request.replyParameters());
        byte[] second = encoder.encode(rep, request.replyParameters());

        assertThat(octets(verifiedSigner(new CMSSignedData(first)).getSignedAttributes(), ScepAttributes.SENDER_NONCE))
                .isNotEqualTo(octets(verifiedSigner(new CMSSignedData(second)).getSignedAttributes(),
                        ScepAttributes.SENDER_NONCE));
    }

    @Test
    void getCrlSuccess_carriesCrlInDegenerateSignedData() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).messageType("22")
                .messageData(new org.bouncycastle.asn1.cms.IssuerAndSerialNumber(
                        new org.bouncycastle.asn1.x500.X500Name("CN=Test Root CA,O=scepca"), java.math.BigInteger.ONE))
                .cipher(ContentCipher.AES_256_CBC.oid()).build());
        X509CRL crl = pki.crl();

        byte[] reply = encoder.encode(CertRep.successWithCrl(request.transactionId(),
                request.senderNonce(), crl), request.replyParameters());

        CMSSignedData degenerate = new CMSSignedData(decryptWithBc(new CMSSignedData(reply)));
        Collection<X509CRLHolder> crls = degenerate.getCRLs().getMatches(null);
        assertThat(crls).containsExactly(new X509CRLHolder(crl.getEncoded()));
        assertThat(degenerate.getCertificates().getMatches(null)).isEmpty();
    }

    // ---- FAILURE and PENDING: signed, no envelope, an empty encapsulated content ----

    @Test
    void failureReply_carriesFailInfo_andNoEnvelope() throws Exception {
        DecodedRequest request = decoder.decode(jscepRequest(new PkcsReq(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                pki.csr()), "AES", "SHA256withRSA"));

        byte[] reply = encoder.encode(CertRep.failure(request.transactionId(),
                request.senderNonce(), FailInfo.BAD_REQUEST), request.replyParameters());

        CMSSignedData signed = new CMSSignedData(reply);
        assertThat((byte[]) signed.getSignedContent().getContent()).isEmpty();
        assertThat(printable(verifiedSigner(signed).getSignedAttributes(), ScepAttributes.FAIL_INFO)).isEqualTo("2");
        org.jscep.message.CertRep rep = jscepDecode(reply);
        assertThat(rep.getPkiStatus()).isEqualTo(org.jscep.transaction.PkiStatus.FAILURE);
        assertThat(rep.getFailInfo()).isEqualTo(org.jscep.transaction.FailInfo.badRequest);
        assertThat(rep.getRecipientNonce().getBytes()).isEqualTo(request.senderNonce().bytes());
    }

    @Test
    void refusedRequest_isAnsweredWithSignedFailure() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).recipient(pki.otherRaCert).build());
        assertThat(request.failure()).contains(FailInfo.BAD_MESSAGE_CHECK);

        byte[] reply = encoder.encode(CertRep.failure(request), request.replyParameters());

        org.jscep.message.CertRep rep = jscepDecode(reply);
        assertThat(rep.getPkiStatus()).isEqualTo(org.jscep.transaction.PkiStatus.FAILURE);
        assertThat(rep.getFailInfo()).isEqualTo(org.jscep.transaction.FailInfo.badMessageCheck);
    }

    @Test
    void pendingReply_hasNoEnvelope_andIsReadByJscep() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).build());

        byte[] reply = encoder.encode(CertRep.pending(request.transactionId(),
                request.senderNonce()), request.replyParameters());

        CMSSignedData signed = new CMSSignedData(reply);
        assertThat((byte[]) signed.getSignedContent().getContent()).isEmpty();
        AttributeTable attributes = verifiedSigner(signed).getSignedAttributes();
        assertThat(printable(attributes, ScepAttributes.PKI_STATUS)).isEqualTo("3");
        assertThat(attributes.get(ScepAttributes.FAIL_INFO)).isNull();
        org.jscep.message.CertRep rep = jscepDecode(reply);
        assertThat(rep.getPkiStatus()).isEqualTo(org.jscep.transaction.PkiStatus.PENDING);
        assertThat(rep.getTransactionId().toString()).isEqualTo("7c0ffee7c0ffee");
    }

    /**
     * certmonger's scep-submit verifies every CertRep with OpenSSL's PKCS7_verify, which fails with "no content" when
     * eContent is absent; certmonger then shows CA_UNREACHABLE instead of the refusal or the pending state.
     */
    @ParameterizedTest(name = "ok/{0}")
    @EnumSource(value = PkiStatus.class, names = {"FAILURE", "PENDING"})
    void failureAndPendingReplies_verifyWithOpenSslPkcs7Verify(PkiStatus status, @TempDir Path dir) throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary not installed");
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).build());
        CertRep rep = status == PkiStatus.FAILURE
                ? CertRep.failure(request.transactionId(), request.senderNonce(), FailInfo.BAD_REQUEST)
                : CertRep.pending(request.transactionId(), request.senderNonce());
        Path reply = Files.write(dir.resolve("reply.der"), encoder.encode(rep, request.replyParameters()));

        // "smime -verify" is PKCS7_verify; -noverify skips only the chain check of the RA certificate.
        OpenSsl.Result verified = OpenSsl.run("smime", "-verify", "-noverify", "-binary", "-inform", "DER",
                "-in", reply.toString(), "-out", dir.resolve("content").toString());

        assertThat(verified.ok()).as(verified.output()).isTrue();
        assertThat(Files.size(dir.resolve("content"))).isZero();
    }

    // ---- misuse ----

    @Test
    void successWithoutKnownCipher_isRejected() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).recipient(pki.otherRaCert).build());
        var success = CertRep.success(request.transactionId(), request.senderNonce(),
                List.of(pki.issuedCert));

        assertThatThrownBy(() -> encoder.encode(success, request.replyParameters()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void certRepFactories_enforceRfc8894Rules() {
        TransactionId id = new TransactionId("abc");
        Nonce nonce = new Nonce(new byte[] {1});

        assertThatThrownBy(() -> new CertRep(id, nonce,
                PkiStatus.FAILURE, Optional.empty(), List.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CertRep.success(id, nonce, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertRep(id, nonce,
                PkiStatus.PENDING, Optional.empty(), List.of(pki.issuedCert),
                Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertRep(id, nonce,
                PkiStatus.SUCCESS,
                Optional.of(FailInfo.BAD_ALG), List.of(pki.issuedCert),
                Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decoderAndEncoder_areSafeToShareAcrossThreads() throws Exception {
        byte[] message = TestRequests.pkcsReq(pki).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<org.jscep.message.CertRep>> replies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                replies.add(pool.submit(() -> {
                    DecodedRequest request = decoder.decode(message);
                    return jscepDecode(encoder.encode(CertRep.success(request.transactionId(),
                            request.senderNonce(), List.of(pki.issuedCert)), request.replyParameters()));
                }));
            }
            for (Future<org.jscep.message.CertRep> reply : replies) {
                assertThat(reply.get(60, TimeUnit.SECONDS).getPkiStatus())
                        .isEqualTo(org.jscep.transaction.PkiStatus.SUCCESS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----

    private static byte[] jscepRequest(PkiMessage<?> message, String cipher, String signature) throws Exception {
        return new PkiMessageEncoder(pki.requesterKeys.getPrivate(), pki.requesterCert,
                new PkcsPkiEnvelopeEncoder(pki.raCert, cipher), signature).encode(message).getEncoded();
    }

    /** Decodes a reply exactly as jscep's client does, verifying it against the RA certificate. */
    private static org.jscep.message.CertRep jscepDecode(byte[] reply) throws Exception {
        PkiMessageDecoder decoder = new PkiMessageDecoder(pki.raCert,
                new PkcsPkiEnvelopeDecoder(pki.requesterCert, pki.requesterKeys.getPrivate()));
        return (org.jscep.message.CertRep) decoder.decode(new CMSSignedData(reply));
    }

    private static SignerInformation verifiedSigner(CMSSignedData signed) throws Exception {
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        assertThat(signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(pki.raCert))).isTrue();
        return signer;
    }

    private static byte[] decryptWithBc(CMSSignedData signed) throws Exception {
        verifiedSigner(signed);
        CMSEnvelopedData envelope = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
        return envelope.getRecipientInfos().get(new JceKeyTransRecipientId(pki.requesterCert))
                .getContent(new JceKeyTransEnvelopedRecipient(pki.requesterKeys.getPrivate()).setProvider("BC"));
    }

    private static List<X509Certificate> derSorted(List<X509Certificate> certificates) throws Exception {
        org.bouncycastle.asn1.ASN1EncodableVector vector = new org.bouncycastle.asn1.ASN1EncodableVector();
        for (X509Certificate certificate : certificates) {
            vector.add(org.bouncycastle.asn1.x509.Certificate.getInstance(certificate.getEncoded()));
        }
        byte[] sortedSet = new org.bouncycastle.asn1.DERSet(vector).getEncoded();
        List<X509Certificate> sorted = new ArrayList<>();
        for (ASN1Encodable element : org.bouncycastle.asn1.ASN1Set.getInstance(sortedSet)) {
            byte[] encoded = element.toASN1Primitive().getEncoded();
            sorted.add(certificates.stream().filter(c -> {
                try {
                    return java.util.Arrays.equals(c.getEncoded(), encoded);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).findFirst().orElseThrow());
        }
        return sorted;
    }

    private static List<X509CertificateHolder> certificates(CMSSignedData signed) {
        return new ArrayList<>(signed.getCertificates().getMatches(null));
    }

    private static X509CertificateHolder holder(X509Certificate certificate) {
        try {
            return new JcaX509CertificateHolder(certificate);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String printable(AttributeTable attributes, ASN1ObjectIdentifier type) {
        ASN1Encodable value = attributes.get(type).getAttrValues().getObjectAt(0);
        assertThat(value).as("%s is a PrintableString", type).isInstanceOf(DERPrintableString.class);
        return ((DERPrintableString) value).getString();
    }

    private static byte[] octets(AttributeTable attributes, ASN1ObjectIdentifier type) {
        return ASN1OctetString.getInstance(attributes.get(type).getAttrValues().getObjectAt(0)).getOctets();
    }
}
