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
    void staticChallengeNeverAppearsInToString() {
        var c = CaConfig.from(props("scep.static-challenge", "very-secret-static-challenge"));
        assertThat(c.toString()).doesNotContain("very-secret");
    }
}
