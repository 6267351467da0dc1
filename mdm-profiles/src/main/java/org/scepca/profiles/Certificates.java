package org.scepca.profiles;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Certificate facts the profiles show: DER, digests, a readable name, a file name. */
final class Certificates {

  private Certificates() {}

  static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new InvalidProfileOptionException(
          "certificate cannot be encoded: " + certificate.getSubjectX500Principal().getName());
    }
  }

  static byte[] digest(String algorithm, X509Certificate certificate) {
    try {
      return MessageDigest.getInstance(algorithm).digest(der(certificate));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", e);
    }
  }

  /** Upper-case hex with colons, the way Keychain Access, openssl and Intune show fingerprints. */
  static String fingerprint(String algorithm, X509Certificate certificate) {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest(algorithm, certificate));
  }

  /** The subject CN, or the whole subject in RFC 2253 form when there is no CN. */
  static String commonName(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] cns = name.getRDNs(BCStyle.CN);
    if (cns.length > 0 && cns[0].getFirst() != null) {
      return IETFUtils.valueToString(cns[0].getFirst().getValue());
    }
    return certificate.getSubjectX500Principal().getName();
  }

  /** A portable file name for the certificate: its CN with anything unusual replaced, plus .cer. */
  static String fileName(X509Certificate certificate, String fallback) {
    String base =
        commonName(certificate).replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+|[-.]+$", "");
    return (base.isEmpty() ? fallback : base) + ".cer";
  }
}
