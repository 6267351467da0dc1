package org.scepca.server.batch;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.bc.BcPKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * A PKCS#12 that iOS and macOS import: key and certificate bags encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC and a
 * SHA-1 MAC. iOS up to 17 refuses the AES/PBES2 + SHA-256 files that OpenSSL 3 and the JDK's KeyStore write by
 * default. Weak by today's standards, which is why the password is long and random and the file travels apart from
 * it; SCEP, where the key never leaves the device, is the better path.
 */
public final class LegacyPkcs12 {
    /** Iterations for the PBE and the MAC: the PKCS#12 norm of 2048 (RFC 7292 recommends at least 1024). */
    static final int ITERATIONS = 2048;

    private LegacyPkcs12() {
    }

    /** DER of a PKCS#12 holding {@code key} and {@code chain} (leaf first), friendly name {@code name}. */
    public static byte[] encode(PrivateKey key, List<X509Certificate> chain, String name, char[] password,
            SecureRandom random) {
        try {
            OutputEncryptor encryptor = new JcePKCSPBEOutputEncryptorBuilder(
                    PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC).setProvider("BC").setRandom(random)
                    .setIterationCount(ITERATIONS).build(password);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509Certificate leaf = chain.get(0);
            PKCS12SafeBag[] certBags = new PKCS12SafeBag[chain.size()];
            for (int i = 0; i < chain.size(); i++) {
                JcaPKCS12SafeBagBuilder b = new JcaPKCS12SafeBagBuilder(chain.get(i));
                if (i == 0) {
                    b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(name));
                    b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId,
                            ext.createSubjectKeyIdentifier(leaf.getPublicKey()));
                }
                certBags[i] = b.build();
            }
            JcaPKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(key, encryptor);
            keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(name));
            keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId,
                    ext.createSubjectKeyIdentifier(leaf.getPublicKey()));
            PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
            pfx.addEncryptedData(encryptor, certBags);
            pfx.addData(keyBag.build());
            // BcPKCS12MacCalculatorBuilder's default digest is SHA-1: the MAC older iOS checks.
            PKCS12PfxPdu pdu = pfx.build(new BcPKCS12MacCalculatorBuilder(
                    new org.bouncycastle.crypto.digests.SHA1Digest(),
                    new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                            org.bouncycastle.asn1.oiw.OIWObjectIdentifiers.idSHA1,
                            org.bouncycastle.asn1.DERNull.INSTANCE)).setIterationCount(ITERATIONS), password);
            return pdu.getEncoded("DER");
        } catch (IOException | PKCSException | org.bouncycastle.operator.OperatorCreationException
                | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("PKCS#12 encoding failed", e);
        }
    }

    /** Unambiguous characters: no 0/O, 1/l/I. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /** Four groups of five ({@code xK7pq-...}): 20 characters from 57, about 116 bits, easy to read out and type. */
    public static String password(SecureRandom random) {
        StringBuilder b = new StringBuilder(23);
        for (int g = 0; g < 4; g++) {
            if (g > 0) {
                b.append('-');
            }
            for (int i = 0; i < 5; i++) {
                b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return b.toString();
    }
}
