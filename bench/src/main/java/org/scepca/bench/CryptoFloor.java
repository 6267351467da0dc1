package org.scepca.bench;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.util.Arrays;

import javax.crypto.Cipher;

import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.keys.Pkcs12Files.KeyAndChain;
import org.scepca.ca.material.CaDirectory;

/**
 * The unavoidable private-key work of one enrollment, timed in-process with the provider the server reported at
 * start-up, single-threaded and after warm-up: the RA decrypts the request's content-encryption key, the issuing CA
 * signs the certificate, the RA signs the CertRep.
 */
final class CryptoFloor {
    private CryptoFloor() {
    }

    /** Milliseconds per enrollment for each part and in total; keys as loaded by the server. */
    record Floor(double decryptMs, double certSignMs, double replySignMs, int raBits, int caBits, String provider) {
        double totalMs() {
            return decryptMs + certSignMs + replySignMs;
        }

        @Override
        public String toString() {
            return String.format("%.3f ms = RSA-%d decrypt %.3f + RSA-%d certificate signature %.3f + RSA-%d reply"
                    + " signature %.3f (%s, 1 thread)", totalMs(), raBits, decryptMs, caBits, certSignMs, raBits,
                    replySignMs, provider);
        }
    }

    /**
     * @param serverRsaProvider the provider the server reported for RSA signatures; its decryption counterpart is
     *                          the same provider, or SunJCE for the JDK's SunRsaSign
     */
    static Floor measure(CaDirectory dir, Passphrase passphrase, String serverRsaProvider) throws GeneralSecurityException {
        KeyAndChain ra = Pkcs12Files.read(dir.raKey(), passphrase);
        KeyAndChain ca = Pkcs12Files.read(dir.intermediateKey(), passphrase);
        Provider signatures = Security.getProvider(serverRsaProvider);
        if (signatures == null) {
            throw new IllegalStateException("provider " + serverRsaProvider + " is not installed here");
        }
        Provider ciphers = serverRsaProvider.equals("SunRsaSign") ? Security.getProvider("SunJCE") : signatures;
        // Keys in the form that provider uses, as the server converts them once at load.
        PrivateKey raKey = (PrivateKey) KeyFactory.getInstance("RSA", signatures).translateKey(ra.key());
        PrivateKey caKey = (PrivateKey) KeyFactory.getInstance("RSA", signatures).translateKey(ca.key());
        return measure(raKey, ra.certificate().getPublicKey(), caKey, signatures, ciphers);
    }

    static Floor measure(PrivateKey raKey, PublicKey raPublic, PrivateKey caKey, Provider signatures, Provider ciphers)
            throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        byte[] cek = new byte[16];
        random.nextBytes(cek);
        Cipher enc = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        enc.init(Cipher.ENCRYPT_MODE, raPublic);
        byte[] wrapped = enc.doFinal(cek);
        byte[] tbsCertificate = new byte[1100]; // a device certificate's TBSCertificate is about 1 KB
        byte[] signedAttributes = new byte[260]; // a CertRep's signed attributes
        random.nextBytes(tbsCertificate);
        random.nextBytes(signedAttributes);
        Cipher dec = Cipher.getInstance("RSA/ECB/PKCS1Padding", ciphers);
        Signature certSig = Signature.getInstance("SHA256withRSA", signatures);
        Signature replySig = Signature.getInstance("SHA256withRSA", signatures);

        int warmup = 400;
        int batch = 150;
        int batches = 7;
        double[] d = new double[batches];
        double[] c = new double[batches];
        double[] r = new double[batches];
        for (int i = 0; i < warmup; i++) {
            once(dec, raKey, wrapped, certSig, caKey, tbsCertificate, replySig, raKey, signedAttributes, null);
        }
        for (int b = 0; b < batches; b++) {
            long[] t = new long[3];
            for (int i = 0; i < batch; i++) {
                once(dec, raKey, wrapped, certSig, caKey, tbsCertificate, replySig, raKey, signedAttributes, t);
            }
            d[b] = t[0] / 1e6 / batch;
            c[b] = t[1] / 1e6 / batch;
            r[b] = t[2] / 1e6 / batch;
        }
        return new Floor(median(d), median(c), median(r), ((RSAKey) raPublic).getModulus().bitLength(),
                bits(caKey), certSig.getProvider().getName());
    }

    private static void once(Cipher dec, PrivateKey raKey, byte[] wrapped, Signature certSig, PrivateKey caKey,
            byte[] tbs, Signature replySig, PrivateKey replyKey, byte[] attrs, long[] t) throws GeneralSecurityException {
        long t0 = System.nanoTime();
        dec.init(Cipher.DECRYPT_MODE, raKey);
        if (dec.doFinal(wrapped).length != 16) {
            throw new IllegalStateException("decryption failed");
        }
        long t1 = System.nanoTime();
        certSig.initSign(caKey);
        certSig.update(tbs);
        certSig.sign();
        long t2 = System.nanoTime();
        replySig.initSign(replyKey);
        replySig.update(attrs);
        replySig.sign();
        long t3 = System.nanoTime();
        if (t != null) {
            t[0] += t1 - t0;
            t[1] += t2 - t1;
            t[2] += t3 - t2;
        }
    }

    private static int bits(PrivateKey k) {
        return k instanceof RSAKey rsa && rsa.getModulus() != null ? rsa.getModulus().bitLength() : -1;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
