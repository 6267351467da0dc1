package org.scepca.ca.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameBindingTest {

    /** Checks a subject written as Bouncy Castle does (encoding order: CN=alice,O=Example puts CN first). */
    private static void check(NameRule rule, String subject, String... sans) {
        X500Name name = new X500Name(subject);
        try {
            rule.check(NameRule.subjectString(name), name.getEncoded(), List.of(sans));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NameBinding binding(String subject, String... sans) {
        return NameBinding.of(Optional.ofNullable(subject), List.of(sans)).orElseThrow();
    }

    @Test
    void ok_exactSubject_inEitherRdnOrderAndAnyCase() {
        NameBinding b = binding("CN=alice,O=Example");
        check(b, "CN=alice,O=Example");
        check(b, "O=Example,CN=alice");
        check(b, "cn=ALICE, o=example");
    }

    @Test
    void fail_anotherSubject_orASanThatIsNotListed() {
        NameBinding b = binding("CN=alice,O=Example");
        assertThatThrownBy(() -> check(b, "CN=mallory,O=Example")).isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("subject");
        assertThatThrownBy(() -> check(b, "CN=alice,O=Example,OU=extra")).isInstanceOf(PolicyViolationException.class);
        // Bound to a subject only: no SAN at all.
        assertThatThrownBy(() -> check(b, "CN=alice,O=Example", "email:admin@example.com"))
                .isInstanceOf(PolicyViolationException.class).hasMessageContaining("email:admin@example.com");
    }

    @Test
    void ok_sansExactOrRegex_fewerThanListed_andDnsWithoutCase() {
        NameBinding b = binding(null, "dns:mac-17.example.com", "regex:email:[a-z]+@example\\.com");
        check(b, "CN=anything", "dns:MAC-17.example.com", "email:alice@example.com");
        check(b, "CN=anything");
        assertThatThrownBy(() -> check(b, "CN=anything", "dns:mac-18.example.com")).isInstanceOf(PolicyViolationException.class);
        assertThatThrownBy(() -> check(b, "CN=anything", "email:alice@example.com.evil"))
                .as("regex is anchored").isInstanceOf(PolicyViolationException.class);
        assertThatThrownBy(() -> check(b, "CN=anything", "uri:dns:mac-17.example.com")).isInstanceOf(PolicyViolationException.class);
    }

    @Test
    void ok_subjectRegex_overTheListedForm_isAnchored() {
        NameBinding b = binding("regex:O=Example,CN=[a-z]+");
        check(b, "CN=alice,O=Example"); // listed as O=Example,CN=alice
        assertThatThrownBy(() -> check(b, "CN=alice,O=Example,C=US")).isInstanceOf(PolicyViolationException.class);
    }

    @Test
    void aCatastrophicRegex_doesNotHang_itSimplyDoesNotMatch() {
        NameBinding b = binding("regex:(a+)+b");
        assertThatThrownBy(() -> check(b, "CN=" + "a".repeat(60))).isInstanceOf(PolicyViolationException.class);
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "bad regex         | regex:(unclosed | ",
            "not a DN          | not a dn        | ",
            "SAN without type  |                 | mac-17.example.com",
            "unknown SAN type  |                 | phone:123",
            "SAN without value |                 | dns:",
            "bad SAN regex     |                 | regex:[",
    })
    void invalidPatterns_areRefusedAtCreation(String name, String subject, String san) {
        assertThatThrownBy(() -> NameBinding.of(Optional.ofNullable(subject), san == null ? List.of() : List.of(san)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limits_lengthAndCount_andControlCharacters() {
        assertThatThrownBy(() -> binding("regex:" + "a".repeat(NameBinding.MAX_PATTERN_LENGTH)))
                .hasMessageContaining("characters");
        String[] many = new String[NameBinding.MAX_SAN_PATTERNS + 1];
        java.util.Arrays.fill(many, "dns:a.example.com");
        assertThatThrownBy(() -> binding(null, many)).hasMessageContaining("at most");
        assertThatThrownBy(() -> binding("CN=a\nb")).hasMessageContaining("control");
        assertThat(NameBinding.of(Optional.of("  "), List.of(" "))).isEmpty();
    }

    @Test
    void renewal_keepsTheSubject_andMayDropButNeverAddSans() {
        NameRule r = NameRule.sameAs("O=Example,CN=alice", List.of("dns:alice.example.com", "email:alice@example.com"));
        check(r, "CN=alice,O=Example", "dns:alice.example.com");
        check(r, "CN=alice,O=Example");
        assertThatThrownBy(() -> check(r, "CN=bob,O=Example")).isInstanceOf(PolicyViolationException.class);
        assertThatThrownBy(() -> check(r, "CN=alice,O=Example", "dns:admin.example.com"))
                .isInstanceOf(PolicyViolationException.class);
    }
}
