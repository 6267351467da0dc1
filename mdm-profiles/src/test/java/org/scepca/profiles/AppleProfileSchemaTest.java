package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.profiles.ProfileGeneratorTest.parse;
import static org.scepca.profiles.ProfileGeneratorTest.payloads;
import static org.scepca.profiles.ProfileGeneratorTest.scepContent;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validator must fail loudly, or the schema tests elsewhere prove nothing. */
class AppleProfileSchemaTest {

  private static final AppleProfileSchema SCHEMA = AppleProfileSchema.load();
  private static final String SCEP = "PayloadContent[2].PayloadContent";

  private NSDictionary profile;
  private NSDictionary scep;

  @BeforeEach
  void validProfile() throws Exception {
    profile = parse(new ProfileGenerator().mobileconfig(ProfileFixtures.generic().build()));
    scep = scepContent(profile);
    assertThat(SCHEMA.validate(profile)).as("baseline").isEmpty();
  }

  @Test
  void unknownTopLevelKey_isReported() {
    profile.put("PayloadFlavour", new NSString("vanilla"));

    assertThat(SCHEMA.validate(profile))
        .containsExactly(new AppleProfileSchema.Violation("PayloadFlavour", "unknown key"));
  }

  @Test
  void misspelledScepKeys_areReported() {
    scep.put("KeySize", scep.get("Keysize"));
    scep.remove("Keysize");
    scep.put("KeyType", new NSString("RSA"));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(SCEP + ".KeySize: unknown key", SCEP + ".KeyType: unknown key");
  }

  @Test
  void missingRequiredKeys_areReported() {
    profile.remove("PayloadUUID");
    scep.remove("URL");
    payloads(profile).get(0).remove("PayloadContent");

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(
            "PayloadUUID: required key is missing",
            SCEP + ".URL: required key is missing",
            "PayloadContent[0].PayloadContent: required key is missing");
  }

  @Test
  void wrongTypes_areReported() {
    scep.put("Keysize", new NSString("2048"));
    scep.put("CAFingerprint", new NSString("AB:CD"));
    scep.put("KeyIsExtractable", new NSNumber(0));
    profile.put("PayloadVersion", new NSNumber(1.0));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(
            SCEP + ".Keysize: expected <integer> but found <string>",
            SCEP + ".CAFingerprint: expected <data> but found <string>",
            SCEP + ".KeyIsExtractable: expected <boolean> but found <integer>",
            "PayloadVersion: expected <integer> but found <real>");
  }

  @Test
  void valuesOutsideRangelist_areReported() {
    scep.put("Keysize", new NSNumber(3072));
    profile.put("PayloadScope", new NSString("Device"));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(
            SCEP + ".Keysize: value 3072 is not one of [1024, 2048, 4096]",
            "PayloadScope: value \"Device\" is not one of [System, User]");
  }

  @Test
  void subjectWithMissingNestingLevel_isReported() {
    // [["CN","x"]] instead of [[["CN","x"]]]: iOS rejects this nesting.
    scep.put("Subject", new NSArray(new NSArray(new NSString("CN"), new NSString("x"))));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactlyInAnyOrder(
            SCEP + ".Subject[0][0]: expected <array> but found <string>",
            SCEP + ".Subject[0][1]: expected <array> but found <string>");
  }

  @Test
  void subjectPairWithThreeElements_isReported() {
    NSArray pair = new NSArray(new NSString("CN"), new NSString("x"), new NSString("y"));
    scep.put("Subject", new NSArray(new NSArray(pair)));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactly(SCEP + ".Subject[0][0]: has 3 elements, at most 2 allowed");
  }

  @Test
  void unknownPayloadType_isReported() {
    payloads(profile).get(1).put("PayloadType", new NSString("com.example.unknown"));

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactly("PayloadContent[1].PayloadType: no schema loaded for com.example.unknown");
  }

  @Test
  void consentText_isValidatedAsLanguageMap() {
    NSDictionary consent = new NSDictionary();
    consent.put("en", new NSString("ok"));
    consent.put("de", new NSNumber(1));
    profile.put("ConsentText", consent);

    assertThat(SCHEMA.validate(profile))
        .extracting(AppleProfileSchema.Violation::toString)
        .containsExactly("ConsentText.de: expected <string> but found <integer>");
  }

  @Test
  void nonPlistBytes_areOneViolation() {
    List<AppleProfileSchema.Violation> violations =
        SCHEMA.validate("bplist00 truncated".getBytes(StandardCharsets.US_ASCII));

    assertThat(violations).hasSize(1);
    assertThat(violations.get(0).message()).startsWith("not a property list");
  }
}
