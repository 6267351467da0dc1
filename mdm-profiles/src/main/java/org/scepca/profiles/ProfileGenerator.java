package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.XMLPropertyListWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds the {@code .mobileconfig} (root trust, optional intermediate, SCEP enrollment) and the
 * Intune sheet from a validated {@link ProfileRequest}.
 *
 * <p>Output is deterministic: dictionary keys are written in sorted order (as Apple's own tools
 * write them) and UUIDs are derived from the content, so the same request gives the same bytes, and
 * a regenerated profile replaces the installed one. Identifiers:
 *
 * <ul>
 *   <li>profile {@code <prefix>.scep.<preset>}: stable across changes of URL, subject, key size and
 *       so on, so a re-upload replaces the profile instead of adding a second one;
 *   <li>payloads {@code <profile>.root}, {@code .intermediate}, {@code .scep}: their UUIDs change
 *       when their content does. Apple updates a payload in place only when identifier and UUID
 *       both match, so a new URL or subject makes the device enroll afresh, while an unchanged root
 *       stays installed untouched.
 * </ul>
 */
public final class ProfileGenerator {

  private static final String SCEP_PAYLOAD_TYPE = "com.apple.security.scep";
  static final String ROOT_PAYLOAD_TYPE = "com.apple.security.root";
  private static final String INTERMEDIATE_PAYLOAD_TYPE = "com.apple.security.pkcs1";

  public ProfileGenerator() {}

  /**
   * The unsigned profile as an XML property list (UTF-8). Sign it with {@link ProfileSigner} for a
   * "Verified" profile; upload it unsigned when an MDM should be able to edit it (Jamf Pro).
   *
   * @throws InvalidProfileOptionException when the request lacks something this profile needs (an
   *     Intune request without a challenge)
   */
  public byte[] mobileconfig(ProfileRequest request) {
    return xml(profile(request));
  }

  /**
   * The unsigned ACME enrollment profile (root, optional intermediate, {@code
   * com.apple.security.acme}) as an XML property list (UTF-8). Its identifier is {@code
   * <prefix>.acme.<preset>}, distinct from the SCEP profile's, so an MDM can hold both and scope
   * each to the devices that should use it.
   */
  public byte[] mobileconfig(AcmeProfileRequest request) {
    return xml(profile(request));
  }

  /** The profile as a dd-plist dictionary, for callers that embed or inspect it. */
  public NSDictionary profile(ProfileRequest request) {
    if (request.challengeMode() == ProfileRequest.ChallengeMode.STATIC
        && request.challenge() == null) {
      // Only an Intune request can get here: Intune cannot put its own challenge into an uploaded
      // custom profile, so the profile has to carry one our server accepts.
      throw new InvalidProfileOptionException(
          "challenge is required for an "
              + request.preset().id()
              + " .mobileconfig:"
              + " an uploaded custom profile does not get the MDM's challenge");
    }
    String profileId = request.identifierPrefix() + ".scep." + request.preset().id();
    List<NSObject> payloads = trustPayloads(request, profileId);
    payloads.add(scepPayload(request, profileId + ".scep"));
    return top(request, profileId, payloads);
  }

  /** The ACME profile as a dd-plist dictionary. */
  public NSDictionary profile(AcmeProfileRequest request) {
    String profileId = request.identifierPrefix() + ".acme." + request.preset().id();
    List<NSObject> payloads = trustPayloads(request, profileId);
    String identifier = profileId + ".acme";
    TreeMap<String, NSObject> payload =
        commonKeys(
            request.organization(),
            AcmePayload.PAYLOAD_TYPE,
            identifier,
            request.displayName(),
            "Requests a device certificate from "
                + request.acme().directoryUrl().getHost()
                + " over ACME.");
    payload.putAll(request.acme().content());
    payloads.add(withUuid(payload, identifier, "acme"));
    return top(request, profileId, payloads);
  }

  static byte[] xml(NSDictionary profile) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      XMLPropertyListWriter.write(profile, out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  /** Root first, then the intermediate when given: the order a device installs trust in. */
  private static List<NSObject> trustPayloads(EnrollmentProfile request, String profileId) {
    String organization = request.organization();
    X509Certificate root = request.rootCertificate();
    X509Certificate intermediate =
        request.includeIntermediate() ? request.intermediateCertificate() : null;
    List<NSObject> payloads = new ArrayList<>();
    payloads.add(
        certificatePayload(
            organization,
            ROOT_PAYLOAD_TYPE,
            profileId + ".root",
            "root",
            root,
            "Root certificate of the " + organization + " certificate authority."));
    if (intermediate != null) {
      payloads.add(
          certificatePayload(
              organization,
              INTERMEDIATE_PAYLOAD_TYPE,
              profileId + ".intermediate",
              "intermediate",
              intermediate,
              "Issuing CA certificate of the " + organization + " certificate authority."));
    }
    return payloads;
  }

  private static NSDictionary top(
      EnrollmentProfile request, String profileId, List<NSObject> payloads) {
    TreeMap<String, NSObject> top = new TreeMap<>();
    top.put("PayloadContent", new NSArray(payloads.toArray(NSObject[]::new)));
    top.put("PayloadDescription", new NSString(request.description()));
    top.put("PayloadDisplayName", new NSString(request.displayName()));
    top.put("PayloadIdentifier", new NSString(profileId));
    top.put("PayloadOrganization", new NSString(request.organization()));
    top.put("PayloadType", new NSString("Configuration"));
    top.put("PayloadVersion", new NSNumber(1));
    if (request.payloadScope() != null) {
      top.put("PayloadScope", new NSString(request.payloadScope().plistValue()));
    }
    if (request.removalDisallowed()) {
      top.put("PayloadRemovalDisallowed", new NSNumber(true));
    }
    if (!request.consentText().isEmpty()) {
      NSDictionary consent = new NSDictionary();
      request.consentText().forEach((language, text) -> consent.put(language, new NSString(text)));
      top.put("ConsentText", consent);
    }
    UUID uuid = NameBasedUuid.of(profileId, "profile", dictionary(top));
    top.put("PayloadUUID", new NSString(uuid.toString().toUpperCase(Locale.ROOT)));
    return dictionary(top);
  }

  /**
   * The values an Intune admin pastes into Intune's own Trusted certificate and SCEP certificate
   * profiles, with the root as DER.
   *
   * @throws InvalidProfileOptionException when the request's preset is not {@link Preset#INTUNE}
   */
  public IntuneSheet intuneSheet(ProfileRequest request) {
    if (request.preset() != Preset.INTUNE) {
      throw new InvalidProfileOptionException(
          "the Intune sheet needs the intune preset: " + request.preset().id());
    }
    List<IntuneSheet.AlternativeName> names = new ArrayList<>();
    SubjectAltNames sans = request.subjectAltNames();
    // Intune's own labels for the SAN attributes it offers.
    if (sans.uniformResourceIdentifier() != null) {
      names.add(new IntuneSheet.AlternativeName("URI", sans.uniformResourceIdentifier()));
    }
    if (sans.rfc822Name() != null) {
      names.add(new IntuneSheet.AlternativeName("Email address", sans.rfc822Name()));
    }
    if (sans.ntPrincipalName() != null) {
      names.add(
          new IntuneSheet.AlternativeName("User principal name (UPN)", sans.ntPrincipalName()));
    }
    if (sans.dnsName() != null) {
      names.add(new IntuneSheet.AlternativeName("DNS", sans.dnsName()));
    }
    List<String> keyUsage = new ArrayList<>();
    if ((request.keyUsage() & ProfileRequest.KEY_USAGE_SIGNING) != 0) {
      keyUsage.add("Digital signature");
    }
    if ((request.keyUsage() & ProfileRequest.KEY_USAGE_ENCRYPTION) != 0) {
      keyUsage.add("Key encipherment");
    }
    X509Certificate root = request.rootCertificate();
    return new IntuneSheet(
        request.organization(),
        request.scepUrl().toString(),
        "Device",
        request.subject().toString(),
        List.of("CN={{SerialNumber}}"),
        names,
        request.keySize(),
        keyUsage,
        "Client Authentication",
        "1.3.6.1.5.5.7.3.2",
        renewalThresholdPercent(request),
        request.certificateValidityDays(),
        new IntuneSheet.TrustedRoot(
            Certificates.fileName(root, "root"),
            root.getSubjectX500Principal().getName(),
            Certificates.der(root),
            Certificates.fingerprint("SHA-1", root),
            Certificates.fingerprint("SHA-256", root)));
  }

  /**
   * Intune renews when less than this share of the lifetime is left; derived from the same hint
   * Jamf gets in days, rounded up so renewal never starts later than asked, within Intune's 1..99.
   */
  static int renewalThresholdPercent(ProfileRequest request) {
    int percent =
        (int)
            Math.ceil(
                request.renewalDaysBeforeExpiry() * 100.0 / request.certificateValidityDays());
    return Math.max(1, Math.min(99, percent));
  }

  private static NSDictionary certificatePayload(
      String organization,
      String type,
      String identifier,
      String role,
      X509Certificate certificate,
      String description) {
    TreeMap<String, NSObject> payload =
        commonKeys(
            organization, type, identifier, Certificates.commonName(certificate), description);
    payload.put(
        "PayloadCertificateFileName", new NSString(Certificates.fileName(certificate, role)));
    payload.put("PayloadContent", new NSData(Certificates.der(certificate)));
    return withUuid(payload, identifier, role);
  }

  private static NSDictionary scepPayload(ProfileRequest request, String identifier) {
    TreeMap<String, NSObject> content = new TreeMap<>();
    content.put("URL", new NSString(request.scepUrl().toString()));
    content.put("Name", new NSString(request.scepName()));
    content.put("Subject", request.subject().toPlist());
    // Apple's default is 1024, so the size is always spelled out.
    content.put("Keysize", new NSNumber(request.keySize()));
    content.put("Key Type", new NSString("RSA"));
    content.put("Key Usage", new NSNumber(request.keyUsage()));
    content.put("Retries", new NSNumber(request.retries()));
    content.put("RetryDelay", new NSNumber(request.retryDelaySeconds()));
    // Raw SHA-1 bytes (NSData), not hex: the device compares them with the certificate it gets
    // from GetCACert before trusting it.
    content.put("CAFingerprint", new NSData(Certificates.digest("SHA-1", request.caCertificate())));
    if (!request.subjectAltNames().isEmpty()) {
      content.put("SubjectAltName", request.subjectAltNames().toPlist());
    }
    content.put("KeyIsExtractable", new NSNumber(request.keyIsExtractable()));
    content.put("AllowAllAppsAccess", new NSNumber(request.allowAllAppsAccess()));

    TreeMap<String, NSObject> payload =
        commonKeys(
            request,
            SCEP_PAYLOAD_TYPE,
            identifier,
            request.displayName(),
            "Requests a device certificate from " + request.scepUrl().getHost() + " over SCEP.");
    payload.put("PayloadContent", dictionary(content));
    // The challenge is kept out of the UUID: a rotated static challenge should not make every
    // device enroll again, and a UUID shown in MDM inventories must not be a hash of a secret.
    UUID uuid = NameBasedUuid.of(identifier, "scep", dictionary(payload));
    if (request.challenge() != null) {
      content.put("Challenge", new NSString(request.challenge()));
      payload.put("PayloadContent", dictionary(content));
    }
    payload.put("PayloadUUID", new NSString(uuid.toString().toUpperCase(Locale.ROOT)));
    return dictionary(payload);
  }

  private static TreeMap<String, NSObject> commonKeys(
      ProfileRequest request,
      String type,
      String identifier,
      String displayName,
      String description) {
    return commonKeys(request.organization(), type, identifier, displayName, description);
  }

  static TreeMap<String, NSObject> commonKeys(
      String organization, String type, String identifier, String displayName, String description) {
    TreeMap<String, NSObject> payload = new TreeMap<>();
    payload.put("PayloadDescription", new NSString(description));
    payload.put("PayloadDisplayName", new NSString(displayName));
    payload.put("PayloadIdentifier", new NSString(identifier));
    payload.put("PayloadOrganization", new NSString(organization));
    payload.put("PayloadType", new NSString(type));
    payload.put("PayloadVersion", new NSNumber(1));
    return payload;
  }

  static NSDictionary withUuid(
      TreeMap<String, NSObject> payload, String identifier, String role) {
    UUID uuid = NameBasedUuid.of(identifier, role, dictionary(payload));
    payload.put("PayloadUUID", new NSString(uuid.toString().toUpperCase(Locale.ROOT)));
    return dictionary(payload);
  }

  /** dd-plist keeps insertion order, so inserting from a sorted map writes sorted keys. */
  static NSDictionary dictionary(Map<String, NSObject> entries) {
    NSDictionary dictionary = new NSDictionary();
    new TreeMap<>(entries).forEach(dictionary::put);
    return dictionary;
  }
}
