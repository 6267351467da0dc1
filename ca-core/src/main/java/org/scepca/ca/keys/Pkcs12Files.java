package org.scepca.ca.keys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.scepca.ca.pem.SecureFiles;

/**
 * Private keys at rest: PKCS#12 files protected by the CA passphrase. The JDK 17 PKCS#12 writer uses
 * PBES2 (PBKDF2-HmacSHA256, AES-256-CBC) for keys and an HmacSHA256 MAC, which is what we want for CA keys
 * (device-bound .p12 files for old iOS are a different matter and are not made here).
 */
public final class Pkcs12Files {
    private static final String ALIAS = "key";

    private Pkcs12Files() {
    }

    public static void write(Path file, PrivateKey key, List<X509Certificate> chain, Passphrase passphrase) {
        byte[] p12 = encode(key, chain, passphrase);
        try {
            SecureFiles.writeOwnerOnly(file, p12);
        } catch (IOException e) {
            throw new KeyAccessException("cannot write key file " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** A PKCS#12 holding {@code key} and {@code chain}, encrypted under {@code passphrase}. */
    public static byte[] encode(PrivateKey key, List<X509Certificate> chain, Passphrase passphrase) {
        char[] pw = passphrase.chars();
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, pw, chain.toArray(new Certificate[0]));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, pw);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new KeyAccessException("cannot encode a PKCS#12: " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    public static KeyAndChain read(Path file, Passphrase passphrase) {
        if (!Files.isRegularFile(file)) {
            throw new KeyAccessException("key file not found: " + file);
        }
        try {
            return read(Files.readAllBytes(file), passphrase, file.toString());
        } catch (IOException e) {
            throw new KeyAccessException("cannot read key file " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    public static KeyAndChain read(byte[] pkcs12, Passphrase passphrase, String name) {
        char[] pw = passphrase.chars();
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(pkcs12), pw);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    PrivateKey key = KeyPairs.inPreferredProvider((PrivateKey) ks.getKey(alias, pw));
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : ks.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    return new KeyAndChain(key, chain);
                }
            }
            throw new KeyAccessException("no private key in " + name);
        } catch (UnrecoverableKeyException e) {
            throw new KeyAccessException("wrong passphrase for " + name);
        } catch (IOException e) {
            // The PKCS#12 MAC check fails with an IOException whose cause is UnrecoverableKeyException.
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new KeyAccessException("wrong passphrase for " + name);
            }
            throw new KeyAccessException("corrupt key file " + name, e);
        } catch (GeneralSecurityException e) {
            throw new KeyAccessException("cannot read key file " + name + ": " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** A private key with its certificate chain (leaf first). */
    public record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
        public KeyAndChain {
            chain = List.copyOf(chain);
        }

        public X509Certificate certificate() {
            return chain.get(0);
        }

        @Override
        public String toString() {
            return "KeyAndChain[" + certificate().getSubjectX500Principal().getName() + ", key hidden]";
        }
    }
}
