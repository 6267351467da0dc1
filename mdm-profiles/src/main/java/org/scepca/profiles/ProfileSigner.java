package org.scepca.profiles;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignatureEncryptionAlgorithmFinder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultCMSSignatureEncryptionAlgorithmFinder;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Signs a profile as CMS SignedData with the plist encapsulated, which is what Apple devices and
 * MDMs accept as a signed {@code .mobileconfig}: a signature chaining to a trusted root shows
 * "Verified" instead of "Unsigned".
 *
 * <p>SHA-256 with RSA PKCS#1 v1.5 for RSA keys and SHA-256 with ECDSA for EC keys. Never
 * RSASSA-PSS: PKCS#1 v1.5 is what Apple's own signing tools produce and what every profile verifier
 * accepts, while PSS support on devices is not something to bet a fleet rollout on. The signer
 * certificate and the chain go into the SignedData because the device has only the root, not our
 * intermediates. The JCA default providers do the signing (no global provider registration), so a
 * key held by a PKCS#11 provider works as well as a software key.
 */
public final class ProfileSigner {

  private static final CMSSignatureEncryptionAlgorithmFinder DEFAULT_FINDER =
      new DefaultCMSSignatureEncryptionAlgorithmFinder();

  private final Clock clock;

  /**
   * @param clock gives the signingTime attribute and the moment the signer must be valid at
   */
  public ProfileSigner(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock is null");
  }

  /**
   * Returns DER-encoded CMS SignedData whose encapsulated content is exactly {@code plist}.
   *
   * @param plist the unsigned profile, e.g. from {@link ProfileGenerator#mobileconfig}
   * @param key the signer's private key, RSA or EC
   * @param signer the certificate of {@code key}
   * @param chain certificates from the signer's issuer up to (optionally including) the root; may
   *     be empty, may repeat the signer
   * @throws InvalidProfileOptionException when the key type is not RSA or EC, the signer
   *     certificate is not valid now, or it does not belong to {@code key}
   */
  public byte[] sign(
      byte[] plist, PrivateKey key, X509Certificate signer, List<X509Certificate> chain) {
    Objects.requireNonNull(plist, "plist is null");
    Objects.requireNonNull(key, "key is null");
    Objects.requireNonNull(signer, "signer is null");
    Objects.requireNonNull(chain, "chain is null");
    if (plist.length == 0) {
      throw new InvalidProfileOptionException("plist is empty");
    }
    String algorithm = signatureAlgorithm(key);
    Date now = Date.from(clock.instant());
    try {
      signer.checkValidity(now);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      // A device shows an expired signer as "Not Verified"; better to refuse than ship that.
      throw new InvalidProfileOptionException(
          "signer certificate is not valid at "
              + clock.instant()
              + ": "
              + signer.getSubjectX500Principal().getName());
    }

    List<X509Certificate> certificates = new ArrayList<>();
    certificates.add(signer);
    for (X509Certificate certificate : chain) {
      if (!certificates.contains(certificate)) {
        certificates.add(certificate);
      }
    }
    byte[] signed;
    try {
      ContentSigner contentSigner = new JcaContentSignerBuilder(algorithm).build(key);
      AttributeTable signingTime =
          new AttributeTable(new Attribute(CMSAttributes.signingTime, new DERSet(new Time(now))));
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addSignerInfoGenerator(
          new JcaSignerInfoGeneratorBuilder(
                  new JcaDigestCalculatorProviderBuilder().build(),
                  ProfileSigner::signerInfoAlgorithm)
              .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(signingTime))
              .build(contentSigner, signer));
      generator.addCertificates(new JcaCertStore(certificates));
      signed =
          generator.generate(new CMSProcessableByteArray(plist), true).getEncoded(ASN1Encoding.DER);
    } catch (OperatorCreationException
        | CMSException
        | CertificateEncodingException
        | IOException e) {
      throw new IllegalStateException("signing the profile failed", e);
    }
    checkSignedBy(signed, signer);
    return signed;
  }

  /**
   * The SignerInfo names RSA signatures as plain rsaEncryption, the way OpenSSL and Apple's {@code
   * security cms} write them (RFC 3370 section 3.2); Bouncy Castle would otherwise write
   * sha256WithRSAEncryption, which is also valid but less travelled on devices. ECDSA keeps
   * ecdsa-with-SHA256, the only form RFC 5753 defines.
   */
  private static AlgorithmIdentifier signerInfoAlgorithm(AlgorithmIdentifier signatureAlgorithm) {
    if (PKCSObjectIdentifiers.sha256WithRSAEncryption.equals(signatureAlgorithm.getAlgorithm())) {
      return new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
    }
    return DEFAULT_FINDER.findEncryptionAlgorithm(signatureAlgorithm);
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default ->
          throw new InvalidProfileOptionException(
              "profile signing key must be RSA (PKCS#1 v1.5) or EC: " + key.getAlgorithm());
    };
  }

  /**
   * Verifies the fresh signature with the given certificate: a key that does not match the
   * certificate would otherwise produce a profile every device rejects, found only on a device.
   */
  private static void checkSignedBy(byte[] signed, X509Certificate signer) {
    boolean verified;
    try {
      SignerInformation info =
          new CMSSignedData(signed).getSignerInfos().getSigners().iterator().next();
      verified = info.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
    } catch (CMSException | OperatorCreationException e) {
      verified = false;
    }
    if (!verified) {
      throw new InvalidProfileOptionException(
          "signer certificate does not match the signing key: "
              + signer.getSubjectX500Principal().getName());
    }
  }
}
