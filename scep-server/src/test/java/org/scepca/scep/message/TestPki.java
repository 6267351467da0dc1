package org.scepca.scep.message;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Throwaway test PKI: a root CA, an RA certificate issued by it (digitalSignature + keyEncipherment, as
 * macOS needs to pick it), a second unrelated RA, and a requester with a self-signed signer certificate
 * as SCEP clients make one from the CSR key. RSA-2048 keys are generated once per JVM because key
 * generation is slow on small machines.
 */
final class TestPki {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

    static final TestPki PKI;

    static {
        registerBouncyCastle();
        PKI = new TestPki();
    }

    final KeyPair caKeys = rsa();
    final KeyPair raKeys = rsa();
    final KeyPair otherRaKeys = rsa();
    final KeyPair requesterKeys = rsa();

    final X509Certificate caCert;
    final X509Certificate raCert;
    final X509Certificate otherRaCert;
    final X509Certificate requesterCert;
    final X509Certificate issuedCert;
    final RaIdentity ra;

    private TestPki() {
        caCert = certificate(new X500Name("CN=Test Root CA,O=scepca"), caKeys.getPublic(),
                new X500Name("CN=Test Root CA,O=scepca"), caKeys.getPrivate(), true,
                KeyUsage.keyCertSign | KeyUsage.cRLSign);
        raCert = certificate(new X500Name("CN=Test SCEP RA,O=scepca"), raKeys.getPublic(),
                new X500Name("CN=Test Root CA,O=scepca"), caKeys.getPrivate(), false,
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        otherRaCert = certificate(new X500Name("CN=Other RA,O=elsewhere"), otherRaKeys.getPublic(),
                new X500Name("CN=Other RA,O=elsewhere"), otherRaKeys.getPrivate(), false,
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        requesterCert = certificate(new X500Name("CN=device-1234"), requesterKeys.getPublic(),
                new X500Name("CN=device-1234"), requesterKeys.getPrivate(), false,
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        issuedCert = certificate(new X500Name("CN=device-1234,O=scepca"), requesterKeys.getPublic(),
                new X500Name("CN=Test Root CA,O=scepca"), caKeys.getPrivate(), false,
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        ra = new RaIdentity(raCert, raKeys.getPrivate());
    }

    static void registerBouncyCastle() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        // jscep logs every message at DEBUG; keep test output readable.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jscep"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate certificate(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
            boolean ca, int keyUsage) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(subjectKey));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
            return new JcaX509CertificateConverter().setProvider(BouncyCastleProvider.PROVIDER_NAME)
                    .getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    X509CRL crl() {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder builder = new X509v2CRLBuilder(new X500Name("CN=Test Root CA,O=scepca"), Date.from(now));
            builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
            builder.addCRLEntry(BigInteger.valueOf(4242), Date.from(now), CRLReason.keyCompromise);
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate());
            return new JcaX509CRLConverter().setProvider(BouncyCastleProvider.PROVIDER_NAME)
                    .getCRL(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    PKCS10CertificationRequest csr(String subject, ASN1Encodable challengePassword) {
        try {
            PKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(
                    new X500Name(subject), requesterKeys.getPublic());
            if (challengePassword != null) {
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, challengePassword);
            }
            return builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(requesterKeys.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    PKCS10CertificationRequest csr() {
        return csr("CN=device-1234", new DERPrintableString("secret-challenge"));
    }
}
