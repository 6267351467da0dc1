package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileGeneratorTest {

  private static final AppleProfileSchema SCHEMA = AppleProfileSchema.load();
  private final ProfileGenerator generator = new ProfileGenerator();

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("generic", (Supplier<ProfileRequest.Builder>) ProfileFixtures::generic),
        Arguments.of(
            "generic-no-intermediate",
            (Supplier<ProfileRequest.Builder>)
                () -> ProfileFixtures.generic().includeIntermediate(false)),
        Arguments.of("jamf", (Supplier<ProfileRequest.Builder>) ProfileFixtures::jamf),
        Arguments.of(
            "jamf-dynamic", (Supplier<ProfileRequest.Builder>) ProfileFixtures::jamfDynamic),
        Arguments.of("intune", (Supplier<ProfileRequest.Builder>) ProfileFixtures::intune),
        Arguments.of("everything", (Supplier<ProfileRequest.Builder>) ProfileFixtures::everything));
  }

  @ParameterizedTest(name = "ok/{0}")
  @MethodSource("requests")
  void generatedProfile_conformsToAppleSchema(
      String name, Supplier<ProfileRequest.Builder> request) {
    byte[] plist = generator.mobileconfig(request.get().build());

    assertThat(SCHEMA.validate(plist)).isEmpty();
  }

  @ParameterizedTest(name = "ok/{0}")
  @MethodSource("requests")
  void identifiersAndUuids_areUniqueWellFormedAndNameBased(
      String name, Supplier<ProfileRequest.Builder> request) throws Exception {
    NSDictionary profile = parse(generator.mobileconfig(request.get().build()));
    List<NSDictionary> all = new ArrayList<>();
    all.add(profile);
    all.addAll(payloads(profile));

    List<String> identifiers = all.stream().map(d -> string(d, "PayloadIdentifier")).toList();
    List<String> uuids = all.stream().map(d -> string(d, "PayloadUUID")).toList();
    assertThat(identifiers).doesNotHaveDuplicates();
    assertThat(uuids).doesNotHaveDuplicates();
    for (String uuid : uuids) {
      assertThat(uuid)
          .matches("[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");
      assertThat(UUID.fromString(uuid).version()).isEqualTo(5);
    }
    String top = string(profile, "PayloadIdentifier");
    assertThat(identifiers.subList(1, identifiers.size())).allMatch(id -> id.startsWith(top + "."));
  }

  @Test
  void genericProfile_roundTripsEveryScepKey() throws Exception {
    ProfileRequest request = ProfileFixtures.generic().build();
    NSDictionary profile = parse(generator.mobileconfig(request));

    assertThat(string(profile, "PayloadType")).isEqualTo("Configuration");
    assertThat(((NSNumber) profile.get("PayloadVersion")).intValue()).isEqualTo(1);
    assertThat(string(profile, "PayloadIdentifier")).isEqualTo("org.scepca.scep.generic");
    assertThat(string(profile, "PayloadDisplayName")).isEqualTo("Example Corp device certificate");
    assertThat(string(profile, "PayloadOrganization")).isEqualTo("Example Corp");
    assertThat(string(profile, "PayloadDescription"))
        .contains("ca.example.com", "365 days", "30 days before");
    assertThat(profile.containsKey("PayloadScope")).isFalse();
    assertThat(profile.containsKey("PayloadRemovalDisallowed")).isFalse();
    assertThat(profile.containsKey("ConsentText")).isFalse();

    NSDictionary scep = scepContent(profile);
    assertThat(string(scep, "URL")).isEqualTo("https://ca.example.com/scep");
    assertThat(string(scep, "Name")).isEqualTo("ca.example.com");
    assertThat(subject(scep))
        .isEqualTo(
            List.of(List.of(List.of("CN", "Device")), List.of(List.of("O", "Example Corp"))));
    assertThat(string(scep, "Challenge")).isEqualTo("0ne-time-5f2c9a7e");
    assertThat(integer(scep, "Keysize")).isEqualTo(2048);
    assertThat(string(scep, "Key Type")).isEqualTo("RSA");
    assertThat(integer(scep, "Key Usage")).isEqualTo(5);
    assertThat(integer(scep, "Retries")).isEqualTo(3);
    assertThat(integer(scep, "RetryDelay")).isEqualTo(10);
    assertThat(((NSData) scep.get("CAFingerprint")).bytes())
        .isEqualTo(MessageDigest.getInstance("SHA-1").digest(ProfileFixtures.ROOT.getEncoded()))
        .hasSize(20);
    assertThat(scep.containsKey("SubjectAltName")).isFalse();
    assertThat(bool(scep, "KeyIsExtractable")).isFalse();
    assertThat(bool(scep, "AllowAllAppsAccess")).isFalse();
  }

  @Test
  void certificatePayloads_carryTheExactDerOfRootAndIntermediate_rootFirst() throws Exception {
    NSDictionary profile = parse(generator.mobileconfig(ProfileFixtures.generic().build()));
    List<NSDictionary> payloads = payloads(profile);

    assertThat(payloads)
        .extracting(p -> string(p, "PayloadType"))
        .containsExactly(
            "com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.scep");
    assertThat(((NSData) payloads.get(0).get("PayloadContent")).bytes())
        .isEqualTo(ProfileFixtures.ROOT.getEncoded());
    assertThat(string(payloads.get(0), "PayloadCertificateFileName"))
        .isEqualTo("scepca-Golden-Test-Root.cer");
    assertThat(string(payloads.get(0), "PayloadDisplayName")).isEqualTo("scepca Golden Test Root");
    assertThat(((NSData) payloads.get(1).get("PayloadContent")).bytes())
        .isEqualTo(ProfileFixtures.INTERMEDIATE.getEncoded());
  }

  @Test
  void withoutIntermediate_profileHasOnlyRootAndScep() throws Exception {
    NSDictionary profile =
        parse(generator.mobileconfig(ProfileFixtures.generic().includeIntermediate(false).build()));

    assertThat(payloads(profile))
        .extracting(p -> string(p, "PayloadType"))
        .containsExactly("com.apple.security.root", "com.apple.security.scep");
  }

  @Test
  void jamfProfile_usesJamfVariablesAndStaticChallenge() throws Exception {
    NSDictionary scep = scepContent(parse(generator.mobileconfig(ProfileFixtures.jamf().build())));

    assertThat(subject(scep))
        .isEqualTo(
            List.of(
                List.of(List.of("CN", "$SERIALNUMBER")), List.of(List.of("O", "Example Corp"))));
    assertThat(string((NSDictionary) scep.get("SubjectAltName"), "uniformResourceIdentifier"))
        .isEqualTo("urn:udid:$UDID");
    assertThat(string(scep, "Challenge")).isEqualTo("jamf-static-challenge");
  }

  @Test
  void jamfDynamicProfile_leavesChallengeOutForJamfToSupply() throws Exception {
    NSDictionary scep =
        scepContent(parse(generator.mobileconfig(ProfileFixtures.jamfDynamic().build())));

    assertThat(scep.containsKey("Challenge")).isFalse();
    assertThat(integer(scep, "Keysize")).isEqualTo(2048);
  }

  @Test
  void intuneProfile_usesIntuneTokensAndIssuerFingerprint() throws Exception {
    NSDictionary scep =
        scepContent(parse(generator.mobileconfig(ProfileFixtures.intune().build())));

    assertThat(subject(scep)).isEqualTo(List.of(List.of(List.of("CN", "{{DeviceId}}"))));
    assertThat(string((NSDictionary) scep.get("SubjectAltName"), "uniformResourceIdentifier"))
        .isEqualTo("IntuneDeviceId://{{DeviceId}}");
    assertThat(((NSData) scep.get("CAFingerprint")).bytes())
        .isEqualTo(
            MessageDigest.getInstance("SHA-1").digest(ProfileFixtures.INTERMEDIATE.getEncoded()));
  }

  @Test
  void intuneProfileWithoutChallenge_isRefusedWithAReason() {
    ProfileRequest sheetOnly = ProfileFixtures.intune().challenge(null).build();

    assertThatThrownBy(() -> generator.mobileconfig(sheetOnly))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageContaining("challenge is required");
  }

  @Test
  void everyOption_roundTrips() throws Exception {
    NSDictionary profile = parse(generator.mobileconfig(ProfileFixtures.everything().build()));

    assertThat(string(profile, "PayloadIdentifier")).isEqualTo("com.example.fleet.scep.generic");
    assertThat(string(profile, "PayloadScope")).isEqualTo("System");
    assertThat(bool(profile, "PayloadRemovalDisallowed")).isTrue();
    assertThat(string(profile, "PayloadDescription"))
        .isEqualTo("Line one.\nLine two with <xml> & \"quotes\".");
    NSDictionary consent = (NSDictionary) profile.get("ConsentText");
    assertThat(string(consent, "default")).isEqualTo("Agree to enroll.");
    assertThat(string(consent, "de")).isEqualTo("Zustimmen.");

    NSDictionary scep = scepContent(profile);
    assertThat(subject(scep))
        .isEqualTo(
            List.of(
                List.of(List.of("C", "US")),
                List.of(List.of("ST", "California")),
                List.of(List.of("L", "Cupertino")),
                List.of(List.of("O", "Example Corp")),
                List.of(List.of("OU", "Fleet"), List.of("0.9.2342.19200300.100.1.1", "42")),
                List.of(List.of("CN", "alice-ipad"))));
    NSDictionary san = (NSDictionary) scep.get("SubjectAltName");
    assertThat(string(san, "dNSName")).isEqualTo("alice-ipad.example.com");
    assertThat(string(san, "rfc822Name")).isEqualTo("alice@example.com");
    assertThat(string(san, "uniformResourceIdentifier"))
        .isEqualTo("urn:uuid:6f1d2c8e-4b7a-4f59-9c3e-2a5d8b0e71f4");
    assertThat(string(san, "ntPrincipalName")).isEqualTo("alice@corp.example.com");
    assertThat(string(scep, "Name")).isEqualTo("example-ca");
    assertThat(integer(scep, "Keysize")).isEqualTo(4096);
    assertThat(integer(scep, "Key Usage")).isEqualTo(1);
    assertThat(integer(scep, "Retries")).isEqualTo(5);
    assertThat(integer(scep, "RetryDelay")).isEqualTo(30);
    assertThat(bool(scep, "KeyIsExtractable")).isTrue();
    assertThat(bool(scep, "AllowAllAppsAccess")).isTrue();
  }

  @Test
  void sameInputs_giveIdenticalBytesAndUuids() {
    byte[] first = generator.mobileconfig(ProfileFixtures.jamf().build());
    byte[] second = new ProfileGenerator().mobileconfig(ProfileFixtures.jamf().build());

    assertThat(second).isEqualTo(first);
  }

  @Test
  void differentScepUrl_changesScepAndProfileUuidsButKeepsIdentifiersAndRootUuid()
      throws Exception {
    NSDictionary a = parse(generator.mobileconfig(ProfileFixtures.jamf().build()));
    NSDictionary b =
        parse(
            generator.mobileconfig(
                ProfileFixtures.jamf().scepUrl("https://ca2.example.com/scep").build()));

    assertThat(string(b, "PayloadIdentifier")).isEqualTo(string(a, "PayloadIdentifier"));
    assertThat(string(b, "PayloadUUID")).isNotEqualTo(string(a, "PayloadUUID"));
    assertThat(string(payloads(b).get(2), "PayloadIdentifier"))
        .isEqualTo(string(payloads(a).get(2), "PayloadIdentifier"));
    assertThat(string(payloads(b).get(2), "PayloadUUID"))
        .isNotEqualTo(string(payloads(a).get(2), "PayloadUUID"));
    // The root did not change, so the device keeps it installed untouched.
    assertThat(string(payloads(b).get(0), "PayloadUUID"))
        .isEqualTo(string(payloads(a).get(0), "PayloadUUID"));
  }

  @Test
  void differentStaticChallenge_keepsScepUuid_soRotationDoesNotForceReEnrollment()
      throws Exception {
    NSDictionary a = parse(generator.mobileconfig(ProfileFixtures.jamf().build()));
    NSDictionary b =
        parse(generator.mobileconfig(ProfileFixtures.jamf().challenge("rotated").build()));

    assertThat(string(payloads(b).get(2), "PayloadUUID"))
        .isEqualTo(string(payloads(a).get(2), "PayloadUUID"));
    assertThat(string(b, "PayloadUUID")).isNotEqualTo(string(a, "PayloadUUID"));
  }

  @Test
  void differentSubject_changesScepUuid() throws Exception {
    NSDictionary a = parse(generator.mobileconfig(ProfileFixtures.jamf().build()));
    NSDictionary b =
        parse(generator.mobileconfig(ProfileFixtures.jamf().subject("CN=$UDID").build()));

    assertThat(string(payloads(b).get(2), "PayloadUUID"))
        .isNotEqualTo(string(payloads(a).get(2), "PayloadUUID"));
  }

  @Test
  void dictionaryKeys_areWrittenSorted() throws Exception {
    NSDictionary scep =
        scepContent(parse(generator.mobileconfig(ProfileFixtures.generic().build())));

    String[] keys = scep.allKeys();
    String[] sorted = keys.clone();
    Arrays.sort(sorted);
    assertThat(keys).containsExactly(sorted);
  }

  // --- helpers

  static NSDictionary parse(byte[] plist) throws Exception {
    return (NSDictionary) PropertyListParser.parse(plist);
  }

  static List<NSDictionary> payloads(NSDictionary profile) {
    return Arrays.stream(((NSArray) profile.get("PayloadContent")).getArray())
        .map(NSDictionary.class::cast)
        .toList();
  }

  static NSDictionary scepContent(NSDictionary profile) {
    return payloads(profile).stream()
        .filter(p -> string(p, "PayloadType").equals("com.apple.security.scep"))
        .map(p -> (NSDictionary) p.get("PayloadContent"))
        .findFirst()
        .orElseThrow();
  }

  static String string(NSDictionary dictionary, String key) {
    return ((NSString) dictionary.get(key)).getContent();
  }

  static int integer(NSDictionary dictionary, String key) {
    NSNumber number = (NSNumber) dictionary.get(key);
    assertThat(number.isInteger()).as(key + " is an integer").isTrue();
    return number.intValue();
  }

  static boolean bool(NSDictionary dictionary, String key) {
    NSNumber number = (NSNumber) dictionary.get(key);
    assertThat(number.isBoolean()).as(key + " is a boolean").isTrue();
    return number.boolValue();
  }

  /** The Subject as nested Java lists, to compare nesting and values at once. */
  static List<List<List<String>>> subject(NSDictionary scep) {
    List<List<List<String>>> rdns = new ArrayList<>();
    for (NSObject rdn : ((NSArray) scep.get("Subject")).getArray()) {
      List<List<String>> pairs = new ArrayList<>();
      for (NSObject pair : ((NSArray) rdn).getArray()) {
        pairs.add(
            Arrays.stream(((NSArray) pair).getArray())
                .map(v -> ((NSString) v).getContent())
                .toList());
      }
      rdns.add(pairs);
    }
    return rdns;
  }
}
