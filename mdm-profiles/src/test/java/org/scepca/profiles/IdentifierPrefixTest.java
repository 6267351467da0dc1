package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdentifierPrefixTest {

  @ParameterizedTest(name = "ok/{0}")
  @ValueSource(strings = {"org.scepca", "com.example.staging", "com.example-corp.ca-1", "a.b", "COM.Example.X9"})
  void acceptsReverseDns(String value) {
    assertThat(new IdentifierPrefix(value).value()).isEqualTo(value);
    assertThat(IdentifierPrefix.isValid(value)).isTrue();
  }

  @ParameterizedTest(name = "fail/{0}")
  @ValueSource(
      strings = {
        "", "scepca", ".com.example", "com.example.", "com..example", "com.-example", "com.example-",
        "com.exa mple", "com/example", "com.example\n.x", "com.ex_ample", "com.ex\u00e4mple"
      })
  void refusesAnythingElse(String value) {
    assertThat(IdentifierPrefix.isValid(value)).isFalse();
    assertThatThrownBy(() -> new IdentifierPrefix(value))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageStartingWith("identifierPrefix must be reverse-DNS")
        .hasMessageNotContaining("\n.x");
  }

  @Test
  void refusesOverlongPrefixWithoutEchoingIt() {
    String longValue = "com." + "a".repeat(IdentifierPrefix.MAX_LENGTH);
    assertThatThrownBy(() -> new IdentifierPrefix(longValue))
        .hasMessageEndingWith("(" + longValue.length() + " characters)");
  }

  @Test
  void rootDerivedPrefixDiffersPerCaAndIsStableForOne() throws Exception {
    X509Certificate one = TestPki.rsa(java.time.Instant.now()).root().certificate();
    X509Certificate two = TestPki.rsa(java.time.Instant.now()).root().certificate();
    IdentifierPrefix a = IdentifierPrefix.forRoot(one);
    assertThat(a.value()).matches("org\\.scepca\\.ca-[0-9a-f]{10}");
    assertThat(IdentifierPrefix.forRoot(one)).isEqualTo(a);
    assertThat(IdentifierPrefix.forRoot(two)).isNotEqualTo(a);
    String sha256 = Certificates.fingerprint("SHA-256", one).toLowerCase().replace(":", "");
    assertThat(a.value()).isEqualTo("org.scepca.ca-" + sha256.substring(0, 10));
  }
}
