package org.scepca.scep.message;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;
import org.scepca.scep.ScepReply;
import org.scepca.scep.ScepService;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes PKIOperation below HTTP, against a real CA ({@link FuzzCa}): {@link ScepService#pkiOperation} may only answer
 * with a CertRep signed by the RA (FAILURE with a standard failInfo for every refusal) or throw
 * {@link MalformedScepMessageException} (HTTP 400). Any other exception would be an HTTP 500; a hang or an unbounded
 * allocation is caught by the timeout and the fuzzer's memory limit (scripts/fuzz-soak.sh).
 *
 * <p>Regression inputs: {@code src/test/resources/org/scepca/scep/message/ScepRequestFuzzTestInputs/<method>/}.
 */
class ScepRequestFuzzTest {
    private static ScepService scep;
    private static FuzzCa ca;

    @BeforeAll
    static void start() {
        ca = FuzzCa.get();
        scep = ca.running().scep();
    }

    /**
     * The POST body as it arrives from the network. Mutations of a real message mostly break its signature, so this
     * target covers the outer layer: BER parsing, SignedData, the SCEP attributes, the signer certificate and the
     * signature check.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void pkiMessage(byte[] body) {
        FuzzStats stats = FuzzStats.of("ScepRequestFuzzTest.pkiMessage");
        try {
            stats.record(CertRepCheck.verify(scep.pkiOperation(body), ca.raCertificate()).label());
        } catch (MalformedScepMessageException e) {
            stats.record("malformed");
        }
    }

    private static final List<String> MESSAGE_TYPES = List.of("19", "17", "20", "21", "22", "3", "0", "", "019",
            "99999", "abc");
    private static final List<ASN1ObjectIdentifier> CIPHERS = List.of(CMSAlgorithm.AES128_CBC, CMSAlgorithm.AES256_CBC,
            CMSAlgorithm.DES_EDE3_CBC, CMSAlgorithm.DES_CBC);

    /**
     * A correctly signed pkiMessage, encrypted to our RA, around fuzzed content: this reaches what the outer layer
     * protects (decryption, messageData parsing: CSR, IssuerAndSerialNumber, IssuerAndSubject) and the enrollment,
     * polling, GetCert and GetCRL paths. Input layout: byte 0 picks the messageType, byte 1 the cipher, key transport,
     * transactionID and nonce shape, the rest is messageData (see FuzzSeeds for the seeds).
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void envelopedContent(byte[] input) {
        FuzzStats stats = FuzzStats.of("ScepRequestFuzzTest.envelopedContent");
        if (input.length < 2) {
            stats.record("short");
            return;
        }
        int flags = input[1] & 0xff;
        String transactionId = switch ((flags >> 3) & 3) {
            case 0 -> "fuzz-transaction";
            // A new transaction per input: each valid PKCSReq is a new enrollment, not a retransmission.
            case 1 -> sha256Hex(input);
            case 2 -> "";
            default -> "x".repeat(300);
        };
        byte[] nonce = new byte[switch ((flags >> 5) & 3) {
            case 0 -> 16;
            case 1 -> 8;
            case 2 -> 0;
            default -> 33;
        }];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) (i + input.length);
        }
        TestRequests request = TestRequests.pkcsReq(TestPki.PKI).recipient(ca.raCertificate())
                .messageType(MESSAGE_TYPES.get((input[0] & 0xff) % MESSAGE_TYPES.size()))
                .cipher(CIPHERS.get(flags & 3)).transactionId(transactionId).senderNonce(nonce)
                .messageData(java.util.Arrays.copyOfRange(input, 2, input.length)).signWithDefaultProviders();
        if ((flags & 4) != 0) {
            request.oaep();
        }
        if ((flags & 0x80) != 0) {
            request.definiteLength();
        }
        ScepReply reply;
        try {
            reply = scep.pkiOperation(request.build());
        } catch (MalformedScepMessageException e) {
            stats.record("malformed");
            return;
        }
        CertRepCheck.Rep rep = CertRepCheck.verify(reply, ca.raCertificate());
        CertRepCheck.assertAddressed(rep, transactionId, nonce);
        stats.record(rep.label());
    }

    private static String sha256Hex(byte[] input) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
