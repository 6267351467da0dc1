package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A {@code .mobileconfig} that installs one device's PKCS#12 identity ({@code
 * com.apple.security.pkcs12}) and the CA root ({@code com.apple.security.root}), for pilots
 * without an MDM. Identifiers: profile {@code <prefix>.p12.<device>}, payloads {@code .root} and
 * {@code .pkcs12}, so each device's profile replaces only its own earlier one.
 *
 * <p>The password is left out unless asked for: without a {@code Password} key the device asks for
 * it at installation, so the file alone does not give the key away. Like the SCEP challenge, the
 * password is kept out of the payload UUID.
 *
 * @param prefix the identifier prefix
 * @param organization shown on the device
 * @param device the device's file stem: letters, digits, {@code . _ -} (part of the identifier)
 * @param root the CA root the device should trust
 * @param pkcs12 the device's PKCS#12 (DER)
 * @param fileName the PKCS#12's file name shown on the device
 * @param password embedded in the profile when present
 */
public record Pkcs12Profile(
    IdentifierPrefix prefix,
    String organization,
    String device,
    X509Certificate root,
    byte[] pkcs12,
    String fileName,
    Optional<String> password) {

  private static final String PKCS12_PAYLOAD_TYPE = "com.apple.security.pkcs12";
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  public Pkcs12Profile {
    Objects.requireNonNull(prefix, "prefix is null");
    Objects.requireNonNull(root, "root is null");
    Objects.requireNonNull(password, "password is null");
    if (organization == null || organization.isBlank()) {
      throw new InvalidProfileOptionException("organization is empty");
    }
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new InvalidProfileOptionException(
          "device must be 1 to 64 letters, digits, '.', '_' or '-', not starting with a dot");
    }
    if (pkcs12 == null || pkcs12.length == 0) {
      throw new InvalidProfileOptionException("pkcs12 is empty");
    }
    if (fileName == null || fileName.isBlank()) {
      throw new InvalidProfileOptionException("fileName is empty");
    }
    pkcs12 = pkcs12.clone();
  }

  @Override
  public byte[] pkcs12() {
    return pkcs12.clone();
  }

  /** The unsigned profile as an XML property list (UTF-8); sign it with {@link ProfileSigner}. */
  public byte[] mobileconfig() {
    return ProfileGenerator.xml(profile());
  }

  /** The profile as a dd-plist dictionary. */
  public NSDictionary profile() {
    String profileId = prefix.value() + ".p12." + device;

    String rootId = profileId + ".root";
    TreeMap<String, NSObject> rootPayload =
        ProfileGenerator.commonKeys(
            organization,
            ProfileGenerator.ROOT_PAYLOAD_TYPE,
            rootId,
            Certificates.commonName(root),
            "Root certificate of the " + organization + " certificate authority.");
    rootPayload.put("PayloadCertificateFileName", new NSString(Certificates.fileName(root, "root")));
    rootPayload.put("PayloadContent", new NSData(Certificates.der(root)));

    String identityId = profileId + ".pkcs12";
    TreeMap<String, NSObject> identity =
        ProfileGenerator.commonKeys(
            organization,
            PKCS12_PAYLOAD_TYPE,
            identityId,
            device,
            "Certificate and key of " + device + ".");
    identity.put("PayloadCertificateFileName", new NSString(fileName));
    identity.put("PayloadContent", new NSData(pkcs12));
    NSDictionary rootDictionary = ProfileGenerator.withUuid(rootPayload, rootId, "root");
    NSDictionary withoutPassword = ProfileGenerator.withUuid(identity, identityId, "pkcs12");

    TreeMap<String, NSObject> top = new TreeMap<>();
    top.put("PayloadContent", new NSArray(rootDictionary, withoutPassword));
    top.put(
        "PayloadDescription",
        new NSString(
            "Installs the certificate of "
                + device
                + " and the root of the "
                + organization
                + " certificate authority."));
    top.put("PayloadDisplayName", new NSString(organization + ": " + device));
    top.put("PayloadIdentifier", new NSString(profileId));
    top.put("PayloadOrganization", new NSString(organization));
    top.put("PayloadType", new NSString("Configuration"));
    top.put("PayloadVersion", new NSNumber(1));
    UUID uuid = NameBasedUuid.of(profileId, "profile", ProfileGenerator.dictionary(top));
    top.put("PayloadUUID", new NSString(uuid.toString().toUpperCase(Locale.ROOT)));
    if (password.isPresent()) {
      identity.put("Password", new NSString(password.get()));
      top.put(
          "PayloadContent", new NSArray(rootDictionary, ProfileGenerator.dictionary(identity)));
    }
    return ProfileGenerator.dictionary(top);
  }
}
