package org.scepca.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway test PKI in one line: {@code TestPki.rsa(now)} gives a root, an issuing CA and a
 * profile-signing certificate (RSA 2048). Key generation is the slow part on a small machine, so
 * make one per test class. Also reads the fixed fixture certificates used by golden files.
 *
 * <p>Uses the JCA default providers and Bouncy Castle's builder classes only; no provider is
 * registered globally.
 */
public final class TestPki {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate with its key pair. */
  public record Issued(KeyPair keyPair, X509Certificate certificate) {
    public PrivateKey privateKey() {
      return keyPair.getPrivate();
    }
  }

  private final Instant now;
  private final Issued root;
  private final Issued intermediate;
  private final Issued signer;

  private TestPki(Instant now, Issued root, Issued intermediate, Issued signer) {
    this.now = now;
    this.root = root;
    this.intermediate = intermediate;
    this.signer = signer;
  }

  /**
   * Root, issuing CA and a profile signer (EKU serverAuth, as a TLS certificate reused for profile
   * signing usually has), all RSA 2048 and valid from a day before {@code now} for ten years.
   */
  public static TestPki rsa(Instant now) {
    Issued root = selfSignedCa("scepca Test Root", rsaKeyPair(2048), now);
    Issued intermediate = issueCa("scepca Test Issuing CA", rsaKeyPair(2048), root, now);
    Issued signer =
        issueLeaf(
            "profiles.scepca.test",
            rsaKeyPair(2048),
            intermediate,
            now,
            KeyPurposeId.id_kp_serverAuth);
    return new TestPki(now, root, intermediate, signer);
  }

  public Issued root() {
    return root;
  }

  public Issued intermediate() {
    return intermediate;
  }

  public Issued signer() {
    return signer;
  }

  /** A further end-entity certificate from the issuing CA, for the given key. */
  public Issued issueLeaf(String commonName, KeyPair keyPair, KeyPurposeId... purposes) {
    return issueLeaf(commonName, keyPair, intermediate, now, purposes);
  }

  public static KeyPair rsaKeyPair(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed CA certificate. */
  public static Issued selfSignedCa(String commonName, KeyPair keyPair, Instant now) {
    X500Name name = name(commonName);
    return build(name, keyPair, name, keyPair, null, now, true, new KeyPurposeId[0]);
  }

  /** A CA certificate issued by {@code issuer}. */
  public static Issued issueCa(String commonName, KeyPair keyPair, Issued issuer, Instant now) {
    return build(
        name(commonName),
        keyPair,
        issuerName(issuer),
        issuer.keyPair(),
        issuer.certificate(),
        now,
        true,
        new KeyPurposeId[0]);
  }

  /** An end-entity certificate issued by {@code issuer}, with the given extended key usages. */
  public static Issued issueLeaf(
      String commonName, KeyPair keyPair, Issued issuer, Instant now, KeyPurposeId... purposes) {
    return build(
        name(commonName),
        keyPair,
        issuerName(issuer),
        issuer.keyPair(),
        issuer.certificate(),
        now,
        false,
        purposes);
  }

  /** A certificate from {@code src/test/resources/fixtures/<name>.pem}. */
  public static X509Certificate fixture(String name) {
    String resource = "/fixtures/" + name + ".pem";
    try (InputStream in = TestPki.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + resource);
      }
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of a certificate, for command-line tools. */
  public static String pem(X509Certificate certificate) {
    try {
      String base64 =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded());
      return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500Name("CN=" + commonName + ",O=scepca tests");
  }

  private static X500Name issuerName(Issued issuer) {
    return X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
  }

  private static Issued build(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      KeyPair issuerKeys,
      X509Certificate issuerCertificate,
      Instant now,
      boolean ca,
      KeyPurposeId[] purposes) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(64, RANDOM).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(3650))),
              subject,
              subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(
              ca
                  ? KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature
                  : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(subjectKeys.getPublic()));
      if (issuerCertificate != null) {
        builder.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            extensions.createAuthorityKeyIdentifier(issuerCertificate));
      }
      if (purposes.length > 0) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
      }
      String algorithm =
          issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
      return new Issued(subjectKeys, certificate);
    } catch (Exception e) {
      throw new IllegalStateException("building test certificate " + subject + " failed", e);
    }
  }
}
