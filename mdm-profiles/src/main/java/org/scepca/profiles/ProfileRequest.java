package org.scepca.profiles;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a profile is made from, validated once so that generation cannot fail half-way. Build
 * it with {@link #builder()}, which fills preset-dependent defaults; the canonical constructor
 * validates every component and throws {@link InvalidProfileOptionException} naming the option.
 *
 * @param preset who delivers the profile; decides defaults and challenge rules
 * @param scepUrl the SCEP endpoint the device talks to (http or https; SCEP messages are encrypted
 *     and signed, so plain http is normal)
 * @param scepName the SCEP {@code Name}: sent by the device as the {@code message} of GetCACert
 * @param rootCertificate our self-signed root, installed as a {@code com.apple.security.root}
 *     payload because devices do not keep the chain they receive over SCEP
 * @param caCertificate the certificate the device will get from GetCACert (root or issuing CA); its
 *     SHA-1 fingerprint becomes {@code CAFingerprint}
 * @param intermediateCertificate the issuing CA certificate, or null when the root issues directly
 * @param includeIntermediate whether the intermediate goes into the profile as a {@code
 *     com.apple.security.pkcs1} payload
 * @param subject the requested subject; may hold MDM variables
 * @param subjectAltNames the requested subject alternative names; may be {@link
 *     SubjectAltNames#NONE}
 * @param challengeMode where the challenge comes from
 * @param challenge the challenge password put in the profile; null with {@link
 *     ChallengeMode#DYNAMIC} and for an Intune request used only for the {@link IntuneSheet}
 * @param keySize RSA key size generated on the device: 2048 or 4096 (Apple's default is 1024, so it
 *     is always written out)
 * @param keyUsage Apple's bit mask: 1 signing, 4 encryption, 5 both
 * @param retries how often the device polls after a PENDING reply
 * @param retryDelaySeconds seconds between polls
 * @param keyIsExtractable whether the private key may be exported from the keychain
 * @param allowAllAppsAccess whether every app may use the private key (macOS)
 * @param displayName the profile name shown on the device
 * @param organization the organization shown on the device and used in default subjects
 * @param description the profile description shown on the device (carries the renewal hint, because
 *     Apple's SCEP payload has no renewal key)
 * @param identifierPrefix reverse-DNS prefix of every {@code PayloadIdentifier}
 * @param renewalDaysBeforeExpiry when the MDM should redistribute the profile to renew
 * @param certificateValidityDays how long the CA makes device certificates valid
 * @param payloadScope macOS install scope, or null to leave the OS default
 * @param removalDisallowed whether the user may remove the profile (supervised devices)
 * @param consentText agreement text by BCP 47 language tag (or {@code default}); empty for none
 */
public record ProfileRequest(
    Preset preset,
    URI scepUrl,
    String scepName,
    X509Certificate rootCertificate,
    X509Certificate caCertificate,
    X509Certificate intermediateCertificate,
    boolean includeIntermediate,
    SubjectTemplate subject,
    SubjectAltNames subjectAltNames,
    ChallengeMode challengeMode,
    String challenge,
    int keySize,
    int keyUsage,
    int retries,
    int retryDelaySeconds,
    boolean keyIsExtractable,
    boolean allowAllAppsAccess,
    String displayName,
    String organization,
    String description,
    String identifierPrefix,
    int renewalDaysBeforeExpiry,
    int certificateValidityDays,
    Scope payloadScope,
    boolean removalDisallowed,
    Map<String, String> consentText)
    implements EnrollmentProfile {

  /** Key usage bit for signing, as Apple defines it in the SCEP payload. */
  public static final int KEY_USAGE_SIGNING = 1;

  /** Key usage bit for encryption, as Apple defines it in the SCEP payload. */
  public static final int KEY_USAGE_ENCRYPTION = 4;

  private static final Set<Integer> KEY_SIZES = Set.of(2048, 4096);
  private static final Set<Integer> KEY_USAGES =
      Set.of(KEY_USAGE_SIGNING, KEY_USAGE_ENCRYPTION, KEY_USAGE_SIGNING | KEY_USAGE_ENCRYPTION);
  private static final int MAX_RETRIES = 20;
  private static final int MAX_RETRY_DELAY_SECONDS = 3600;

  /** Where the SCEP challenge password comes from. */
  public enum ChallengeMode {
    /** The challenge is written into the profile (a one-time or a static one). */
    STATIC,
    /**
     * Jamf Pro only: the {@code Challenge} key is left out; after uploading, the admin sets the
     * SCEP payload's challenge type to Dynamic and Jamf fetches a fresh challenge per device from
     * our webhook when it pushes the profile.
     */
    DYNAMIC
  }

  /** macOS {@code PayloadScope}: which keychain the identity goes to. */
  public enum Scope {
    SYSTEM("System"),
    USER("User");

    private final String plistValue;

    Scope(String plistValue) {
      this.plistValue = plistValue;
    }

    /** The exact string Apple's schema allows. */
    public String plistValue() {
      return plistValue;
    }
  }

  public ProfileRequest {
    Objects.requireNonNull(preset, "preset is null");
    checkUrl(scepUrl);
    Strings.requireLine("scepName", scepName);
    Objects.requireNonNull(rootCertificate, "rootCertificate is null");
    Objects.requireNonNull(caCertificate, "caCertificate is null");
    checkRoot(rootCertificate);
    if (includeIntermediate && intermediateCertificate == null) {
      throw new InvalidProfileOptionException(
          "includeIntermediate is set but no intermediate certificate was given");
    }
    Objects.requireNonNull(subject, "subject is null");
    Objects.requireNonNull(subjectAltNames, "subjectAltNames is null");
    Objects.requireNonNull(challengeMode, "challengeMode is null");
    checkChallenge(preset, challengeMode, challenge);
    checkKeySize(keySize);
    if (!KEY_USAGES.contains(keyUsage)) {
      throw new InvalidProfileOptionException(
          "keyUsage must be 1 (signing), 4 (encryption) or 5 (both): " + keyUsage);
    }
    if (retries < 0 || retries > MAX_RETRIES) {
      throw new InvalidProfileOptionException(
          "retries must be between 0 and " + MAX_RETRIES + ": " + retries);
    }
    if (retryDelaySeconds < 0 || retryDelaySeconds > MAX_RETRY_DELAY_SECONDS) {
      throw new InvalidProfileOptionException(
          "retryDelay must be between 0 and "
              + MAX_RETRY_DELAY_SECONDS
              + " seconds: "
              + retryDelaySeconds);
    }
    Strings.requireLine("displayName", displayName);
    Strings.requireLine("organization", organization);
    checkText("description", description);
    new IdentifierPrefix(identifierPrefix); // validates; the message names identifierPrefix
    if (certificateValidityDays < 2) {
      throw new InvalidProfileOptionException(
          "certificateValidityDays must be at least 2: " + certificateValidityDays);
    }
    if (renewalDaysBeforeExpiry < 1 || renewalDaysBeforeExpiry >= certificateValidityDays) {
      throw new InvalidProfileOptionException(
          "renewalDaysBeforeExpiry must be between 1 and certificateValidityDays - 1 ("
              + (certificateValidityDays - 1)
              + "): "
              + renewalDaysBeforeExpiry);
    }
    consentText = checkConsent(consentText);
  }

  /** A sorted, unmodifiable copy of the consent texts, each checked; errors name the language. */
  static Map<String, String> checkConsent(Map<String, String> consentText) {
    Objects.requireNonNull(consentText, "consentText is null");
    TreeMap<String, String> consent = new TreeMap<>();
    consentText.forEach(
        (language, text) -> {
          Strings.requireLine("consentText language", language);
          checkText("consentText[" + language + "]", text);
          consent.put(language, text);
        });
    return Collections.unmodifiableMap(consent);
  }

  /** A builder with the defaults described on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** The secret challenge is left out so the request can be logged. */
  @Override
  public String toString() {
    return "ProfileRequest[preset="
        + preset
        + ", scepUrl="
        + scepUrl
        + ", scepName="
        + scepName
        + ", root="
        + rootCertificate.getSubjectX500Principal().getName()
        + ", ca="
        + caCertificate.getSubjectX500Principal().getName()
        + ", includeIntermediate="
        + includeIntermediate
        + ", subject="
        + subject
        + ", subjectAltNames="
        + subjectAltNames
        + ", challengeMode="
        + challengeMode
        + ", challenge="
        + (challenge == null ? "none" : "(hidden)")
        + ", keySize="
        + keySize
        + ", keyUsage="
        + keyUsage
        + ", retries="
        + retries
        + ", retryDelaySeconds="
        + retryDelaySeconds
        + ", keyIsExtractable="
        + keyIsExtractable
        + ", allowAllAppsAccess="
        + allowAllAppsAccess
        + ", displayName="
        + displayName
        + ", organization="
        + organization
        + ", identifierPrefix="
        + identifierPrefix
        + ", renewalDaysBeforeExpiry="
        + renewalDaysBeforeExpiry
        + ", certificateValidityDays="
        + certificateValidityDays
        + ", payloadScope="
        + payloadScope
        + ", removalDisallowed="
        + removalDisallowed
        + "]";
  }

  private static void checkUrl(URI url) {
    Objects.requireNonNull(url, "scepUrl is null");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidProfileOptionException("url must be http or https: " + url);
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new InvalidProfileOptionException("url must name a host: " + url);
    }
    // Credentials in the URL would be shown on the device and in every MDM console.
    if (url.getRawUserInfo() != null) {
      throw new InvalidProfileOptionException("url must not contain user info: " + url.getHost());
    }
    if (url.getRawFragment() != null) {
      throw new InvalidProfileOptionException("url must not have a fragment: " + url);
    }
  }

  static void checkRoot(X509Certificate root) {
    // Apple installs a com.apple.security.root payload as a trust anchor; anything but a
    // self-issued CA certificate there would not anchor the chain the device later receives.
    if (!root.getSubjectX500Principal().equals(root.getIssuerX500Principal())
        || root.getBasicConstraints() < 0) {
      throw new InvalidProfileOptionException(
          "rootCertificate must be a self-issued CA certificate: "
              + root.getSubjectX500Principal().getName());
    }
  }

  private static void checkChallenge(Preset preset, ChallengeMode mode, String challenge) {
    if (mode == ChallengeMode.DYNAMIC) {
      if (preset != Preset.JAMF) {
        throw new InvalidProfileOptionException(
            "challengeMode dynamic is only for the jamf preset (Jamf Pro fetches the challenge);"
                + " preset is "
                + preset.id());
      }
      if (challenge != null) {
        throw new InvalidProfileOptionException(
            "challenge must not be set with challengeMode dynamic: Jamf Pro supplies it");
      }
      return;
    }
    if (challenge == null) {
      // An Intune request may exist only to produce the Intune sheet, whose SCEP profile carries
      // Intune's own challenge; ProfileGenerator.mobileconfig asks for one when it needs it.
      if (preset != Preset.INTUNE) {
        throw new InvalidProfileOptionException(
            "challenge is required for the " + preset.id() + " preset with a static challenge");
      }
      return;
    }
    Strings.requireLine("challenge", challenge);
  }

  private static void checkKeySize(int keySize) {
    if (keySize == 1024) {
      throw new InvalidProfileOptionException(
          "keySize 1024 is too weak (it is Apple's default, so it is never left implicit):"
              + " use 2048 or 4096");
    }
    if (!KEY_SIZES.contains(keySize)) {
      throw new InvalidProfileOptionException("keySize must be 2048 or 4096: " + keySize);
    }
  }

  static void checkText(String option, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidProfileOptionException(option + " must not be empty");
    }
    if (Strings.hasControlCharacterExceptNewlines(text)) {
      throw new InvalidProfileOptionException(option + " contains a control character");
    }
  }

  /**
   * Collects options and fills the defaults that depend on the preset and organization. Required:
   * {@link #scepUrl}, {@link #rootCertificate}, {@link #caCertificate}, {@link #organization}, and
   * a {@link #challenge} unless the preset or challenge mode says otherwise.
   */
  public static final class Builder {
    private Preset preset = Preset.GENERIC;
    private String scepUrl;
    private String scepName;
    private X509Certificate rootCertificate;
    private X509Certificate caCertificate;
    private X509Certificate intermediateCertificate;
    private Boolean includeIntermediate;
    private String subject;
    private SubjectAltNames subjectAltNames;
    private ChallengeMode challengeMode = ChallengeMode.STATIC;
    private String challenge;
    private int keySize = 2048;
    private int keyUsage = KEY_USAGE_SIGNING | KEY_USAGE_ENCRYPTION;
    private int retries = 3;
    private int retryDelaySeconds = 10;
    private boolean keyIsExtractable;
    private boolean allowAllAppsAccess;
    private String displayName;
    private String organization;
    private String description;
    private String identifierPrefix = IdentifierPrefix.LEGACY.value();
    private int renewalDaysBeforeExpiry = 30;
    private int certificateValidityDays = 365;
    private Scope payloadScope;
    private boolean removalDisallowed;
    private Map<String, String> consentText = Map.of();

    private Builder() {}

    /** Default {@link Preset#GENERIC}. */
    public Builder preset(Preset value) {
      this.preset = value;
      return this;
    }

    /** Required: the SCEP URL, e.g. {@code https://ca.example.com/scep}. */
    public Builder scepUrl(String value) {
      this.scepUrl = value;
      return this;
    }

    /** Default: the host of the SCEP URL (Apple's example of a Name is a domain name). */
    public Builder scepName(String value) {
      this.scepName = value;
      return this;
    }

    /** Required: our self-signed root. */
    public Builder rootCertificate(X509Certificate value) {
      this.rootCertificate = value;
      return this;
    }

    /** Required: the certificate GetCACert returns; used for CAFingerprint. */
    public Builder caCertificate(X509Certificate value) {
      this.caCertificate = value;
      return this;
    }

    /** Optional issuing CA certificate. */
    public Builder intermediateCertificate(X509Certificate value) {
      this.intermediateCertificate = value;
      return this;
    }

    /** Default: true exactly when an intermediate certificate was given. */
    public Builder includeIntermediate(boolean value) {
      this.includeIntermediate = value;
      return this;
    }

    /**
     * Subject template such as {@code CN=$SERIALNUMBER,O=Example}. Defaults: generic {@code
     * CN=Device,O=<organization>}; jamf {@code CN=$SERIALNUMBER,O=<organization>}; intune {@code
     * CN={{DeviceId}}}.
     */
    public Builder subject(String template) {
      this.subject = template;
      return this;
    }

    /**
     * Defaults: generic none; jamf {@code uniformResourceIdentifier=urn:udid:$UDID}; intune {@code
     * uniformResourceIdentifier=IntuneDeviceId://{{DeviceId}}}.
     */
    public Builder subjectAltNames(SubjectAltNames value) {
      this.subjectAltNames = value;
      return this;
    }

    /** Default {@link ChallengeMode#STATIC}. */
    public Builder challengeMode(ChallengeMode value) {
      this.challengeMode = value;
      return this;
    }

    /** The challenge password to put in the profile. */
    public Builder challenge(String value) {
      this.challenge = value;
      return this;
    }

    /** Default 2048; 4096 needs iOS 14 or later. */
    public Builder keySize(int value) {
      this.keySize = value;
      return this;
    }

    /** Default 5 (signing and encryption). */
    public Builder keyUsage(int value) {
      this.keyUsage = value;
      return this;
    }

    /** Default 3 (Apple's default, written out). */
    public Builder retries(int value) {
      this.retries = value;
      return this;
    }

    /** Default 10 seconds (Apple's default, written out). */
    public Builder retryDelaySeconds(int value) {
      this.retryDelaySeconds = value;
      return this;
    }

    /** Default false: the device key stays in the keychain. */
    public Builder keyIsExtractable(boolean value) {
      this.keyIsExtractable = value;
      return this;
    }

    /** Default false. */
    public Builder allowAllAppsAccess(boolean value) {
      this.allowAllAppsAccess = value;
      return this;
    }

    /** Default {@code <organization> device certificate}. */
    public Builder displayName(String value) {
      this.displayName = value;
      return this;
    }

    /** Required. */
    public Builder organization(String value) {
      this.organization = value;
      return this;
    }

    /** Default: what the profile installs, where it enrolls, and the renewal hint. */
    public Builder description(String value) {
      this.description = value;
      return this;
    }

    /** Default {@code org.scepca}. */
    public Builder identifierPrefix(String value) {
      this.identifierPrefix = value;
      return this;
    }

    /** Default 30 days. */
    public Builder renewalDaysBeforeExpiry(int value) {
      this.renewalDaysBeforeExpiry = value;
      return this;
    }

    /** Default 365 days; should match the CA's issuance policy. */
    public Builder certificateValidityDays(int value) {
      this.certificateValidityDays = value;
      return this;
    }

    /** Default: not set (macOS installs device profiles in the System scope). */
    public Builder payloadScope(Scope value) {
      this.payloadScope = value;
      return this;
    }

    /** Default false. */
    public Builder removalDisallowed(boolean value) {
      this.removalDisallowed = value;
      return this;
    }

    /** Default none. */
    public Builder consentText(Map<String, String> value) {
      this.consentText = value;
      return this;
    }

    /**
     * Applies defaults and validates.
     *
     * @throws InvalidProfileOptionException naming the first invalid option
     */
    public ProfileRequest build() {
      Objects.requireNonNull(preset, "preset is null");
      URI url = parseUrl(scepUrl);
      Strings.requireLine("organization", organization);
      SubjectTemplate effectiveSubject =
          subject != null ? SubjectTemplate.parse(subject) : defaultSubject(preset, organization);
      SubjectAltNames effectiveSans =
          subjectAltNames != null ? subjectAltNames : defaultSubjectAltNames(preset);
      boolean withIntermediate =
          includeIntermediate != null ? includeIntermediate : intermediateCertificate != null;
      String effectiveName = scepName != null ? scepName : url.getHost();
      String effectiveDisplayName =
          displayName != null ? displayName : organization + " device certificate";
      String effectiveDescription =
          description != null ? description : defaultDescription(url, withIntermediate);
      return new ProfileRequest(
          preset,
          url,
          effectiveName,
          rootCertificate,
          caCertificate,
          intermediateCertificate,
          withIntermediate,
          effectiveSubject,
          effectiveSans,
          challengeMode,
          challenge,
          keySize,
          keyUsage,
          retries,
          retryDelaySeconds,
          keyIsExtractable,
          allowAllAppsAccess,
          effectiveDisplayName,
          organization,
          effectiveDescription,
          identifierPrefix,
          renewalDaysBeforeExpiry,
          certificateValidityDays,
          payloadScope,
          removalDisallowed,
          consentText == null ? Map.of() : consentText);
    }

    private static URI parseUrl(String url) {
      if (url == null || url.isBlank()) {
        throw new InvalidProfileOptionException("url must not be empty");
      }
      try {
        return new URI(url.trim());
      } catch (URISyntaxException e) {
        throw new InvalidProfileOptionException("url is not a valid URI: " + url);
      }
    }

    static SubjectTemplate defaultSubject(Preset preset, String organization) {
      return switch (preset) {
        case GENERIC -> SubjectTemplate.of("CN", "Device", "O", organization);
        // Jamf substitutes $SERIALNUMBER per device when it pushes the profile.
        case JAMF -> SubjectTemplate.of("CN", "$SERIALNUMBER", "O", organization);
        // Same default Intune's own SCEP profile uses for device certificates.
        case INTUNE -> SubjectTemplate.of("CN", "{{DeviceId}}");
      };
    }

    static SubjectAltNames defaultSubjectAltNames(Preset preset) {
      return switch (preset) {
        case GENERIC -> SubjectAltNames.NONE;
        // The UDID ties the certificate to the device record in Jamf even after a rename.
        case JAMF -> SubjectAltNames.NONE.withUniformResourceIdentifier("urn:udid:$UDID");
        case INTUNE ->
            SubjectAltNames.NONE.withUniformResourceIdentifier("IntuneDeviceId://{{DeviceId}}");
      };
    }

    private String defaultDescription(URI url, boolean withIntermediate) {
      // Apple's SCEP payload has no renewal key on iOS or macOS, so the renewal hint lives here,
      // where the admin and the user can read it.
      return "Installs the "
          + organization
          + " root certificate"
          + (withIntermediate ? " and issuing CA certificate" : "")
          + " and requests a device certificate from "
          + url.getHost()
          + " over SCEP. The private key is generated on this device"
          + (keyIsExtractable ? "." : " and cannot be exported.")
          + " Certificates are valid for "
          + certificateValidityDays
          + " days; redistribute this profile "
          + renewalDaysBeforeExpiry
          + " days before they expire to renew.";
    }
  }
}
