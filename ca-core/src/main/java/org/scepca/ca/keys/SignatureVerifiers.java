package org.scepca.ca.keys;

import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Map;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Signature verifiers for a public key that create exactly one JCA {@link Signature} from the default providers, so
 * the fastest installed provider verifies.
 *
 * <p>Bouncy Castle's {@link JcaContentVerifierProviderBuilder} also prepares a raw "NONEwithRSA" signature for every
 * RSA verifier, in case a CMS signer has no signed attributes. Of the providers here only Bouncy Castle offers that
 * algorithm, and initialising it validates the modulus (a GCD with small primes, then Miller-Rabin rounds): more CPU
 * than the verification itself, thrown away for a CSR or a SCEP message (which always has signed attributes). The
 * common algorithms get a plain verifier here; anything else (RSASSA-PSS with parameters, unusual OIDs) goes to
 * Bouncy Castle's builder unchanged.
 */
public final class SignatureVerifiers {
    private static final Map<ASN1ObjectIdentifier, String> NAMES = Map.ofEntries(
            Map.entry(PKCSObjectIdentifiers.sha1WithRSAEncryption, "SHA1withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha224WithRSAEncryption, "SHA224withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA1, "SHA1withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA224, "SHA224withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA"));

    private final JcaContentVerifierProviderBuilder fallback = new JcaContentVerifierProviderBuilder();

    /** A verifier provider for signatures by {@code key}; thread-safe, each verifier it hands out is not. */
    public ContentVerifierProvider forKey(PublicKey key) {
        return new ContentVerifierProvider() {
            @Override
            public boolean hasAssociatedCertificate() {
                return false;
            }

            @Override
            public X509CertificateHolder getAssociatedCertificate() {
                return null;
            }

            @Override
            public ContentVerifier get(AlgorithmIdentifier algorithm) throws OperatorCreationException {
                String name = NAMES.get(algorithm.getAlgorithm());
                if (name == null) {
                    return fallback.build(key).get(algorithm);
                }
                try {
                    Signature signature = Signature.getInstance(name);
                    signature.initVerify(key);
                    return new Verifier(algorithm, signature);
                } catch (GeneralSecurityException e) {
                    throw new OperatorCreationException("cannot verify " + name + " with this key", e);
                }
            }
        };
    }

    private static final class Verifier implements ContentVerifier {
        private final AlgorithmIdentifier algorithm;
        private final Signature signature;
        private final OutputStream stream;

        Verifier(AlgorithmIdentifier algorithm, Signature signature) {
            this.algorithm = algorithm;
            this.signature = signature;
            this.stream = new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    try {
                        signature.update(b, off, len);
                    } catch (SignatureException e) {
                        throw new RuntimeOperatorException("signature update failed", e);
                    }
                }
            };
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public OutputStream getOutputStream() {
            return stream;
        }

        @Override
        public boolean verify(byte[] expected) {
            try {
                return signature.verify(expected);
            } catch (SignatureException e) {
                throw new RuntimeOperatorException("signature cannot be checked", e);
            }
        }
    }
}
