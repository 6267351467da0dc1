package org.scepca.profiles;

import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;

/**
 * Verifies a signed profile the way a device does: the CMS signature checks with the certificate it
 * names, and that certificate chains (through the certificates carried in the SignedData) to the
 * given trusted root. Exported in the test-jar for other modules' tests.
 */
public final class SignedProfiles {

  private SignedProfiles() {}

  /** What a verified profile holds. */
  public record Verified(
      byte[] content, SignerInformation signerInfo, List<X509Certificate> certificates) {}

  /**
   * @return the encapsulated plist and signer details
   * @throws IllegalStateException when the signature or the chain does not verify
   */
  public static Verified verify(byte[] signed, X509Certificate trustedRoot, Date at) {
    try {
      CMSSignedData data = new CMSSignedData(signed);
      Collection<SignerInformation> signers = data.getSignerInfos().getSigners();
      if (signers.size() != 1) {
        throw new IllegalStateException("expected one signer, found " + signers.size());
      }
      SignerInformation signer = signers.iterator().next();
      List<X509Certificate> certificates = new ArrayList<>();
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (X509CertificateHolder holder : data.getCertificates().getMatches(null)) {
        certificates.add(converter.getCertificate(holder));
      }
      @SuppressWarnings("unchecked") // Bouncy Castle's Store is raw-typed here
      Collection<X509CertificateHolder> matches =
          (Collection<X509CertificateHolder>) data.getCertificates().getMatches(signer.getSID());
      if (matches.size() != 1) {
        throw new IllegalStateException("signer certificate not in the SignedData");
      }
      X509Certificate signerCertificate = converter.getCertificate(matches.iterator().next());
      if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signerCertificate))) {
        throw new IllegalStateException("signature does not verify");
      }

      X509CertSelector target = new X509CertSelector();
      target.setCertificate(signerCertificate);
      PKIXBuilderParameters parameters =
          new PKIXBuilderParameters(Set.of(new TrustAnchor(trustedRoot, null)), target);
      parameters.setRevocationEnabled(false);
      parameters.setDate(at);
      parameters.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(certificates)));
      CertPathBuilder.getInstance("PKIX").build(parameters);

      return new Verified((byte[]) data.getSignedContent().getContent(), signer, certificates);
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("signed profile does not verify: " + e.getMessage(), e);
    }
  }
}
