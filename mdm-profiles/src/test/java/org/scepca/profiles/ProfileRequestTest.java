package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileRequestTest {

  static Stream<Arguments> invalidOptions() {
    return Stream.of(
        invalid("fail/ftp url", b -> b.scepUrl("ftp://x"), "url must be http or https: ftp://x"),
        invalid("fail/relative url", b -> b.scepUrl("/scep"), "url must be http or https: /scep"),
        invalid("fail/url without host", b -> b.scepUrl("https:///scep"), "url must name a host"),
        invalid(
            "fail/url with credentials",
            b -> b.scepUrl("https://admin:pw@ca.example.com/scep"),
            "url must not contain user info: ca.example.com"),
        invalid(
            "fail/unparsable url",
            b -> b.scepUrl("https://ca example.com/"),
            "url is not a valid URI: https://ca example.com/"),
        invalid("fail/empty url", b -> b.scepUrl(" "), "url must not be empty"),
        invalid("fail/key size 1024", b -> b.keySize(1024), "keySize 1024 is too weak"),
        invalid("fail/key size 3072", b -> b.keySize(3072), "keySize must be 2048 or 4096: 3072"),
        invalid(
            "fail/key usage 2",
            b -> b.keyUsage(2),
            "keyUsage must be 1 (signing), 4 (encryption) or 5 (both): 2"),
        invalid(
            "fail/subject without value",
            b -> b.subject("CN="),
            "malformed subject template \"CN=\": subject attribute CN has an empty value"),
        invalid(
            "fail/subject without equals",
            b -> b.subject("CN=x,Example"),
            "malformed subject template \"CN=x,Example\": component \"Example\" is not TYPE=value"),
        invalid(
            "fail/subject trailing comma",
            b -> b.subject("CN=x,"),
            "malformed subject template \"CN=x,\": it has an empty component"),
        invalid(
            "fail/subject unknown type",
            b -> b.subject("FOO=bar"),
            "malformed subject template \"FOO=bar\": subject attribute type must be one of"),
        invalid(
            "fail/negative retries", b -> b.retries(-1), "retries must be between 0 and 20: -1"),
        invalid(
            "fail/retry delay too long",
            b -> b.retryDelaySeconds(86400),
            "retryDelay must be between 0 and 3600 seconds: 86400"),
        invalid(
            "fail/identifier prefix not reverse DNS",
            b -> b.identifierPrefix("scepca"),
            "identifierPrefix must be reverse-DNS like com.example.staging"),
        invalid(
            "fail/identifier prefix with a path",
            b -> b.identifierPrefix("com.example/../x"),
            "identifierPrefix must be reverse-DNS"),
        invalid(
            "fail/identifier prefix with a trailing dot",
            b -> b.identifierPrefix("com.example."),
            "identifierPrefix must be reverse-DNS"),
        invalid(
            "fail/no challenge for generic",
            b -> b.challenge(null),
            "challenge is required for the generic preset with a static challenge"),
        invalid(
            "fail/dynamic challenge for generic",
            b -> b.challenge(null).challengeMode(ProfileRequest.ChallengeMode.DYNAMIC),
            "challengeMode dynamic is only for the jamf preset"),
        invalid(
            "fail/dynamic challenge with a challenge",
            b -> b.preset(Preset.JAMF).challengeMode(ProfileRequest.ChallengeMode.DYNAMIC),
            "challenge must not be set with challengeMode dynamic"),
        invalid(
            "fail/challenge with newline",
            b -> b.challenge("a\nb"),
            "challenge contains a control character"),
        invalid(
            "fail/intermediate flag without certificate",
            b -> b.intermediateCertificate(null).includeIntermediate(true),
            "includeIntermediate is set but no intermediate certificate was given"),
        invalid(
            "fail/root that is not self-issued",
            b -> b.rootCertificate(ProfileFixtures.INTERMEDIATE),
            "rootCertificate must be a self-issued CA certificate"),
        invalid(
            "fail/renewal longer than validity",
            b -> b.renewalDaysBeforeExpiry(400),
            "renewalDaysBeforeExpiry must be between 1 and certificateValidityDays - 1 (364): 400"),
        invalid(
            "fail/empty organization", b -> b.organization(""), "organization must not be empty"),
        invalid(
            "fail/blank consent text",
            b -> b.consentText(Map.of("en", " ")),
            "consentText[en] must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidOptions")
  void invalidOption_isRefusedWithAMessageNamingIt(
      String name, UnaryOperator<ProfileRequest.Builder> change, String message) {
    ProfileRequest.Builder builder = change.apply(ProfileFixtures.generic());

    assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidProfileOptionException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "ok/{0}")
  @ValueSource(
      strings = {
        "http://ca.example.com/scep",
        "HTTPS://CA.EXAMPLE.COM:8443/scep?x=1",
        "https://10.0.0.1/cgi-bin/pkiclient.exe"
      })
  void httpAndHttpsUrls_areAccepted(String url) {
    assertThat(ProfileFixtures.generic().scepUrl(url).build().scepUrl()).hasToString(url);
  }

  @Test
  void defaults_areExplicitAndSafe() {
    ProfileRequest request = ProfileFixtures.generic().build();

    assertThat(request.keySize()).isEqualTo(2048);
    assertThat(request.keyUsage()).isEqualTo(5);
    assertThat(request.retries()).isEqualTo(3);
    assertThat(request.retryDelaySeconds()).isEqualTo(10);
    assertThat(request.keyIsExtractable()).isFalse();
    assertThat(request.allowAllAppsAccess()).isFalse();
    assertThat(request.includeIntermediate()).isTrue();
    assertThat(request.identifierPrefix()).isEqualTo("org.scepca");
    assertThat(request.scepName()).isEqualTo("ca.example.com");
    assertThat(request.subject()).hasToString("CN=Device,O=Example Corp");
    assertThat(request.subjectAltNames()).isEqualTo(SubjectAltNames.NONE);
    assertThat(request.payloadScope()).isNull();
    assertThat(request.removalDisallowed()).isFalse();
    assertThat(request.consentText()).isEmpty();
  }

  @Test
  void presetDefaults_followTheMdm() {
    assertThat(ProfileFixtures.jamf().build().subject())
        .hasToString("CN=$SERIALNUMBER,O=Example Corp");
    assertThat(ProfileFixtures.jamf().build().subjectAltNames().uniformResourceIdentifier())
        .isEqualTo("urn:udid:$UDID");
    assertThat(ProfileFixtures.intune().build().subject()).hasToString("CN={{DeviceId}}");
    assertThat(ProfileFixtures.intune().build().subjectAltNames().uniformResourceIdentifier())
        .isEqualTo("IntuneDeviceId://{{DeviceId}}");
  }

  @Test
  void intuneRequestWithoutChallenge_isAllowedForTheSheet() {
    assertThat(ProfileFixtures.intune().challenge(null).build().challenge()).isNull();
  }

  @Test
  void toString_hidesTheChallenge() {
    String text = ProfileFixtures.generic().build().toString();

    assertThat(text).doesNotContain("0ne-time-5f2c9a7e").contains("challenge=(hidden)");
  }

  @Test
  void presetIds_parseCaseInsensitively_andUnknownOnesAreRefused() {
    assertThat(Preset.fromId(" Jamf ")).isEqualTo(Preset.JAMF);
    assertThatThrownBy(() -> Preset.fromId("mosyle"))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessage("preset must be one of generic, jamf, intune: mosyle");
  }

  private static Arguments invalid(
      String name, UnaryOperator<ProfileRequest.Builder> change, String message) {
    return Arguments.of(name, change, message);
  }
}
