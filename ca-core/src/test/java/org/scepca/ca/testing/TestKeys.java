package org.scepca.ca.testing;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import org.scepca.ca.keys.KeyPairs;

/** RSA key generation is slow on two cores: tests share a small pool of keys made once per JVM. */
public final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<KeyPair> RSA_2048 = new ArrayList<>();

    private TestKeys() {
    }

    /** The i-th shared RSA-2048 key pair (made on first use). */
    public static synchronized KeyPair rsa2048(int i) {
        while (RSA_2048.size() <= i) {
            RSA_2048.add(KeyPairs.rsa(2048, RANDOM));
        }
        return RSA_2048.get(i);
    }

    public static KeyPair rsa2048() {
        return rsa2048(0);
    }

    /** A fresh key, for tests that need many distinct keys. */
    public static KeyPair freshRsa2048() {
        return KeyPairs.rsa(2048, RANDOM);
    }

    public static KeyPair rsa1024() {
        try {
            var g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(1024, RANDOM);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec(String curve) {
        return KeyPairs.ec(curve, RANDOM);
    }
}
