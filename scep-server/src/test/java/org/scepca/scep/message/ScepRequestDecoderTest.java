package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.jscep.asn1.IssuerAndSubject;
import org.jscep.message.GetCert;
import org.jscep.message.GetCertInitial;
import org.jscep.message.GetCrl;
import org.jscep.message.PkcsPkiEnvelopeEncoder;
import org.jscep.message.PkcsReq;
import org.jscep.message.PkiMessage;
import org.jscep.message.PkiMessageEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScepRequestDecoderTest {

    private static TestPki pki;
    private static ScepRequestDecoder decoder;

    @BeforeAll
    static void setUp() {
        TestPki.registerBouncyCastle();
        pki = TestPki.PKI;
        decoder = new ScepRequestDecoder(pki.ra, false, DecoderLimits.DEFAULT);
    }

    // ---- real jscep 2.5.8 client messages ----

    @ParameterizedTest(name = "ok/{0}+{1}")
    @CsvSource({
        "AES, SHA256withRSA, AES_128_CBC, SHA256",
        "AES, SHA1withRSA, AES_128_CBC, SHA1",
        "AES, SHA512withRSA, AES_128_CBC, SHA512",
        "DESede, SHA256withRSA, DES_EDE3_CBC, SHA256",
        "DESede, SHA1withRSA, DES_EDE3_CBC, SHA1",
        "AES_256, SHA512withRSA, AES_256_CBC, SHA512",
    })
    void decodesPkcsReqFromJscep(String jscepCipher, String signature, ContentCipher cipher, DigestAlgorithm digest)
            throws Exception {
        PKCS10CertificationRequest csr = pki.csr();
        org.jscep.transaction.TransactionId txId = org.jscep.transaction.TransactionId.createTransactionId(
                pki.requesterKeys.getPublic(), "SHA-1");
        org.jscep.transaction.Nonce nonce = org.jscep.transaction.Nonce.nextNonce();

        DecodedRequest request = decoder.decode(jscep(new PkcsReq(txId, nonce, csr), jscepCipher, signature));

        assertThat(request.failure()).isEmpty();
        assertThat(request.messageType()).isEqualTo(MessageType.PKCS_REQ);
        assertThat(request.transactionId().value()).isEqualTo(txId.toString());
        assertThat(request.senderNonce().bytes()).isEqualTo(nonce.getBytes());
        assertThat(request.signerCertificate()).isEqualTo(pki.requesterCert);
        assertThat(request.replyParameters().digestAlgorithm()).isEqualTo(digest);
        assertThat(request.replyParameters().contentCipher()).contains(cipher);
        assertThat(request.replyParameters().recipient()).isEqualTo(pki.requesterCert);
        CsrPayload payload = (CsrPayload) request.payload().orElseThrow();
        assertThat(payload.csr()).isEqualTo(csr);
        assertThat(payload.csrDer()).isEqualTo(csr.getEncoded());
        assertThat(CsrAttributes.challengePassword(payload.csr())).contains("secret-challenge");
    }

    @Test
    void decodesCertPollFromJscep() throws Exception {
        X500Name issuer = new X500Name("CN=Test Root CA,O=scepca");
        X500Name subject = new X500Name("CN=device-1234");
        DecodedRequest request = decoder.decode(jscep(new GetCertInitial(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                new IssuerAndSubject(issuer, subject)), "AES", "SHA256withRSA"));

        assertThat(request.failure()).isEmpty();
        assertThat(request.messageType()).isEqualTo(MessageType.CERT_POLL);
        assertThat(request.payload()).contains(new IssuerAndSubjectPayload(issuer, subject));
    }

    @Test
    void decodesGetCertFromJscep() throws Exception {
        X500Name issuer = new X500Name("CN=Test Root CA,O=scepca");
        DecodedRequest request = decoder.decode(jscep(new GetCert(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                new IssuerAndSerialNumber(issuer, BigInteger.valueOf(4711))), "AES", "SHA256withRSA"));

        assertThat(request.failure()).isEmpty();
        assertThat(request.messageType()).isEqualTo(MessageType.GET_CERT);
        assertThat(request.payload()).contains(new IssuerAndSerialPayload(issuer, BigInteger.valueOf(4711)));
    }

    @Test
    void decodesGetCrlFromJscep() throws Exception {
        X500Name issuer = new X500Name("CN=Test Root CA,O=scepca");
        DecodedRequest request = decoder.decode(jscep(new GetCrl(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                new IssuerAndSerialNumber(issuer, BigInteger.TEN)), "DESede", "SHA1withRSA"));

        assertThat(request.failure()).isEmpty();
        assertThat(request.messageType()).isEqualTo(MessageType.GET_CRL);
        assertThat(request.payload()).contains(new IssuerAndSerialPayload(issuer, BigInteger.TEN));
        assertThat(request.replyParameters().contentCipher()).contains(ContentCipher.DES_EDE3_CBC);
    }

    @Test
    void singleDesFromJscep_failsWithBadAlg() throws Exception {
        DecodedRequest request = decoder.decode(jscep(new PkcsReq(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                pki.csr()), "DES", "SHA256withRSA"));

        assertThat(request.failure()).contains(FailInfo.BAD_ALG);
        assertThat(request.payload()).isEmpty();
        assertThat(request.replyParameters().contentCipher()).isEmpty();
    }

    @Test
    void singleDesFromJscep_isAcceptedWhenLegacySwitchIsOn() throws Exception {
        ScepRequestDecoder legacy = new ScepRequestDecoder(pki.ra, true, DecoderLimits.DEFAULT);
        DecodedRequest request = legacy.decode(jscep(new PkcsReq(
                org.jscep.transaction.TransactionId.createTransactionId(), org.jscep.transaction.Nonce.nextNonce(),
                pki.csr()), "DES", "SHA256withRSA"));

        assertThat(request.failure()).isEmpty();
        assertThat(request.replyParameters().contentCipher()).contains(ContentCipher.DES_CBC);
    }

    // ---- messages built with Bouncy Castle ----

    @Test
    void decodesRenewalReq() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).messageType("17")
                .signer(pki.issuedCert, pki.requesterKeys.getPrivate()).build());

        assertThat(request.failure()).isEmpty();
        assertThat(request.messageType()).isEqualTo(MessageType.RENEWAL_REQ);
        assertThat(request.signerCertificate()).isEqualTo(pki.issuedCert);
        assertThat(request.payload()).get().isInstanceOf(CsrPayload.class);
    }

    @ParameterizedTest(name = "ok/{0}")
    @CsvSource({
        "AES_128_CBC, 2.16.840.1.101.3.4.1.2",
        "AES_192_CBC, 2.16.840.1.101.3.4.1.22",
        "AES_256_CBC, 2.16.840.1.101.3.4.1.42",
        "DES_EDE3_CBC, 1.2.840.113549.3.7",
    })
    void decodesEveryAllowedContentCipher(ContentCipher cipher, String oid) throws Exception {
        assertThat(cipher.oid().getId()).isEqualTo(oid);
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).cipher(cipher.oid()).build());

        assertThat(request.failure()).isEmpty();
        assertThat(request.replyParameters().contentCipher()).contains(cipher);
    }

    @Test
    void decodesOaepKeyTransport() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).oaep().cipher(CMSAlgorithm.AES256_CBC).build());

        assertThat(request.failure()).isEmpty();
        assertThat(request.payload()).get().isInstanceOf(CsrPayload.class);
    }

    @Test
    void decodesIndefiniteLengthBerAndDefiniteLength() throws Exception {
        byte[] ber = TestRequests.pkcsReq(pki).build();
        byte[] dl = TestRequests.pkcsReq(pki).definiteLength().build();
        assertThat(ber[1]).as("indefinite length").isEqualTo((byte) 0x80);
        assertThat(dl[1]).isNotEqualTo((byte) 0x80);

        assertThat(decoder.decode(ber).failure()).isEmpty();
        assertThat(decoder.decode(dl).failure()).isEmpty();
    }

    @Test
    void acceptsEightByteNonceOfOldIos() throws Exception {
        byte[] nonce = {8, 7, 6, 5, 4, 3, 2, 1};
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).senderNonce(nonce).build());

        assertThat(request.failure()).isEmpty();
        assertThat(request.senderNonce()).isEqualTo(new Nonce(nonce));
    }

    @Test
    void signatureAlgorithmWithSha384_isAccepted() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).signatureAlgorithm("SHA384withRSA").build());

        assertThat(request.failure()).isEmpty();
        assertThat(request.replyParameters().digestAlgorithm()).isEqualTo(DigestAlgorithm.SHA384);
    }

    // ---- failures answered with a signed CertRep FAILURE ----

    @Test
    void tamperedSignature_failsWithBadMessageCheck() throws Exception {
        byte[] message = TestRequests.pkcsReq(pki).definiteLength().build();
        CMSSignedData signed = new CMSSignedData(message);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        byte[] signature = signer.getSignature();
        int at = indexOf(message, signature);
        assertThat(at).isPositive();
        message[at + signature.length / 2] ^= 0x01;

        DecodedRequest request = decoder.decode(message);

        assertThat(request.failure()).contains(FailInfo.BAD_MESSAGE_CHECK);
        assertThat(request.failureDetail()).contains("signature");
        assertThat(request.payload()).isEmpty();
        assertThat(request.transactionId().value()).isEqualTo("7c0ffee7c0ffee");
        assertThat(request.replyParameters().recipient()).isEqualTo(pki.requesterCert);
    }

    @Test
    void signerCertificateWithOtherKey_failsWithBadMessageCheck() throws Exception {
        // Signed with the requester's key but carrying a certificate for a different key.
        X509Certificate lyingCert = TestPki.certificate(new X500Name("CN=device-1234"), pki.otherRaKeys.getPublic(),
                new X500Name("CN=device-1234"), pki.otherRaKeys.getPrivate(), false, KeyUsage.digitalSignature);
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki)
                .signer(lyingCert, pki.requesterKeys.getPrivate()).build());

        assertThat(request.failure()).contains(FailInfo.BAD_MESSAGE_CHECK);
    }

    @Test
    void messageEncryptedToAnotherRa_failsWithBadMessageCheck() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).recipient(pki.otherRaCert).build());

        assertThat(request.failure()).contains(FailInfo.BAD_MESSAGE_CHECK);
        assertThat(request.failureDetail()).contains("not encrypted to our RA");
    }

    @Test
    void singleDes_failsWithBadAlg_unlessLegacySwitchIsOn() throws Exception {
        byte[] message = TestRequests.pkcsReq(pki).cipher(CMSAlgorithm.DES_CBC).build();

        assertThat(decoder.decode(message).failure()).contains(FailInfo.BAD_ALG);
        assertThat(new ScepRequestDecoder(pki.ra, true, DecoderLimits.DEFAULT).decode(message).failure()).isEmpty();
    }

    @Test
    void otherContentCipher_failsWithBadAlg() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).cipher(CMSAlgorithm.CAMELLIA128_CBC).build());

        assertThat(request.failure()).contains(FailInfo.BAD_ALG);
    }

    @Test
    void md5Digest_failsWithBadAlg() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).signatureAlgorithm("MD5withRSA").build());

        assertThat(request.failure()).contains(FailInfo.BAD_ALG);
        // A FAILURE must still be signed: fall back to SHA-256.
        assertThat(request.replyParameters().digestAlgorithm()).isEqualTo(DigestAlgorithm.SHA256);
    }

    @Test
    void unparseableCsr_failsWithBadRequest() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki)
                .messageData(new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}).build());

        assertThat(request.failure()).contains(FailInfo.BAD_REQUEST);
        assertThat(request.replyParameters().contentCipher()).contains(ContentCipher.AES_128_CBC);
    }

    @Test
    void csrWithBrokenSelfSignature_failsWithBadRequest() throws Exception {
        byte[] csr = TestRequests.encoded(pki.csr());
        csr[csr.length - 10] ^= 0x01;
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).messageData(csr).build());

        assertThat(request.failure()).contains(FailInfo.BAD_REQUEST);
    }

    @Test
    void unparseableIssuerAndSerial_failsWithBadRequest() throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).messageType("21")
                .messageData(new DERSequence(new ASN1Integer(1))).build());

        assertThat(request.failure()).contains(FailInfo.BAD_REQUEST);
        assertThat(request.messageType()).isEqualTo(MessageType.GET_CERT);
    }

    // ---- malformed: the HTTP edge answers 400 ----

    @Test
    void garbageBytes_areMalformed() {
        assertThatThrownBy(() -> decoder.decode("this is not CMS".getBytes()))
                .isInstanceOf(MalformedScepMessageException.class);
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOf(MalformedScepMessageException.class);
        assertThatThrownBy(() -> decoder.decode(new byte[] {0x30, (byte) 0x80, 0x06}))
                .isInstanceOf(MalformedScepMessageException.class);
    }

    @Test
    void truncatedMessage_isMalformed() {
        byte[] message = TestRequests.pkcsReq(pki).definiteLength().build();

        assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(message, message.length - 20)))
                .isInstanceOf(MalformedScepMessageException.class);
    }

    @Test
    void deeplyNestedBer_isMalformed() {
        byte[] nested = new byte[60_000];
        for (int i = 0; i < nested.length; i += 2) {
            nested[i] = 0x30;
            nested[i + 1] = (byte) 0x80;
        }

        assertThatThrownBy(() -> decoder.decode(nested)).isInstanceOf(MalformedScepMessageException.class);
    }

    @Test
    void oversizedMessage_isMalformed() {
        ScepRequestDecoder small = new ScepRequestDecoder(pki.ra, false, new DecoderLimits(1024, 10));

        assertThatThrownBy(() -> small.decode(TestRequests.pkcsReq(pki).build()))
                .isInstanceOf(MalformedScepMessageException.class)
                .hasMessageContaining("exceeds");
    }

    @ParameterizedTest(name = "fail/messageType={0}")
    @CsvSource({"abc", "''", "1 9", "-1", "1234567890"})
    void messageTypeThatIsNotANumber_isMalformed(String messageType) {
        byte[] message = TestRequests.pkcsReq(pki).messageType(messageType).build();

        assertThatThrownBy(() -> decoder.decode(message)).isInstanceOf(MalformedScepMessageException.class);
    }

    /**
     * A signed request of a type this server does not handle (or a CertRep, which only servers send) is a transaction
     * "not permitted or supported": a signed FAILURE badRequest addressed to its sender (RFC 8894 §3.2.1.4), not an
     * HTTP error the client cannot tell from a broken message.
     */
    @ParameterizedTest(name = "unsupported/messageType={0}")
    @CsvSource({"99", "3", "0", "23", "018", "999999999"})
    void unsupportedMessageType_failsWithBadRequest(String messageType) throws Exception {
        DecodedRequest request = decoder.decode(TestRequests.pkcsReq(pki).messageType(messageType)
                .transactionId("unsupported-type").build());

        assertThat(request.messageType()).isEqualTo(MessageType.UNSUPPORTED);
        assertThat(request.failure()).contains(FailInfo.BAD_REQUEST);
        assertThat(request.failureDetail()).contains("messageType " + messageType + " is not supported");
        assertThat(request.transactionId().value()).isEqualTo("unsupported-type");
        assertThat(request.payload()).isEmpty();
    }

    @Test
    void unsupportedMessageTypeWithBrokenSignature_failsWithBadMessageCheck() throws Exception {
        byte[] message = TestRequests.pkcsReq(pki).messageType("99").build();
        CMSSignedData signed = new CMSSignedData(message);
        byte[] signature = signed.getSignerInfos().getSigners().iterator().next().getSignature();
        message[indexOf(message, signature) + signature.length / 2] ^= 0x01;

        assertThat(decoder.decode(message).failure()).contains(FailInfo.BAD_MESSAGE_CHECK);
    }

    @Test
    void missingRequiredAttributes_areMalformed() {
        for (ASN1ObjectIdentifier attribute : new ASN1ObjectIdentifier[] {
                ScepAttributes.MESSAGE_TYPE, ScepAttributes.TRANSACTION_ID, ScepAttributes.SENDER_NONCE}) {
            byte[] message = TestRequests.pkcsReq(pki).omit(attribute).build();
            assertThatThrownBy(() -> decoder.decode(message))
                    .as("without %s", attribute)
                    .isInstanceOf(MalformedScepMessageException.class)
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void missingSignerCertificate_isMalformed() {
        byte[] message = TestRequests.pkcsReq(pki).withoutSignerCertificate().build();

        assertThatThrownBy(() -> decoder.decode(message))
                .isInstanceOf(MalformedScepMessageException.class)
                .hasMessageContaining("signer certificate");
    }

    @Test
    void invalidTransactionIdAndNonce_areMalformed() {
        byte[] longId = TestRequests.pkcsReq(pki).transactionId("a".repeat(200)).build();
        byte[] emptyNonce = TestRequests.pkcsReq(pki).senderNonce(new byte[0]).build();

        assertThatThrownBy(() -> decoder.decode(longId)).isInstanceOf(MalformedScepMessageException.class);
        assertThatThrownBy(() -> decoder.decode(emptyNonce)).isInstanceOf(MalformedScepMessageException.class);
    }


    // ---- helpers ----

    private byte[] jscep(PkiMessage<?> message, String cipher, String signature) throws Exception {
        PkiMessageEncoder encoder = new PkiMessageEncoder(pki.requesterKeys.getPrivate(), pki.requesterCert,
                new PkcsPkiEnvelopeEncoder(pki.raCert, cipher), signature);
        return encoder.encode(message).getEncoded();
    }


    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
