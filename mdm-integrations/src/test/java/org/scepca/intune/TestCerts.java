package org.scepca.intune;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A device CSR and the certificate "issued" for it, made in one line (no CA engine needed for the client's tests). */
final class TestCerts {
    static final KeyPair DEVICE = rsa();
    static final KeyPair CA = rsa();

    private TestCerts() {
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#10 request (DER) for {@code CN=cn}, as a device would send it. */
    static byte[] csr(String cn) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), DEVICE.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(DEVICE.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate issued(BigInteger serial, Instant notAfter) {
        return certificate("CN=Test Issuing CA", "CN=device", serial, notAfter, DEVICE, CA);
    }

    static X509Certificate certificate(String issuer, String subject, BigInteger serial, Instant notAfter,
            KeyPair subjectKeys, KeyPair issuerKeys) {
        try {
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    new X500Name(issuer), serial, Date.from(Instant.now().minus(Duration.ofMinutes(5))),
                    Date.from(notAfter), new X500Name(subject), subjectKeys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 file holding a self-signed client certificate and its key (certificate credential). */
    static X509Certificate clientCertificateFile(Path file, char[] password) throws Exception {
        KeyPair keys = rsa();
        X509Certificate cert = certificate("CN=scepca-intune-app", "CN=scepca-intune-app", BigInteger.TEN,
                Instant.now().plus(Duration.ofDays(30)), keys, keys);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("app", keys.getPrivate(), password, new X509Certificate[] {cert});
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
        return cert;
    }
}
