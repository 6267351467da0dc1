package org.scepca.profiles;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Everything an ACME enrollment profile is made from: our root (and optionally the issuing CA) as
 * trust payloads and one {@link AcmePayload}. Build it with {@link #builder()}, which fills the
 * preset's defaults; the canonical constructor validates every component and throws {@link
 * InvalidProfileOptionException} naming the option.
 *
 * <p>There is no challenge: with device-attest-01 the device proves who it is with Apple's
 * attestation, and which devices may enroll is the ACME endpoint's policy.
 *
 * @param preset who delivers the profile; decides the default ClientIdentifier, Subject and SANs
 * @param rootCertificate our self-signed root, installed as {@code com.apple.security.root} so the
 *     device trusts the certificate it gets
 * @param intermediateCertificate the issuing CA certificate, or null
 * @param includeIntermediate whether the intermediate goes into the profile
 * @param acme the ACME payload
 * @param displayName profile name shown on the device
 * @param organization shown on the device
 * @param description shown on the device
 * @param identifierPrefix reverse-DNS prefix of every {@code PayloadIdentifier}
 * @param payloadScope macOS install scope, or null for the OS default
 * @param removalDisallowed whether the user may remove the profile
 * @param consentText agreement text by language; empty for none
 */
public record AcmeProfileRequest(
    Preset preset,
    X509Certificate rootCertificate,
    X509Certificate intermediateCertificate,
    boolean includeIntermediate,
    AcmePayload acme,
    String displayName,
    String organization,
    String description,
    String identifierPrefix,
    ProfileRequest.Scope payloadScope,
    boolean removalDisallowed,
    Map<String, String> consentText)
    implements EnrollmentProfile {

  public AcmeProfileRequest {
    Objects.requireNonNull(preset, "preset is null");
    Objects.requireNonNull(rootCertificate, "rootCertificate is null");
    ProfileRequest.checkRoot(rootCertificate);
    if (includeIntermediate && intermediateCertificate == null) {
      throw new InvalidProfileOptionException(
          "includeIntermediate is set but no intermediate certificate was given");
    }
    Objects.requireNonNull(acme, "acme is null");
    Strings.requireLine("displayName", displayName);
    Strings.requireLine("organization", organization);
    ProfileRequest.checkText("description", description);
    new IdentifierPrefix(identifierPrefix); // validates; the message names identifierPrefix
    consentText = ProfileRequest.checkConsent(consentText);
  }

  /** A builder with the defaults described on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The ClientIdentifier a preset uses when none is given: the MDM's serial-number variable, which
   * the MDM replaces per device and which the attested serial number (OID
   * 1.2.840.113635.100.8.9.1) must then equal. Null for {@link Preset#GENERIC}: without an MDM
   * there is nothing to substitute, so the admin names the device.
   */
  public static String defaultClientIdentifier(Preset preset) {
    return switch (preset) {
      case GENERIC -> null;
      // Jamf Pro payload variables are case-sensitive: $SERIALNUMBER.
      case JAMF -> "$SERIALNUMBER";
      // Intune's token for custom profiles; Intune replaces it when it delivers the profile.
      case INTUNE -> "{{SerialNumber}}";
    };
  }

  /**
   * Collects options. Required: {@link #directoryUrl}, {@link #rootCertificate}, {@link
   * #organization}, and for the generic preset {@link #clientIdentifier}.
   */
  public static final class Builder {
    private Preset preset = Preset.GENERIC;
    private String directoryUrl;
    private String clientIdentifier;
    private AcmePayload.KeyType keyType = AcmePayload.KeyType.EC;
    private Integer keySize;
    private Boolean hardwareBound;
    private Boolean attest;
    private String subject;
    private SubjectAltNames subjectAltNames;
    private Integer usageFlags;
    private List<String> extendedKeyUsage = List.of();
    private boolean keyIsExtractable;
    private boolean allowAllAppsAccess;
    private X509Certificate rootCertificate;
    private X509Certificate intermediateCertificate;
    private Boolean includeIntermediate;
    private String displayName;
    private String organization;
    private String description;
    private String identifierPrefix = IdentifierPrefix.LEGACY.value();
    private ProfileRequest.Scope payloadScope;
    private boolean removalDisallowed;
    private Map<String, String> consentText = Map.of();

    private Builder() {}

    /** Default {@link Preset#GENERIC}. */
    public Builder preset(Preset value) {
      this.preset = value;
      return this;
    }

    /** Required: e.g. {@code https://ca.example.com/acme/default/directory}. */
    public Builder directoryUrl(String value) {
      this.directoryUrl = value;
      return this;
    }

    /**
     * Defaults: jamf {@code $SERIALNUMBER}, intune {@code {{SerialNumber}}}; required for generic
     * (the device's serial number).
     */
    public Builder clientIdentifier(String value) {
      this.clientIdentifier = value;
      return this;
    }

    /** Default {@code ECSECPrimeRandom}. */
    public Builder keyType(AcmePayload.KeyType value) {
      this.keyType = value;
      return this;
    }

    /** Default 384 for EC, 2048 for RSA. */
    public Builder keySize(int value) {
      this.keySize = value;
      return this;
    }

    /** Default true for EC (Secure Enclave key), false for RSA. */
    public Builder hardwareBound(boolean value) {
      this.hardwareBound = value;
      return this;
    }

    /** Default: the same as hardwareBound (attest whenever the key can be attested). */
    public Builder attest(boolean value) {
      this.attest = value;
      return this;
    }

    /** Subject template; defaults as for SCEP: generic {@code CN=Device,O=<org>}, ... */
    public Builder subject(String template) {
      this.subject = template;
      return this;
    }

    /** Defaults as for SCEP: generic none, jamf {@code urn:udid:$UDID}, ... */
    public Builder subjectAltNames(SubjectAltNames value) {
      this.subjectAltNames = value;
      return this;
    }

    /** Default: not requested (the CA's policy sets key usage). */
    public Builder usageFlags(Integer value) {
      this.usageFlags = value;
      return this;
    }

    /** Default: none requested (the CA's policy sets the EKU). */
    public Builder extendedKeyUsage(List<String> value) {
      this.extendedKeyUsage = value;
      return this;
    }

    /** Default false. */
    public Builder keyIsExtractable(boolean value) {
      this.keyIsExtractable = value;
      return this;
    }

    /** Default false. */
    public Builder allowAllAppsAccess(boolean value) {
      this.allowAllAppsAccess = value;
      return this;
    }

    /** Required: our self-signed root. */
    public Builder rootCertificate(X509Certificate value) {
      this.rootCertificate = value;
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

    /** Default {@code <organization> device certificate (ACME)}. */
    public Builder displayName(String value) {
      this.displayName = value;
      return this;
    }

    /** Required. */
    public Builder organization(String value) {
      this.organization = value;
      return this;
    }

    /** Default: what the profile installs and where it enrolls. */
    public Builder description(String value) {
      this.description = value;
      return this;
    }

    /** Default {@code org.scepca}. */
    public Builder identifierPrefix(String value) {
      this.identifierPrefix = value;
      return this;
    }

    /** Default: not set. */
    public Builder payloadScope(ProfileRequest.Scope value) {
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
    public AcmeProfileRequest build() {
      Objects.requireNonNull(preset, "preset is null");
      if (keyType == null) {
        throw new InvalidProfileOptionException("keyType must not be empty");
      }
      URI url = AcmePayload.parseDirectoryUrl(directoryUrl);
      Strings.requireLine("organization", organization);
      String identifier =
          clientIdentifier != null ? clientIdentifier : defaultClientIdentifier(preset);
      if (identifier == null) {
        throw new InvalidProfileOptionException(
            "clientIdentifier is required for the generic preset: the device's serial number"
                + " (with attestation it must equal the attested serial number or UDID)");
      }
      boolean ec = keyType == AcmePayload.KeyType.EC;
      boolean bound = hardwareBound != null ? hardwareBound : ec;
      AcmePayload payload =
          new AcmePayload(
              url,
              identifier,
              keyType,
              keySize != null ? keySize : ec ? 384 : 2048,
              bound,
              attest != null ? attest : bound,
              subject != null
                  ? SubjectTemplate.parse(subject)
                  : ProfileRequest.Builder.defaultSubject(preset, organization),
              subjectAltNames != null
                  ? subjectAltNames
                  : ProfileRequest.Builder.defaultSubjectAltNames(preset),
              usageFlags == null ? OptionalInt.empty() : OptionalInt.of(usageFlags),
              extendedKeyUsage == null ? List.of() : extendedKeyUsage,
              keyIsExtractable,
              allowAllAppsAccess);
      boolean withIntermediate =
          includeIntermediate != null ? includeIntermediate : intermediateCertificate != null;
      return new AcmeProfileRequest(
          preset,
          rootCertificate,
          intermediateCertificate,
          withIntermediate,
          payload,
          displayName != null ? displayName : organization + " device certificate (ACME)",
          organization,
          description != null ? description : defaultDescription(url, payload, withIntermediate),
          identifierPrefix,
          payloadScope,
          removalDisallowed,
          consentText == null ? Map.of() : consentText);
    }

    private String defaultDescription(URI url, AcmePayload payload, boolean withIntermediate) {
      // Like the SCEP payload, Apple's ACME payload has no renewal key: the hint lives here.
      return "Installs the "
          + organization
          + " root certificate"
          + (withIntermediate ? " and issuing CA certificate" : "")
          + " and requests a device certificate from "
          + url.getHost()
          + " over ACME."
          + (payload.hardwareBound()
              ? " The private key is generated in the Secure Enclave and cannot be exported."
              : " The private key is generated on this device.")
          + (payload.attest()
              ? " The device proves its identity with Apple's Managed Device Attestation."
              : "")
          + " Redistribute this profile before the certificate expires to renew.";
    }
  }
}
