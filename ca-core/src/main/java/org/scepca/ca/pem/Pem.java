package org.scepca.ca.pem;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.Passphrase;

/** PEM and DER helpers for certificates, CRLs and (import only) private keys. */
public final class Pem {
    private static final CertificateFactory X509 = certificateFactory();

    /**
     * PBES2 variants OpenSSL 3 writes (PBKDF2-HMAC-SHA256 + AES) need Bouncy Castle's PBE implementations. A holder
     * class: building the provider registers hundreds of algorithms, which a CLI command that only reads a PEM file
     * (scepca ca info) should not pay for.
     */
    private static final class Bc {
        static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    private Pem() {
    }

    private static CertificateFactory certificateFactory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("no X.509 certificate factory", e);
        }
    }

    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) X509.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a certificate", e);
        }
    }

    /**
     * A freshly built certificate as an {@link X509Certificate}, through Bouncy Castle's certificate factory. The
     * JDK's factory keeps every parsed certificate in a global synchronized cache keyed by its whole encoding and
     * builds the public key object eagerly; neither helps a certificate that was just signed.
     */
    public static X509Certificate certificate(X509CertificateHolder holder) {
        try {
            return new JcaX509CertificateConverter().setProvider(Bc.PROVIDER).getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a certificate", e);
        }
    }

    public static X509CRL crl(byte[] derOrPem) {
        try {
            return (X509CRL) X509.generateCRL(new ByteArrayInputStream(derOrPem));
        } catch (CRLException e) {
            throw new IllegalArgumentException("not a CRL", e);
        }
    }

    /** Reads every certificate in a PEM (or single DER) file, in file order. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : X509.generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("no certificate in " + file, e);
        }
    }

    /** PEM of a certificate, CRL or private key; keys as unencrypted PKCS#8 ("PRIVATE KEY"). */
    public static String encode(Object certOrCrlOrKey) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            if (certOrCrlOrKey instanceof PrivateKey key) {
                // Not the writer's default "EC PRIVATE KEY": from a JDK key it lacks the curve, and OpenSSL (nginx)
                // then cannot read it. PKCS#8 names the algorithm and curve for every key type.
                w.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                w.writeObject(certOrCrlOrKey);
            }
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
        return sw.toString();
    }

    public static byte[] encodeAll(List<?> objects) {
        StringBuilder sb = new StringBuilder();
        objects.forEach(o -> sb.append(encode(o)));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a private key and the certificates from a PEM file (any order), as OpenSSL writes them:
     * PKCS#8, encrypted PKCS#8, or traditional RSA/EC keys, optionally encrypted with the passphrase.
     */
    public static ImportedPem readKeyAndCertificates(Path file, Passphrase passphrase) throws IOException {
        PrivateKey key = null;
        List<X509Certificate> certs = new ArrayList<>();
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(new JcaX509CertificateConverter().getCertificate(h));
                } else if (o instanceof PEMKeyPair kp) {
                    key = conv.getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo pki) {
                    key = conv.getPrivateKey(pki);
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    requirePassphrase(passphrase, file);
                    InputDecryptorProvider dp = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase.chars());
                    key = conv.getPrivateKey(enc.decryptPrivateKeyInfo(dp));
                } else if (o instanceof PEMEncryptedKeyPair enc) {
                    requirePassphrase(passphrase, file);
                    key = conv.getPrivateKey(enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase.chars()))
                            .getPrivateKeyInfo());
                }
            }
        } catch (KeyAccessException e) {
            throw e;
        } catch (org.bouncycastle.pkcs.PKCSException | org.bouncycastle.openssl.EncryptionException e) {
            throw new KeyAccessException("wrong passphrase for " + file);
        } catch (Exception e) {
            if (e instanceof IOException io && !(e.getCause() instanceof java.security.GeneralSecurityException)) {
                throw new KeyAccessException("cannot read " + file + ": not PEM (" + e.getClass().getSimpleName() + ")");
            }
            throw new KeyAccessException("cannot read key in " + file + ": " + e.getClass().getSimpleName());
        }
        return new ImportedPem(key, certs);
    }

    private static void requirePassphrase(Passphrase passphrase, Path file) {
        if (passphrase == null) {
            throw new KeyAccessException("the key in " + file + " is encrypted: provide its passphrase");
        }
    }

    public record ImportedPem(PrivateKey key, List<X509Certificate> certificates) {
        public ImportedPem {
            certificates = List.copyOf(certificates);
        }

        @Override
        public String toString() {
            return "ImportedPem[" + certificates.size() + " certificates, key " + (key == null ? "absent" : "hidden") + "]";
        }
    }

    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("SHA-256", data));
    }

    public static byte[] digest(String alg, byte[] data) {
        try {
            return MessageDigest.getInstance(alg).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(alg + " missing", e);
        }
    }

    /** Colon-separated upper-case hex, as `openssl x509 -fingerprint` prints it. */
    public static String fingerprint(String alg, X509Certificate cert) {
        try {
            byte[] d = digest(alg, cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }
}
