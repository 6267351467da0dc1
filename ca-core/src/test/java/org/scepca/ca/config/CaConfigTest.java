package org.scepca.ca.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class CaConfigTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsAreSafe() {
        var c = CaConfig.defaults();
        assertThat(c.policy().minRsaBits()).isEqualTo(2048);
        assertThat(c.allowSingleDes()).isFalse();
        assertThat(c.staticChallenge()).isEmpty();
        assertThat(c.policy().allowIntuneSid()).isFalse();
    }

    @Test
    void unknownKeyIsAnError() {
        assertThatThrownBy(() -> CaConfig.from(props("policy.validity", "30")))
                .hasMessageStartingWith("unknown configuration key 'policy.validity'");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> CaConfig.from(props("policy.validity-days", "abc"))).hasMessageContaining("policy.validity-days");
        assertThatThrownBy(() -> CaConfig.from(props("policy.rsa-min-bits", "1024"))).hasMessageContaining("between 2048");
        assertThatThrownBy(() -> CaConfig.from(props("public-base-url", "ftp://x"))).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> CaConfig.from(props("scep.static-challenge", "short"))).hasMessageContaining("16 characters");
    }

    @Test
    void requestLimitsAndMinimumValidityAreConfigurableAndBounded() {
        var c = CaConfig.from(props("policy.max-sans", "5", "policy.max-subject-length", "300", "policy.min-validity-days", "7"));
        assertThat(c.policy().limits().maxSans()).isEqualTo(5);
        assertThat(c.policy().limits().maxSubjectLength()).isEqualTo(300);
        assertThat(c.policy().minRemaining()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(CaConfig.defaults().policy().minRemaining()).isEqualTo(java.time.Duration.ofDays(1));
        // Never as large as the store's columns (subject_dn VARCHAR(1024), sans VARCHAR(8192)).
        assertThatThrownBy(() -> CaConfig.from(props("policy.max-subject-length", "1024")))
                .hasMessageContaining("policy.max-subject-length must be between 1 and 1000");
        assertThatThrownBy(() -> CaConfig.from(props("policy.max-sans-length", "8192")))
                .hasMessageContaining("policy.max-sans-length");
        assertThatThrownBy(() -> CaConfig.from(props("policy.max-csr-bytes", "100")))
                .hasMessageContaining("policy.max-csr-bytes");
        assertThatThrownBy(() -> CaConfig.from(props("policy.validity-days", "30", "policy.min-validity-days", "31")))
                .hasMessageContaining("policy.min-validity-days must be between 0 and 30");
    }

    @Test
    void staticChallengeNeverAppearsInToString() {
        var c = CaConfig.from(props("scep.static-challenge", "very-secret-static-challenge"));
        assertThat(c.toString()).doesNotContain("very-secret");
    }
}
