package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The server may install a faster JCA provider (Amazon Corretto Crypto Provider) at position 1 at
 * start-up. This checks that signing and verification go through the default provider order instead
 * of a pinned Bouncy Castle, by putting a counting provider first.
 */
class DefaultJcaProviderTest {

    private static final AtomicInteger SIGNS = new AtomicInteger();
    private static final AtomicInteger VERIFIES = new AtomicInteger();

    @Test
    void signingAndVerification_useTheFirstJcaProvider_notPinnedBouncyCastle() throws Exception {
        TestPki.registerBouncyCastle();
        TestPki pki = TestPki.PKI;
        ScepRequestDecoder decoder = new ScepRequestDecoder(pki.ra, false, DecoderLimits.DEFAULT);
        CertRepEncoder encoder = new CertRepEncoder(pki.ra, new SecureRandom());
        byte[] message = TestRequests.pkcsReq(pki).build();

        Provider spy = new CountingProvider();
        Security.insertProviderAt(spy, 1);
        try {
            SIGNS.set(0);
            VERIFIES.set(0);
            DecodedRequest request = decoder.decode(message);
            assertThat(request.failure()).isEmpty();
            // The pkiMessage signature and the CSR self-signature.
            assertThat(VERIFIES.get()).isEqualTo(2);

            encoder.encode(CertRep.success(request.transactionId(), request.senderNonce(), List.of(pki.issuedCert)),
                    request.replyParameters());
            assertThat(SIGNS.get()).isEqualTo(1);
        } finally {
            Security.removeProvider(spy.getName());
        }
    }

    private static final class CountingProvider extends Provider {
        CountingProvider() {
            super("ScepTestCountingProvider", "1.0", "counts SHA256withRSA operations");
            put("Signature.SHA256withRSA", CountingSignature.class.getName());
        }
    }

    /** SHA256withRSA delegating to the JDK's SunRsaSign, counting init calls. */
    public static final class CountingSignature extends SignatureSpi {
        private final Signature delegate;

        public CountingSignature() throws NoSuchAlgorithmException, NoSuchProviderException {
            delegate = Signature.getInstance("SHA256withRSA", "SunRsaSign");
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            VERIFIES.incrementAndGet();
            delegate.initVerify(publicKey);
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            SIGNS.incrementAndGet();
            delegate.initSign(privateKey);
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            delegate.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            delegate.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            return delegate.sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            return delegate.verify(sigBytes);
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("no parameters");
        }
    }
}
