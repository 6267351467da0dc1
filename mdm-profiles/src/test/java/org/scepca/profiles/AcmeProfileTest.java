package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.profiles.ProfileGeneratorTest.bool;
import static org.scepca.profiles.ProfileGeneratorTest.integer;
import static org.scepca.profiles.ProfileGeneratorTest.parse;
import static org.scepca.profiles.ProfileGeneratorTest.payloads;
import static org.scepca.profiles.ProfileGeneratorTest.string;
import static org.scepca.profiles.ProfileGeneratorTest.subject;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code com.apple.security.acme} payload and the profile around it. */
class AcmeProfileTest {

  private static final AppleProfileSchema SCHEMA = AppleProfileSchema.load();
  private static final String ACME = "PayloadContent[2]";
  private final ProfileGenerator generator = new ProfileGenerator();

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("generic", (Supplier<AcmeProfileRequest.Builder>) ProfileFixtures::acmeGeneric),
        Arguments.of("jamf", (Supplier<AcmeProfileRequest.Builder>) ProfileFixtures::acmeJamf),
        Arguments.of("intune", (Supplier<AcmeProfileRequest.Builder>) ProfileFixtures::acmeIntune),
        Arguments.of(
            "everything", (Supplier<AcmeProfileRequest.Builder>) ProfileFixtures::acmeEverything),
        Arguments.of(
            "ec-521-software",
            (Supplier<AcmeProfileRequest.Builder>)
                () -> ProfileFixtures.acmeGeneric().keySize(521).hardwareBound(false)),
        Arguments.of(
            "bound-not-attested",
            (Supplier<AcmeProfileRequest.Builder>)
                () -> ProfileFixtures.acmeGeneric().keySize(256).attest(false)),
        Arguments.of(
            "no-intermediate",
            (Supplier<AcmeProfileRequest.Builder>)
                () -> ProfileFixtures.acmeJamf().includeIntermediate(false)));
  }

  @ParameterizedTest(name = "ok/{0}")
  @MethodSource("requests")
  void generatedProfile_parsesWithDdPlist_andConformsToAppleSchemaKeyForKey(
      String name, Supplier<AcmeProfileRequest.Builder> request) {
    byte[] plist = generator.mobileconfig(request.get().build());

    // validate(byte[]) parses with dd-plist first: a parse failure would be a violation.
    assertThat(SCHEMA.validate(plist)).isEmpty();
  }

  @Test
  void genericProfile_roundTripsEveryAcmeKey() throws Exception {
    NSDictionary profile = parse(generator.mobileconfig(ProfileFixtures.acmeGeneric().build()));

    assertThat(string(profile, "PayloadIdentifier")).isEqualTo("org.scepca.acme.generic");
    assertThat(string(profile, "PayloadDisplayName"))
        .isEqualTo("Example Corp device certificate (ACME)");
    assertThat(string(profile, "PayloadDescription"))
        .contains("ca.example.com", "ACME", "Secure Enclave", "Managed Device Attestation");
    List<NSDictionary> payloads = payloads(profile);
    assertThat(payloads)
        .extracting(p -> string(p, "PayloadType"))
        .containsExactly(
            "com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.acme");
    assertThat(((NSData) payloads.get(0).get("PayloadContent")).bytes())
        .isEqualTo(ProfileFixtures.ROOT.getEncoded());

    NSDictionary acme = payloads.get(2);
    assertThat(string(acme, "PayloadIdentifier")).isEqualTo("org.scepca.acme.generic.acme");
    assertThat(string(acme, "DirectoryURL"))
        .isEqualTo("https://ca.example.com/acme/default/directory");
    assertThat(string(acme, "ClientIdentifier")).isEqualTo("C02XK1ABJG5H");
    assertThat(string(acme, "KeyType")).isEqualTo("ECSECPrimeRandom");
    assertThat(integer(acme, "KeySize")).isEqualTo(384);
    assertThat(bool(acme, "HardwareBound")).isTrue();
    assertThat(bool(acme, "Attest")).isTrue();
    assertThat(subject(acme))
        .isEqualTo(
            List.of(List.of(List.of("CN", "Device")), List.of(List.of("O", "Example Corp"))));
    assertThat(bool(acme, "KeyIsExtractable")).isFalse();
    assertThat(bool(acme, "AllowAllAppsAccess")).isFalse();
    // Not requested unless asked: the CA sets key usage and EKU by policy.
    assertThat(acme.containsKey("UsageFlags")).isFalse();
    assertThat(acme.containsKey("ExtendedKeyUsage")).isFalse();
    assertThat(acme.containsKey("SubjectAltName")).isFalse();
    assertThat(acme.containsKey("Challenge")).isFalse();
  }

  @Test
  void everythingProfile_carriesOptionalKeysAsTyped() throws Exception {
    NSDictionary acme =
        payloads(parse(generator.mobileconfig(ProfileFixtures.acmeEverything().build()))).get(2);

    assertThat(string(acme, "KeyType")).isEqualTo("RSA");
    assertThat(integer(acme, "KeySize")).isEqualTo(3072);
    assertThat(bool(acme, "HardwareBound")).isFalse();
    assertThat(bool(acme, "Attest")).isFalse();
    assertThat(integer(acme, "UsageFlags")).isEqualTo(1);
    assertThat(
            Arrays.stream(((NSArray) acme.get("ExtendedKeyUsage")).getArray())
                .map(NSObject::toJavaObject))
        .containsExactly("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4");
    NSDictionary sans = (NSDictionary) acme.get("SubjectAltName");
    assertThat(string(sans, "dNSName")).isEqualTo("alice-mac.example.com");
    assertThat(string(sans, "ntPrincipalName")).isEqualTo("alice@corp.example.com");
    assertThat(bool(acme, "KeyIsExtractable")).isTrue();
    assertThat(bool(acme, "AllowAllAppsAccess")).isTrue();
  }

  @Test
  void jamfPreset_rendersJamfVariablesUnchanged() throws Exception {
    byte[] plist = generator.mobileconfig(ProfileFixtures.acmeJamf().build());
    NSDictionary acme = payloads(parse(plist)).get(2);

    assertThat(string(acme, "ClientIdentifier")).isEqualTo("$SERIALNUMBER");
    assertThat(subject(acme))
        .isEqualTo(
            List.of(
                List.of(List.of("CN", "$SERIALNUMBER")), List.of(List.of("O", "Example Corp"))));
    assertThat(string((NSDictionary) acme.get("SubjectAltName"), "uniformResourceIdentifier"))
        .isEqualTo("urn:udid:$UDID");
    // Jamf substitutes in the file it pushes: the variables must be in the XML text verbatim.
    assertThat(new String(plist, StandardCharsets.UTF_8))
        .contains("<string>$SERIALNUMBER</string>", "<string>urn:udid:$UDID</string>");
  }

  @Test
  void intunePreset_rendersIntuneTokensUnchanged() throws Exception {
    byte[] plist = generator.mobileconfig(ProfileFixtures.acmeIntune().build());
    NSDictionary acme = payloads(parse(plist)).get(2);

    assertThat(string(acme, "ClientIdentifier")).isEqualTo("{{SerialNumber}}");
    assertThat(subject(acme)).isEqualTo(List.of(List.of(List.of("CN", "{{DeviceId}}"))));
    assertThat(string((NSDictionary) acme.get("SubjectAltName"), "uniformResourceIdentifier"))
        .isEqualTo("IntuneDeviceId://{{DeviceId}}");
    assertThat(new String(plist, StandardCharsets.UTF_8))
        .contains(
            "<string>{{SerialNumber}}</string>", "<string>IntuneDeviceId://{{DeviceId}}</string>");
  }

  @Test
  void acmeAndScepProfiles_haveDistinctIdentifiers_soAnMdmCanScopeEachToItsDevices()
      throws Exception {
    NSDictionary acme = parse(generator.mobileconfig(ProfileFixtures.acmeJamf().build()));
    NSDictionary scep = parse(generator.mobileconfig(ProfileFixtures.jamf().build()));

    assertThat(string(acme, "PayloadIdentifier")).isEqualTo("org.scepca.acme.jamf");
    assertThat(string(scep, "PayloadIdentifier")).isEqualTo("org.scepca.scep.jamf");
    assertThat(string(acme, "PayloadUUID")).isNotEqualTo(string(scep, "PayloadUUID"));
    assertThat(payloads(acme).get(2).get("PayloadUUID"))
        .isNotEqualTo(payloads(scep).get(2).get("PayloadUUID"));
  }

  @Test
  void sameRequest_sameBytes_andAChangedPayloadGetsANewUuid() throws Exception {
    byte[] first = generator.mobileconfig(ProfileFixtures.acmeJamf().build());
    byte[] again = generator.mobileconfig(ProfileFixtures.acmeJamf().build());
    NSDictionary changed =
        parse(generator.mobileconfig(ProfileFixtures.acmeJamf().keySize(256).build()));

    assertThat(again).isEqualTo(first);
    NSDictionary before = parse(first);
    assertThat(string(payloads(changed).get(2), "PayloadUUID"))
        .isNotEqualTo(string(payloads(before).get(2), "PayloadUUID"));
    // The root did not change, so it stays installed untouched.
    assertThat(string(payloads(changed).get(0), "PayloadUUID"))
        .isEqualTo(string(payloads(before).get(0), "PayloadUUID"));
  }

  @Test
  void rsaDefaults_areSoftwareKeyWithoutAttestation() {
    AcmePayload acme =
        ProfileFixtures.acmeGeneric().keyType(AcmePayload.KeyType.RSA).build().acme();

    assertThat(acme.keySize()).isEqualTo(2048);
    assertThat(acme.hardwareBound()).isFalse();
    assertThat(acme.attest()).isFalse();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        refused("http directory", b -> b.directoryUrl("http://ca.example.com/acme/x/directory"),
            "directoryUrl must use https"),
        refused("no directory", b -> b.directoryUrl(null), "directoryUrl must not be empty"),
        refused("bad URI", b -> b.directoryUrl("https://ca example/"), "directoryUrl is not a valid URI"),
        refused("no host", b -> b.directoryUrl("https:///acme/x/directory"), "directoryUrl must name a host"),
        refused("user info", b -> b.directoryUrl("https://u:p@ca.example.com/d"), "directoryUrl must not contain user info"),
        refused("fragment", b -> b.directoryUrl("https://ca.example.com/d#x"), "directoryUrl must not have a fragment"),
        refused("generic without client id", b -> b.clientIdentifier(null), "clientIdentifier is required for the generic preset"),
        refused("blank client id", b -> b.clientIdentifier(" "), "clientIdentifier must not be empty"),
        refused("control char in client id", b -> b.clientIdentifier("C02\u0007"), "clientIdentifier contains a control character"),
        refused("no key type", b -> b.keyType(null), "keyType must not be empty"),
        refused("RSA hardware-bound", b -> b.keyType(AcmePayload.KeyType.RSA).hardwareBound(true), "hardwareBound needs keyType ECSECPrimeRandom"),
        refused("RSA 1024", b -> b.keyType(AcmePayload.KeyType.RSA).keySize(1024), "keySize for RSA must be a multiple of 8 from 2048 to 4096"),
        refused("RSA 2049", b -> b.keyType(AcmePayload.KeyType.RSA).keySize(2049), "keySize for RSA must be a multiple of 8"),
        refused("RSA 8192", b -> b.keyType(AcmePayload.KeyType.RSA).keySize(8192), "keySize for RSA must be a multiple of 8"),
        refused("EC 192", b -> b.keySize(192).hardwareBound(false), "keySize 192 (P-192) is too weak"),
        refused("EC 512", b -> b.keySize(512).hardwareBound(false), "keySize for ECSECPrimeRandom must be 256, 384 or 521"),
        refused("EC 521 hardware-bound", b -> b.keySize(521), "keySize must be 256 or 384 with hardwareBound"),
        refused("attest without hardware-bound", b -> b.hardwareBound(false).attest(true), "attest needs hardwareBound true"),
        refused("RSA attested", b -> b.keyType(AcmePayload.KeyType.RSA).attest(true), "attest needs hardwareBound true"),
        refused("extractable hardware key", b -> b.keyIsExtractable(true), "keyIsExtractable cannot be true with hardwareBound"),
        refused("usage flags 2", b -> b.usageFlags(2), "usageFlags must be 1 (signature), 4 (encryption) or 5"),
        refused("EKU not an OID", b -> b.extendedKeyUsage(List.of("clientAuth")), "extendedKeyUsage must hold dotted OIDs"),
        refused("EKU repeated", b -> b.extendedKeyUsage(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.2")), "extendedKeyUsage repeats"),
        refused("bad subject", b -> b.subject("CN"), "malformed subject template"),
        refused("no organization", b -> b.organization(null), "organization must not be empty"),
        refused("intermediate asked, none given", b -> b.intermediateCertificate(null).includeIntermediate(true), "includeIntermediate is set"),
        refused("bad prefix", b -> b.identifierPrefix("not a prefix"), "identifierPrefix"),
        refused("root not a CA", b -> b.rootCertificate(ProfileFixtures.INTERMEDIATE), "rootCertificate must be a self-issued CA certificate"));
  }

  private static Arguments refused(
      String name, UnaryOperator<AcmeProfileRequest.Builder> change, String message) {
    return Arguments.of(name, change, message);
  }

  @ParameterizedTest(name = "refused/{0}")
  @MethodSource("refusals")
  void invalidCombination_isRefused_namingTheOption(
      String name, UnaryOperator<AcmeProfileRequest.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(ProfileFixtures.acmeGeneric()).build())
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void keyType_parsesApplesAndShortSpellings_andNamesTheOptionOtherwise() {
    assertThat(AcmePayload.KeyType.fromId("ECSECPrimeRandom")).isEqualTo(AcmePayload.KeyType.EC);
    assertThat(AcmePayload.KeyType.fromId(" ec ")).isEqualTo(AcmePayload.KeyType.EC);
    assertThat(AcmePayload.KeyType.fromId("RSA")).isEqualTo(AcmePayload.KeyType.RSA);
    assertThatThrownBy(() -> AcmePayload.KeyType.fromId("dsa"))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageStartingWith("keyType must be ECSECPrimeRandom (ec) or RSA");
  }

  /** The validator must see ACME mistakes, or the schema test above proves nothing. */
  @Test
  void schema_reportsWrongAcmeKeys() throws Exception {
    NSDictionary profile = parse(generator.mobileconfig(ProfileFixtures.acmeGeneric().build()));
    NSDictionary acme = payloads(profile).get(2);
    acme.put("KeyType", new NSString("EC"));
    acme.put("KeySize", new NSString("384"));
    acme.remove("ClientIdentifier");
    acme.put("Attest", new NSNumber(1));
    acme.put("ExtendedKeyUsage", new NSArray(new NSNumber(1)));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(
            ACME + ".KeyType: value \"EC\" is not one of [RSA, ECSECPrimeRandom]",
            ACME + ".KeySize: expected <integer> but found <string>",
            ACME + ".ClientIdentifier: required key is missing",
            ACME + ".Attest: expected <boolean> but found <integer>",
            ACME + ".ExtendedKeyUsage[0]: expected <string> but found <integer>");
  }
}
