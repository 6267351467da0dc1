package org.scepca.profiles;

import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * Fixed requests built from the committed fixture certificates, so generated profiles are
 * byte-stable and can be compared with golden files.
 */
final class ProfileFixtures {

  static final X509Certificate ROOT = TestPki.fixture("root");
  static final X509Certificate INTERMEDIATE = TestPki.fixture("intermediate");
  static final String URL = "https://ca.example.com/scep";
  static final String DIRECTORY = "https://ca.example.com/acme/default/directory";

  private ProfileFixtures() {}

  /** Manual install with a one-time challenge; GetCACert returns the root (Apple likes that). */
  static ProfileRequest.Builder generic() {
    return ProfileRequest.builder()
        .preset(Preset.GENERIC)
        .scepUrl(URL)
        .rootCertificate(ROOT)
        .caCertificate(ROOT)
        .intermediateCertificate(INTERMEDIATE)
        .organization("Example Corp")
        .challenge("0ne-time-5f2c9a7e");
  }

  /** Jamf Pro with a static challenge. */
  static ProfileRequest.Builder jamf() {
    return ProfileRequest.builder()
        .preset(Preset.JAMF)
        .scepUrl(URL)
        .rootCertificate(ROOT)
        .caCertificate(ROOT)
        .intermediateCertificate(INTERMEDIATE)
        .organization("Example Corp")
        .challenge("jamf-static-challenge");
  }

  /** Jamf Pro with Jamf's dynamic challenge: no Challenge key. */
  static ProfileRequest.Builder jamfDynamic() {
    return jamf().challenge(null).challengeMode(ProfileRequest.ChallengeMode.DYNAMIC);
  }

  /** Intune custom profile; GetCACert returns only the issuing CA (what Intune prefers). */
  static ProfileRequest.Builder intune() {
    return ProfileRequest.builder()
        .preset(Preset.INTUNE)
        .scepUrl(URL)
        .rootCertificate(ROOT)
        .caCertificate(INTERMEDIATE)
        .intermediateCertificate(INTERMEDIATE)
        .organization("Example Corp")
        .challenge("intune-custom-static");
  }

  /** Every optional key set, to show the schema accepts all of them together. */
  static ProfileRequest.Builder everything() {
    return generic()
        .subject("C=US,ST=California,L=Cupertino,O=Example Corp,OU=Fleet+UID=42,CN=alice-ipad")
        .subjectAltNames(
            new SubjectAltNames(
                "alice-ipad.example.com",
                "alice@example.com",
                "urn:uuid:6f1d2c8e-4b7a-4f59-9c3e-2a5d8b0e71f4",
                "alice@corp.example.com"))
        .keySize(4096)
        .keyUsage(ProfileRequest.KEY_USAGE_SIGNING)
        .retries(5)
        .retryDelaySeconds(30)
        .keyIsExtractable(true)
        .allowAllAppsAccess(true)
        .displayName("Example Wi-Fi certificate")
        .description("Line one.\nLine two with <xml> & \"quotes\".")
        .identifierPrefix("com.example.fleet")
        .scepName("example-ca")
        .payloadScope(ProfileRequest.Scope.SYSTEM)
        .removalDisallowed(true)
        .consentText(Map.of("default", "Agree to enroll.", "de", "Zustimmen."));
  }

  /** ACME for one device installed by hand: its serial is the ClientIdentifier. */
  static AcmeProfileRequest.Builder acmeGeneric() {
    return AcmeProfileRequest.builder()
        .preset(Preset.GENERIC)
        .directoryUrl(DIRECTORY)
        .clientIdentifier("C02XK1ABJG5H")
        .rootCertificate(ROOT)
        .intermediateCertificate(INTERMEDIATE)
        .organization("Example Corp");
  }

  /** ACME through Jamf Pro: Jamf's variables, hardware-bound and attested (the defaults). */
  static AcmeProfileRequest.Builder acmeJamf() {
    return acmeGeneric().preset(Preset.JAMF).clientIdentifier(null);
  }

  /** ACME as an Intune custom profile: Intune's tokens. */
  static AcmeProfileRequest.Builder acmeIntune() {
    return acmeGeneric().preset(Preset.INTUNE).clientIdentifier(null);
  }

  /** Every optional ACME key set (software RSA key, so KeyIsExtractable may be true). */
  static AcmeProfileRequest.Builder acmeEverything() {
    return acmeGeneric()
        .keyType(AcmePayload.KeyType.RSA)
        .keySize(3072)
        .subject("C=US,O=Example Corp,OU=Fleet+UID=42,CN=alice-mac")
        .subjectAltNames(
            new SubjectAltNames(
                "alice-mac.example.com",
                "alice@example.com",
                "urn:uuid:6f1d2c8e-4b7a-4f59-9c3e-2a5d8b0e71f4",
                "alice@corp.example.com"))
        .usageFlags(1)
        .extendedKeyUsage(java.util.List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"))
        .keyIsExtractable(true)
        .allowAllAppsAccess(true)
        .displayName("Example ACME certificate")
        .description("Line one.\nLine two with <xml> & \"quotes\".")
        .identifierPrefix("com.example.fleet")
        .payloadScope(ProfileRequest.Scope.USER)
        .removalDisallowed(true)
        .consentText(Map.of("default", "Agree to enroll."));
  }
}
