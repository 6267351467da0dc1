package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.Dns01Validator;
import org.scepca.acme.Http01Validator;
import org.scepca.acme.attest.DeviceAttest01Validator;
import org.scepca.ca.endpoint.AcmeOptions;
import org.scepca.ca.store.Database;

/** Which validators an ACME endpoint's acme-challenges gives it. */
class AcmeEndpointsTest {
    @TempDir
    Path tmp;

    private static AcmeOptions options(String devicePolicy, String... challenges) {
        return new AcmeOptions(URI.create("http://ca.example.org"), Set.of(challenges), false, 80, Optional.empty(),
                Optional.empty(), devicePolicy);
    }

    @Test
    void theConfiguredChallengeTypesInAStableOrder() throws Exception {
        try (Database db = Database.openH2(tmp.resolve("db"), tmp.resolve("db-password"), 2)) {
            var v = AcmeEndpoints.validators("web", options("allow-list", "dns-01", "http-01"), db, Clock.systemUTC());
            assertThat(v.keySet()).containsExactly("http-01", "dns-01");
            assertThat(v.get("http-01")).isInstanceOf(Http01Validator.class);
            assertThat(v.get("dns-01")).isInstanceOf(Dns01Validator.class);
            assertThat(AcmeEndpoints.validators("web", options("any", "dns-01"), db, Clock.systemUTC()).keySet())
                    .containsExactly("dns-01");
        }
    }

    @Test
    void deviceAttestationIsApplesValidator() throws Exception {
        try (Database db = Database.openH2(tmp.resolve("db"), tmp.resolve("db-password"), 2)) {
            var v = AcmeEndpoints.validators("devices", options("allow-list", "device-attest-01", "http-01"), db,
                    Clock.systemUTC());
            assertThat(v.keySet()).containsExactly("http-01", "device-attest-01");
            assertThat(v.get("device-attest-01")).isInstanceOf(DeviceAttest01Validator.class);
        }
    }

    @Test
    void theDevicePolicyDefaultsToTheAllowList_andRefusesOtherValues() {
        assertThat(new AcmeOptions(URI.create("http://ca.example.org"), Set.of("device-attest-01"), false, 80,
                Optional.empty(), Optional.empty()).devicePolicy()).isEqualTo("allow-list");
        assertThatThrownBy(() -> options("everyone", "device-attest-01")).isInstanceOf(IllegalArgumentException.class);
    }
}
