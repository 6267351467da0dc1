package org.scepca.ca.keys;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** Key generation for CA, RA and server keys. */
public final class KeyPairs {
    private KeyPairs() {
    }

    public static KeyPair rsa(int bits, SecureRandom random) {
        if (bits < 2048) {
            throw new IllegalArgumentException("RSA keys must be at least 2048 bits, not " + bits);
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation unavailable", e);
        }
    }

    public static KeyPair ec(String curve, SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC key generation unavailable for " + curve, e);
        }
    }

    /**
     * The key as an object of the first provider that has a key factory for it. The PKCS#12 reader always returns
     * the JDK's key classes; a faster provider installed first (Amazon Corretto Crypto Provider) would otherwise
     * convert such a foreign key on every signature or decryption, which costs almost as much as the operation.
     * Converted once at load, every later use goes straight to the provider. Falls back to the key as given.
     */
    public static PrivateKey inPreferredProvider(PrivateKey key) {
        try {
            Key translated = KeyFactory.getInstance(key.getAlgorithm()).translateKey(key);
            return translated instanceof PrivateKey p ? p : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /** The signature algorithm we use with a given key: SHA-256 with RSA PKCS#1 v1.5 (widest support) or ECDSA. */
    public static String signatureAlgorithm(java.security.PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    }
}
