package org.scepca.server.ocsp;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.scepca.fuzz.FuzzCa;
import org.scepca.fuzz.FuzzStats;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the OCSP responder below HTTP, against the fuzz CA's real store and delegated signer. The oracle: every input
 * gets an OCSPResponse; it is malformedRequest or a successful answer signed by a responder certificate that our
 * intermediate issued, with one SingleResponse per CertID and the nonce echoed. internalError or tryLater would mean an
 * exception inside the responder (there is no database outage here), so they are findings too.
 *
 * <p>Regression inputs: {@code src/test/resources/org/scepca/server/ocsp/OcspResponderFuzzTestInputs/<method>/}.
 */
class OcspResponderFuzzTest {
    private static final List<AlgorithmIdentifier> HASHES = List.of(CertificateID.HASH_SHA1,
            new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256), new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384),
            new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha512));

    private static OcspResponder responder;
    private static X509Certificate intermediate;
    private static FuzzCa ca;

    @BeforeAll
    static void start() {
        ca = FuzzCa.get();
        responder = ca.running().ocsp();
        intermediate = ca.running().ca().material().intermediateCertificate();
    }

    /** The DER body of a POST, or the decoded path of a GET: any bytes. */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void derRequest(byte[] der) {
        OcspResult result = responder.respond(der);
        Optional<OCSPReq> request = parsed(der);
        if (result.status() == OcspResult.Status.UNAUTHORIZED) {
            if (!OcspOracle.unauthorizedIsRight(der, intermediate)) {
                throw new AssertionError("unauthorized for a request that names our issuer, or that does not parse");
            }
            FuzzStats.of("OcspResponderFuzzTest.derRequest").record("unauthorized");
            return;
        }
        check(result, request.map(r -> r.getRequestList().length).orElse(-1),
                request.map(r -> r.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)).orElse(null));
        FuzzStats.of("OcspResponderFuzzTest.derRequest").record(result.status().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Well-formed requests whose CertIDs name our intermediate, so that every one reaches the store: byte 0 picks the
     * hash (bits 0-1), leaves out the nonce (bit 2) and sets the number of CertIDs (bits 4-5, plus one); the rest
     * is split into the serial numbers, any sign and length.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void ourCertIds(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int flags = input[0] & 0xff;
        int count = ((flags >> 4) & 3) + 1;
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        OCSPReqBuilder b = new OCSPReqBuilder();
        List<BigInteger> serials = new ArrayList<>();
        int chunk = (rest.length + count - 1) / count;
        for (int i = 0; i < count; i++) {
            byte[] part = Arrays.copyOfRange(rest, Math.min(rest.length, i * chunk), Math.min(rest.length, (i + 1) * chunk));
            BigInteger serial = part.length == 0 ? BigInteger.ZERO : new BigInteger(part);
            serials.add(serial);
            b.addRequest(new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(HASHES.get(flags & 3)),
                    new JcaX509CertificateHolder(intermediate), serial));
        }
        Extension nonce = null;
        if ((flags & 4) == 0) {
            nonce = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(Arrays.copyOf(input, 16)).getEncoded()));
            b.setRequestExtensions(new Extensions(nonce));
        }
        OcspResult result = responder.respond(b.build().getEncoded());
        if (!result.successful()) {
            throw new AssertionError("well-formed request answered " + result.status());
        }
        BasicOCSPResp basic = check(result, count, nonce);
        SingleResp[] answers = basic.getResponses();
        for (int i = 0; i < count; i++) {
            boolean ours = serials.get(i).equals(ca.issuedSerial());
            if (!answers[i].getCertID().getSerialNumber().equals(serials.get(i))
                    || ours == answers[i].getCertStatus() instanceof UnknownStatus) {
                throw new AssertionError("wrong answer for serial " + serials.get(i).toString(16));
            }
        }
        FuzzStats.of("OcspResponderFuzzTest.ourCertIds").record("successful");
    }

    /** Checks an answer; returns the signed response when it is successful. */
    private static BasicOCSPResp check(OcspResult result, int requests, Extension nonce) {
        try {
            OCSPResp resp = new OCSPResp(result.der());
            if (resp.getStatus() != result.status().code()) {
                throw new AssertionError("encoded status " + resp.getStatus() + " but reported " + result.status());
            }
            if (result.status() == OcspResult.Status.MALFORMED_REQUEST) {
                return null;
            }
            if (!result.successful()) {
                throw new AssertionError("OCSP answered " + result.status() + ": an exception inside the responder");
            }
            BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
            X509CertificateHolder signer = basic.getCerts()[0];
            if (!signer.isSignatureValid(new JcaContentVerifierProviderBuilder().build(intermediate.getPublicKey()))
                    || !basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))) {
                throw new AssertionError("OCSP response not signed by a responder of our intermediate");
            }
            if (basic.getResponses().length != requests) {
                throw new AssertionError(basic.getResponses().length + " answers for " + requests + " CertIDs");
            }
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null && (echoed == null || !echoed.getExtnValue().equals(nonce.getExtnValue()))) {
                throw new AssertionError("nonce not echoed");
            }
            return basic;
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("OCSP answer does not parse or verify", e);
        }
    }

    /** Bouncy Castle's own reading of the request; its parsing is lazy, so every part used is touched here. */
    private static Optional<OCSPReq> parsed(byte[] der) {
        try {
            OCSPReq request = new OCSPReq(der);
            request.getRequestList();
            request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            return Optional.of(request);
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
