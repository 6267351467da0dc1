package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The content of a {@code com.apple.security.acme} payload (Apple's {@code
 * com.apple.security.acme.yaml}, iOS/iPadOS 16, macOS 13.1, tvOS 16, watchOS 9, visionOS 1): the
 * device makes a key, asks our ACME directory for a certificate with {@code ClientIdentifier} as
 * the {@code permanent-identifier}, and with {@link #attest} proves with an Apple attestation that
 * the key is in its Secure Enclave (device-attest-01). The compact constructor enforces the
 * combinations Apple's schema spells out, so a payload that exists is one a device accepts; each
 * refusal names the option.
 *
 * @param directoryUrl the ACME directory; Apple requires https. Ours is {@code <public base
 *     URL>/acme/<endpoint>/directory}
 * @param clientIdentifier the device's permanent identifier as the ACME server should see it: with
 *     attestation the server compares it with the attested serial number or UDID, so it is an MDM
 *     variable ({@code $SERIALNUMBER}, {@code {{SerialNumber}}}) or one device's serial
 * @param keyType {@code RSA} or {@code ECSECPrimeRandom}
 * @param keySize RSA: a multiple of 8 in 2048..4096; EC: 256, 384 or 521 (the curves our CA
 *     issues for; Apple also knows 192, which we refuse)
 * @param hardwareBound the Secure Enclave makes the key and it can never leave the device; needs
 *     EC 256 or 384 (Apple). macOS before 14 (and Intel Macs without T2) need {@code false}
 * @param attest the device sends Apple's attestation of key and device (Managed Device
 *     Attestation); needs {@code hardwareBound}. iOS 16, macOS 14, tvOS 16, watchOS 10, visionOS;
 *     A11/Apple silicon or later (older SoCs ignore it, Apple's hardware-support note)
 * @param subject requested subject (Apple requires the key; the CA applies its own policy)
 * @param subjectAltNames requested SANs; {@link SubjectAltNames#NONE} leaves the key out
 * @param usageFlags requested key usage bits (1 signature, 4 encryption), empty to leave it out
 * @param extendedKeyUsage requested EKU OIDs in dotted form, empty to leave the key out
 * @param keyIsExtractable macOS only: whether the key may be exported (Apple's default is true; we
 *     always write it, false unless asked). Refused together with {@code hardwareBound}
 * @param allowAllAppsAccess macOS only: whether every app may use the key
 */
public record AcmePayload(
    URI directoryUrl,
    String clientIdentifier,
    KeyType keyType,
    int keySize,
    boolean hardwareBound,
    boolean attest,
    SubjectTemplate subject,
    SubjectAltNames subjectAltNames,
    OptionalInt usageFlags,
    List<String> extendedKeyUsage,
    boolean keyIsExtractable,
    boolean allowAllAppsAccess) {

  /** The payload type Apple assigns. */
  public static final String PAYLOAD_TYPE = "com.apple.security.acme";

  private static final Set<Integer> EC_SIZES = Set.of(256, 384, 521);
  private static final Set<Integer> HARDWARE_EC_SIZES = Set.of(256, 384);
  private static final Set<Integer> USAGE_FLAGS = Set.of(1, 4, 5);
  private static final int MAX_EKUS = 16;
  private static final Pattern DOTTED_OID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");

  /** Apple's two key types, by their plist spelling. */
  public enum KeyType {
    RSA("RSA"),
    EC("ECSECPrimeRandom");

    private final String plistValue;

    KeyType(String plistValue) {
      this.plistValue = plistValue;
    }

    /** The exact string Apple's schema allows. */
    public String plistValue() {
      return plistValue;
    }

    /** Parses {@code ec}, {@code ECSECPrimeRandom} or {@code rsa} (case-insensitive). */
    public static KeyType fromId(String id) {
      String wanted = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
      return switch (wanted) {
        case "ec", "ecsecprimerandom" -> EC;
        case "rsa" -> RSA;
        default ->
            throw new InvalidProfileOptionException(
                "keyType must be ECSECPrimeRandom (ec) or RSA: " + id);
      };
    }
  }

  public AcmePayload {
    checkDirectoryUrl(directoryUrl);
    Strings.requireLine("clientIdentifier", clientIdentifier);
    Objects.requireNonNull(keyType, "keyType is null");
    checkKey(keyType, keySize, hardwareBound);
    if (attest && !hardwareBound) {
      // Apple: "When 'Attest' is 'true', 'HardwareBound' also needs to be 'true'."
      throw new InvalidProfileOptionException(
          "attest needs hardwareBound true: Apple attests only Secure Enclave keys");
    }
    if (keyIsExtractable && hardwareBound) {
      throw new InvalidProfileOptionException(
          "keyIsExtractable cannot be true with hardwareBound: a Secure Enclave key never leaves"
              + " the device");
    }
    if (subject == null) {
      throw new InvalidProfileOptionException("subject is required in an ACME payload");
    }
    Objects.requireNonNull(subjectAltNames, "subjectAltNames is null");
    Objects.requireNonNull(usageFlags, "usageFlags is null");
    if (usageFlags.isPresent() && !USAGE_FLAGS.contains(usageFlags.getAsInt())) {
      throw new InvalidProfileOptionException(
          "usageFlags must be 1 (signature), 4 (encryption) or 5 (both): "
              + usageFlags.getAsInt());
    }
    extendedKeyUsage = checkEkus(extendedKeyUsage);
  }

  private static void checkDirectoryUrl(URI url) {
    if (url == null) {
      throw new InvalidProfileOptionException("directoryUrl must not be empty");
    }
    // Apple: "The URL must use the https scheme."
    if (!"https".equalsIgnoreCase(url.getScheme())) {
      throw new InvalidProfileOptionException(
          "directoryUrl must use https (Apple requires it): " + url);
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new InvalidProfileOptionException("directoryUrl must name a host: " + url);
    }
    if (url.getRawUserInfo() != null) {
      throw new InvalidProfileOptionException(
          "directoryUrl must not contain user info: " + url.getHost());
    }
    if (url.getRawFragment() != null) {
      throw new InvalidProfileOptionException("directoryUrl must not have a fragment: " + url);
    }
  }

  /** Parses an admin's text into a URI; errors name {@code directoryUrl}. */
  public static URI parseDirectoryUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new InvalidProfileOptionException("directoryUrl must not be empty");
    }
    try {
      return new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new InvalidProfileOptionException("directoryUrl is not a valid URI: " + url);
    }
  }

  private static void checkKey(KeyType type, int size, boolean hardwareBound) {
    if (type == KeyType.RSA) {
      if (hardwareBound) {
        // Apple: "If 'true', 'KeyType' must be 'ECSECPrimeRandom' and 'KeySize' must be 256 or 384."
        throw new InvalidProfileOptionException(
            "hardwareBound needs keyType ECSECPrimeRandom: the Secure Enclave makes only EC keys");
      }
      // Apple allows multiples of 8 from 1024; our CA refuses RSA below 2048 (policy.rsa-min-bits).
      if (size < 2048 || size > 4096 || size % 8 != 0) {
        throw new InvalidProfileOptionException(
            "keySize for RSA must be a multiple of 8 from 2048 to 4096: " + size);
      }
      return;
    }
    if (size == 192) {
      throw new InvalidProfileOptionException(
          "keySize 192 (P-192) is too weak: use 256, 384 or 521");
    }
    if (!EC_SIZES.contains(size)) {
      throw new InvalidProfileOptionException(
          "keySize for ECSECPrimeRandom must be 256, 384 or 521 (the curve, not 512): " + size);
    }
    if (hardwareBound && !HARDWARE_EC_SIZES.contains(size)) {
      throw new InvalidProfileOptionException(
          "keySize must be 256 or 384 with hardwareBound (Secure Enclave curves): " + size);
    }
  }

  private static List<String> checkEkus(List<String> ekus) {
    Objects.requireNonNull(ekus, "extendedKeyUsage is null");
    if (ekus.size() > MAX_EKUS) {
      throw new InvalidProfileOptionException(
          "extendedKeyUsage has more than " + MAX_EKUS + " OIDs: " + ekus.size());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String oid : ekus) {
      if (oid == null || !DOTTED_OID.matcher(oid).matches()) {
        throw new InvalidProfileOptionException(
            "extendedKeyUsage must hold dotted OIDs such as 1.3.6.1.5.5.7.3.2: " + oid);
      }
      if (!seen.add(oid)) {
        throw new InvalidProfileOptionException("extendedKeyUsage repeats " + oid);
      }
    }
    return List.copyOf(seen);
  }

  /** The payload's own keys, in Apple's spelling (common payload keys are added by the caller). */
  TreeMap<String, NSObject> content() {
    TreeMap<String, NSObject> content = new TreeMap<>();
    content.put("DirectoryURL", new NSString(directoryUrl.toString()));
    content.put("ClientIdentifier", new NSString(clientIdentifier));
    content.put("KeyType", new NSString(keyType.plistValue()));
    content.put("KeySize", new NSNumber(keySize));
    // Both always written: macOS before 14 requires the keys to be present (with false).
    content.put("HardwareBound", new NSNumber(hardwareBound));
    content.put("Attest", new NSNumber(attest));
    content.put("Subject", subject.toPlist());
    if (!subjectAltNames.isEmpty()) {
      content.put("SubjectAltName", subjectAltNames.toPlist());
    }
    usageFlags.ifPresent(flags -> content.put("UsageFlags", new NSNumber(flags)));
    if (!extendedKeyUsage.isEmpty()) {
      content.put(
          "ExtendedKeyUsage",
          new NSArray(extendedKeyUsage.stream().map(NSString::new).toArray(NSObject[]::new)));
    }
    content.put("KeyIsExtractable", new NSNumber(keyIsExtractable));
    content.put("AllowAllAppsAccess", new NSNumber(allowAllAppsAccess));
    return content;
  }
}
