package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class IntuneSheetTest {

  private final ProfileGenerator generator = new ProfileGenerator();

  @Test
  void sheet_carriesTheValuesIntuneAsksFor() throws Exception {
    IntuneSheet sheet = generator.intuneSheet(ProfileFixtures.intune().build());

    assertThat(sheet.scepServerUrl()).isEqualTo("https://ca.example.com/scep");
    assertThat(sheet.certificateType()).isEqualTo("Device");
    assertThat(sheet.subjectNameFormat()).isEqualTo("CN={{DeviceId}}");
    assertThat(sheet.subjectNameFormatAlternatives()).containsExactly("CN={{SerialNumber}}");
    assertThat(sheet.subjectAlternativeNames())
        .containsExactly(new IntuneSheet.AlternativeName("URI", "IntuneDeviceId://{{DeviceId}}"));
    assertThat(sheet.keySize()).isEqualTo(2048);
    assertThat(sheet.keyUsage()).containsExactly("Digital signature", "Key encipherment");
    assertThat(sheet.extendedKeyUsageOid()).isEqualTo("1.3.6.1.5.5.7.3.2");
    assertThat(sheet.renewalThresholdPercent()).isEqualTo(9);
    assertThat(sheet.certificateValidityDays()).isEqualTo(365);
    assertThat(sheet.rootCer()).isEqualTo(ProfileFixtures.ROOT.getEncoded());
    assertThat(sheet.trustedRoot().sha1Thumbprint()).matches("([0-9A-F]{2}:){19}[0-9A-F]{2}");
  }

  @Test
  void sheet_isAvailableWithoutAChallenge_becauseIntuneBringsItsOwn() {
    IntuneSheet sheet = generator.intuneSheet(ProfileFixtures.intune().challenge(null).build());

    assertThat(sheet.toText()).contains("SCEP Server URLs:").doesNotContain("intune-custom-static");
  }

  @Test
  void renewalThreshold_isDerivedFromDaysAndClampedToIntunesRange() {
    assertThat(threshold(30, 365)).isEqualTo(9);
    assertThat(threshold(1, 3650)).isEqualTo(1);
    assertThat(threshold(99, 100)).isEqualTo(99);
    assertThat(threshold(364, 365)).isEqualTo(99);
  }

  @Test
  void keyUsageLabels_followTheAppleBits() {
    IntuneSheet signingOnly = generator.intuneSheet(ProfileFixtures.intune().keyUsage(1).build());
    IntuneSheet encryptionOnly =
        generator.intuneSheet(ProfileFixtures.intune().keyUsage(4).build());

    assertThat(signingOnly.keyUsage()).containsExactly("Digital signature");
    assertThat(encryptionOnly.keyUsage()).containsExactly("Key encipherment");
  }

  @Test
  void json_parsesBackToTheSameValues() throws Exception {
    IntuneSheet sheet = generator.intuneSheet(ProfileFixtures.intune().build());

    Map<String, Object> json = parseJson(sheet.toJson());

    assertThat(json).containsEntry("organization", "Example Corp");
    Map<?, ?> root = (Map<?, ?>) json.get("trustedCertificate");
    assertThat(Base64.getDecoder().decode((String) root.get("derBase64")))
        .isEqualTo(ProfileFixtures.ROOT.getEncoded());
    Map<?, ?> scep = (Map<?, ?>) json.get("scepCertificate");
    assertThat(scep.get("subjectNameFormat")).isEqualTo("CN={{DeviceId}}");
    assertThat(scep.get("keySize")).isEqualTo(2048);
    assertThat(scep.get("renewalThresholdPercent")).isEqualTo(9);
    assertThat(scep.get("scepServerUrls")).isEqualTo(List.of("https://ca.example.com/scep"));
    assertThat(scep.get("extendedKeyUsage"))
        .isEqualTo(List.of(Map.of("name", "Client Authentication", "oid", "1.3.6.1.5.5.7.3.2")));
  }

  @Test
  void json_escapesQuotesBackslashesAndControls() {
    String nasty = "Ex\"am\\ple\n\t\u0001 \u2028 Ünïcode 🔐";

    String quoted = Json.quote(nasty);

    assertThat(quoted).isEqualTo("\"Ex\\\"am\\\\ple\\n\\t\\u0001 \\u2028 Ünïcode 🔐\"");
    assertThat(parseJson("{\"v\": " + quoted + "}")).containsEntry("v", nasty);
  }

  @Test
  void json_ofAnOrganizationWithQuotes_staysValid() {
    IntuneSheet sheet =
        generator.intuneSheet(ProfileFixtures.intune().organization("\"Quoted\" \\ Org").build());

    assertThat(parseJson(sheet.toJson())).containsEntry("organization", "\"Quoted\" \\ Org");
  }

  @Test
  void sheetForAnotherPreset_isRefused() {
    ProfileRequest jamf = ProfileFixtures.jamf().build();

    assertThatThrownBy(() -> generator.intuneSheet(jamf))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessage("the Intune sheet needs the intune preset: jamf");
  }

  private static int threshold(int renewalDays, int validityDays) {
    return ProfileGenerator.renewalThresholdPercent(
        ProfileFixtures.intune()
            .renewalDaysBeforeExpiry(renewalDays)
            .certificateValidityDays(validityDays)
            .build());
  }

  /** SnakeYAML reads JSON (a YAML subset), which keeps Jackson out of this module entirely. */
  private static Map<String, Object> parseJson(String json) {
    return new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
  }
}
