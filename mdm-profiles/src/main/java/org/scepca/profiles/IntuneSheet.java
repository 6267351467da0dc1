package org.scepca.profiles;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an Intune admin enters by hand: Intune builds its own SCEP profile and only needs our root
 * (as a Trusted certificate profile) and the values below. Field names follow the labels of
 * Intune's SCEP certificate profile so the sheet can be read side by side with the form.
 *
 * <p>Two renderings: {@link #toText()} for people and {@link #toJson()} for scripts. JSON is
 * written by a small escaper in this module rather than Jackson, which this module does not depend
 * on; the admin API, which has Jackson, can also serialise this record's components itself.
 *
 * @param organization shown in the heading
 * @param scepServerUrl "SCEP Server URLs"
 * @param certificateType "Certificate type" (Device: the certificate identifies the device)
 * @param subjectNameFormat "Subject name format"
 * @param subjectNameFormatAlternatives other formats that work with our CA
 * @param subjectAlternativeNames "Subject alternative name" rows (attribute and value)
 * @param keySize "Key size (bits)"
 * @param keyUsage "Key usage" choices
 * @param extendedKeyUsageName "Extended key usage" name
 * @param extendedKeyUsageOid "Extended key usage" object identifier
 * @param renewalThresholdPercent "Renewal threshold (%)"
 * @param certificateValidityDays "Certificate validity period", in days
 * @param trustedRoot the root for the Trusted certificate profile
 */
public record IntuneSheet(
    String organization,
    String scepServerUrl,
    String certificateType,
    String subjectNameFormat,
    List<String> subjectNameFormatAlternatives,
    List<AlternativeName> subjectAlternativeNames,
    int keySize,
    List<String> keyUsage,
    String extendedKeyUsageName,
    String extendedKeyUsageOid,
    int renewalThresholdPercent,
    int certificateValidityDays,
    TrustedRoot trustedRoot) {

  public IntuneSheet {
    Objects.requireNonNull(organization, "organization is null");
    Objects.requireNonNull(scepServerUrl, "scepServerUrl is null");
    Objects.requireNonNull(certificateType, "certificateType is null");
    Objects.requireNonNull(subjectNameFormat, "subjectNameFormat is null");
    subjectNameFormatAlternatives = List.copyOf(subjectNameFormatAlternatives);
    subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
    keyUsage = List.copyOf(keyUsage);
    Objects.requireNonNull(extendedKeyUsageName, "extendedKeyUsageName is null");
    Objects.requireNonNull(extendedKeyUsageOid, "extendedKeyUsageOid is null");
    Objects.requireNonNull(trustedRoot, "trustedRoot is null");
  }

  /** One "Subject alternative name" row: Intune's attribute label and the value with tokens. */
  public record AlternativeName(String attribute, String value) {
    public AlternativeName {
      Objects.requireNonNull(attribute, "attribute is null");
      Objects.requireNonNull(value, "value is null");
    }
  }

  /**
   * The root certificate for Intune's Trusted certificate profile.
   *
   * @param fileName suggested name of the {@code .cer} file to upload
   * @param subject the root's subject, RFC 2253
   * @param der the certificate, DER (what Intune accepts as {@code .cer})
   * @param sha1Thumbprint what Intune and Windows show as "Thumbprint"
   * @param sha256Fingerprint for comparing with our CA's own display
   */
  public record TrustedRoot(
      String fileName,
      String subject,
      byte[] der,
      String sha1Thumbprint,
      String sha256Fingerprint) {

    public TrustedRoot {
      Objects.requireNonNull(fileName, "fileName is null");
      Objects.requireNonNull(subject, "subject is null");
      der = Objects.requireNonNull(der, "der is null").clone();
      Objects.requireNonNull(sha1Thumbprint, "sha1Thumbprint is null");
      Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint is null");
    }

    /** A copy of the DER bytes. */
    @Override
    public byte[] der() {
      return der.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof TrustedRoot that
          && fileName.equals(that.fileName)
          && subject.equals(that.subject)
          && Arrays.equals(der, that.der)
          && sha1Thumbprint.equals(that.sha1Thumbprint)
          && sha256Fingerprint.equals(that.sha256Fingerprint);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          fileName, subject, Arrays.hashCode(der), sha1Thumbprint, sha256Fingerprint);
    }

    @Override
    public String toString() {
      return "TrustedRoot[fileName="
          + fileName
          + ", subject="
          + subject
          + ", sha1Thumbprint="
          + sha1Thumbprint
          + "]";
    }
  }

  /** The root as a DER {@code .cer} file, for Intune's Trusted certificate profile. */
  public byte[] rootCer() {
    return trustedRoot.der();
  }

  /** The sheet for people, in the order Intune's forms ask for the values. */
  public String toText() {
    StringBuilder text = new StringBuilder();
    String title = "Intune settings for the " + organization + " SCEP certificate authority";
    text.append(title).append('\n').append("=".repeat(title.length())).append("\n\n");

    text.append("1. Trusted certificate profile (upload the root first)\n");
    row(text, "Certificate file", trustedRoot.fileName());
    row(text, "Subject", trustedRoot.subject());
    row(text, "Thumbprint (SHA-1)", trustedRoot.sha1Thumbprint());
    row(text, "SHA-256 fingerprint", trustedRoot.sha256Fingerprint());
    text.append('\n');

    text.append("2. SCEP certificate profile\n");
    row(text, "Certificate type", certificateType);
    row(text, "Subject name format", subjectNameFormat);
    for (String alternative : subjectNameFormatAlternatives) {
      row(text, "  or", alternative);
    }
    if (subjectAlternativeNames.isEmpty()) {
      row(text, "Subject alternative name", "(none)");
    }
    for (AlternativeName name : subjectAlternativeNames) {
      row(text, "Subject alternative name", name.attribute() + ": " + name.value());
    }
    row(text, "Certificate validity period", certificateValidityDays + " days");
    row(text, "Key usage", String.join(", ", keyUsage));
    row(text, "Key size (bits)", Integer.toString(keySize));
    row(text, "Root Certificate", "the Trusted certificate profile from step 1");
    row(text, "Extended key usage", extendedKeyUsageName + " (" + extendedKeyUsageOid + ")");
    row(text, "Renewal threshold (%)", Integer.toString(renewalThresholdPercent));
    row(text, "SCEP Server URLs", scepServerUrl);
    return text.toString();
  }

  /** The same values as a JSON object, root DER in base64; ends with a newline. */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("fileName", trustedRoot.fileName());
    root.put("subject", trustedRoot.subject());
    root.put("sha1Thumbprint", trustedRoot.sha1Thumbprint());
    root.put("sha256Fingerprint", trustedRoot.sha256Fingerprint());
    root.put("derBase64", Base64.getEncoder().encodeToString(trustedRoot.der));

    Map<String, Object> eku = new LinkedHashMap<>();
    eku.put("name", extendedKeyUsageName);
    eku.put("oid", extendedKeyUsageOid);

    Map<String, Object> scep = new LinkedHashMap<>();
    scep.put("certificateType", certificateType);
    scep.put("subjectNameFormat", subjectNameFormat);
    scep.put("subjectNameFormatAlternatives", subjectNameFormatAlternatives);
    scep.put(
        "subjectAlternativeNames",
        subjectAlternativeNames.stream()
            .map(
                name -> {
                  Map<String, Object> row = new LinkedHashMap<>();
                  row.put("attribute", name.attribute());
                  row.put("value", name.value());
                  return (Object) row;
                })
            .toList());
    scep.put("certificateValidityDays", certificateValidityDays);
    scep.put("keyUsage", keyUsage);
    scep.put("keySize", keySize);
    scep.put("extendedKeyUsage", List.of(eku));
    scep.put("renewalThresholdPercent", renewalThresholdPercent);
    scep.put("scepServerUrls", List.of(scepServerUrl));

    Map<String, Object> sheet = new LinkedHashMap<>();
    sheet.put("organization", organization);
    sheet.put("trustedCertificate", root);
    sheet.put("scepCertificate", scep);
    return Json.write(sheet);
  }

  private static void row(StringBuilder text, String label, String value) {
    String padded = label + ":" + " ".repeat(Math.max(1, 30 - label.length() - 1));
    text.append("   ").append(padded).append(value).append('\n');
  }
}
