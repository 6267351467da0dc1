package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dd.plist.NSArray;
import com.dd.plist.NSString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubjectTemplateTest {

  @Test
  void template_keepsWrittenOrder_oneRdnPerComponent() {
    SubjectTemplate subject = SubjectTemplate.parse("CN=$SERIALNUMBER,O=Example");

    assertThat(subject.rdns())
        .containsExactly(
            List.of(new SubjectTemplate.Attribute("CN", "$SERIALNUMBER")),
            List.of(new SubjectTemplate.Attribute("O", "Example")));
  }

  @Test
  void plistForm_hasExactlyThreeLevels() {
    NSArray plist = SubjectTemplate.parse("CN=x,O=y").toPlist();

    NSArray expected =
        new NSArray(
            new NSArray(new NSArray(new NSString("CN"), new NSString("x"))),
            new NSArray(new NSArray(new NSString("O"), new NSString("y"))));
    assertThat(plist).isEqualTo(expected);
  }

  @Test
  void escapesWhitespaceAndMultiValuedRdns_areHandled() {
    SubjectTemplate subject = SubjectTemplate.parse(" o = Example\\, Inc. , ou=A+uid=b\\+c ");

    assertThat(subject.rdns())
        .containsExactly(
            List.of(new SubjectTemplate.Attribute("O", "Example, Inc.")),
            List.of(
                new SubjectTemplate.Attribute("OU", "A"),
                new SubjectTemplate.Attribute("0.9.2342.19200300.100.1.1", "b+c")));
  }

  @Test
  void keywordsBecomeOids_andDottedOidsStay() {
    SubjectTemplate subject =
        SubjectTemplate.parse("E=a@example.com,serialNumber=$SERIALNUMBER,2.5.4.45=$UDID");

    assertThat(subject.rdns())
        .extracting(rdn -> rdn.get(0).type())
        .containsExactly("1.2.840.113549.1.9.1", "2.5.4.5", "2.5.4.45");
  }

  @Test
  void toString_parsesBackToTheSameValue() {
    SubjectTemplate subject =
        SubjectTemplate.of("O", "Example, Inc.", "CN", "a+b=c\\d", "OU", "{{DeviceId}}");

    assertThat(SubjectTemplate.parse(subject.toString())).isEqualTo(subject);
  }

  @ParameterizedTest(name = "fail/{0}")
  @ValueSource(
      strings = {"", "CN", "=x", "CN=x,,O=y", "CN=x+", "CN=x\\", "XX=y", "1.2=", "CN=a\tb"})
  void malformedTemplate_namesTheTemplate(String template) {
    assertThatThrownBy(() -> SubjectTemplate.parse(template))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageStartingWith("malformed subject template \"" + template + "\": ");
  }
}
