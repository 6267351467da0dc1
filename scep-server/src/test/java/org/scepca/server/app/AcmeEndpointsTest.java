package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.scepca.acme.Dns01Validator;
import org.scepca.acme.Http01Validator;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.endpoint.AcmeOptions;

/** Which validators an ACME endpoint's acme-challenges gives it, and a type this build cannot validate. */
class AcmeEndpointsTest {
    private static AcmeOptions options(String... challenges) {
        return new AcmeOptions(URI.create("http://ca.example.org"), Set.of(challenges), false, 80, Optional.empty(),
                Optional.empty());
    }

    @Test
    void theConfiguredChallengeTypesInAStableOrder() {
        var v = AcmeEndpoints.validators("web", options("dns-01", "http-01"));
        assertThat(v.keySet()).containsExactly("http-01", "dns-01");
        assertThat(v.get("http-01")).isInstanceOf(Http01Validator.class);
        assertThat(v.get("dns-01")).isInstanceOf(Dns01Validator.class);
        assertThat(AcmeEndpoints.validators("web", options("dns-01")).keySet()).containsExactly("dns-01");
    }

    @Test
    void deviceAttestationIsNotWiredInYetAndSaysSoNamingTheKey() {
        assertThatThrownBy(() -> AcmeEndpoints.validators("web", options("http-01", "device-attest-01")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("endpoint.web.acme-challenges: device-attest-01 is not available");
    }
}
