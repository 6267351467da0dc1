package org.scepca.ca.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

/** {@code endpoint.NAME.protocol=acme} and its keys: what is accepted, and every refusal naming its key. */
class AcmeEndpointConfigTest {
    private static Endpoints endpoints(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return CaConfig.from(p).endpoints();
    }

    private static void refused(String message, String... kv) {
        assertThatThrownBy(() -> endpoints(kv)).isInstanceOf(InvalidConfigException.class).hasMessageContaining(message);
    }

    @Test
    void anAcmeEndpointWithItsDefaults() {
        EnrollmentEndpoint web = endpoints("public-base-url", "http://ca.example.org/", "endpoint.web.protocol", "acme",
                "endpoint.web.san-dns-pattern", "[a-z0-9.-]+\\.example\\.org").get("web");
        assertThat(web.isAcme()).isTrue();
        assertThat(web.authorization()).containsExactly(Authorization.ACME);
        AcmeOptions o = web.acme().orElseThrow();
        assertThat(o.challenges()).containsExactly("http-01");
        assertThat(o.allowPrivateTargets()).isFalse();
        assertThat(o.httpPort()).isEqualTo(80);
        assertThat(o.base("web")).isEqualTo("http://ca.example.org/acme/web");
        assertThat(web.path()).isEqualTo("/acme/web/directory");
        assertThat(web.auditName()).isEqualTo("acme/web");
        assertThat(web.policy().sanPatterns().get(org.scepca.ca.policy.SanType.DNS).pattern())
                .isEqualTo("[a-z0-9.-]+\\.example\\.org");
    }

    @Test
    void allAcmeKeys() {
        AcmeOptions o = endpoints("public-base-url", "http://ca.example.org", "endpoint.web.protocol", "ACME",
                "endpoint.web.acme-challenges", "http-01, dns-01", "endpoint.web.acme-allow-private-targets", "true",
                "endpoint.web.acme-http-port", "8080", "endpoint.web.acme-dns-resolver", "10.0.0.53:53",
                "endpoint.web.acme-base-url", "https://acme.example.org", "endpoint.web.acme-terms-of-service",
                "https://example.org/tos").get("web").acme().orElseThrow();
        assertThat(o.challenges()).containsExactlyInAnyOrder("http-01", "dns-01");
        assertThat(o.allowPrivateTargets()).isTrue();
        assertThat(o.httpPort()).isEqualTo(8080);
        assertThat(o.dnsResolver()).contains("10.0.0.53:53");
        assertThat(o.base("web")).isEqualTo("https://acme.example.org/acme/web");
        assertThat(o.termsOfService().orElseThrow()).hasToString("https://example.org/tos");
        assertThat(o.devicePolicy()).isEqualTo("allow-list");
    }

    @Test
    void deviceAttestationAdmitsTheAllowListUnlessToldAny() {
        AcmeOptions listed = endpoints("public-base-url", "https://ca.example.org", "endpoint.devices.protocol", "acme",
                "endpoint.devices.acme-challenges", "device-attest-01").get("devices").acme().orElseThrow();
        assertThat(listed.devicePolicy()).isEqualTo("allow-list");
        AcmeOptions any = endpoints("public-base-url", "https://ca.example.org", "endpoint.devices.protocol", "acme",
                "endpoint.devices.acme-challenges", "device-attest-01", "endpoint.devices.acme-device-policy", "Any")
                .get("devices").acme().orElseThrow();
        assertThat(any.devicePolicy()).isEqualTo("any");
        refused("endpoint.devices.acme-device-policy must be allow-list or any, not 'everyone'", "public-base-url",
                "https://ca.example.org", "endpoint.devices.protocol", "acme", "endpoint.devices.acme-challenges",
                "device-attest-01", "endpoint.devices.acme-device-policy", "everyone");
        refused("endpoint.web.acme-device-policy applies to device-attest-01", "public-base-url",
                "https://ca.example.org", "endpoint.web.protocol", "acme", "endpoint.web.acme-device-policy", "any");
    }

    @Test
    void theAllowListCanBeFedFromJamf_onlyForDeviceAttestationWithTheAllowList() {
        assertThat(endpoints("public-base-url", "https://ca.example.org", "endpoint.devices.protocol", "acme",
                "endpoint.devices.acme-challenges", "device-attest-01").get("devices").acme().orElseThrow()
                .deviceListFromJamf()).isFalse();
        assertThat(endpoints("public-base-url", "https://ca.example.org", "endpoint.devices.protocol", "acme",
                "endpoint.devices.acme-challenges", "device-attest-01", "endpoint.devices.acme-device-list-from", " Jamf")
                .get("devices").acme().orElseThrow().deviceListFromJamf()).isTrue();
        refused("endpoint.devices.acme-device-list-from must be jamf", "public-base-url", "https://ca.example.org",
                "endpoint.devices.protocol", "acme", "endpoint.devices.acme-challenges", "device-attest-01",
                "endpoint.devices.acme-device-list-from", "intune");
        refused("endpoint.devices.acme-device-list-from feeds the allow-list", "public-base-url",
                "https://ca.example.org", "endpoint.devices.protocol", "acme", "endpoint.devices.acme-challenges",
                "device-attest-01", "endpoint.devices.acme-device-policy", "any", "endpoint.devices.acme-device-list-from",
                "jamf");
        refused("endpoint.web.acme-device-list-from feeds the allow-list", "public-base-url",
                "https://ca.example.org", "endpoint.web.protocol", "acme", "endpoint.web.acme-device-list-from", "jamf");
    }

    @Test
    void refusals() {
        refused("endpoint.web.protocol=acme needs public-base-url", "endpoint.web.protocol", "acme");
        refused("endpoint.web.protocol must be scep or acme", "endpoint.web.protocol", "est",
                "endpoint.web.auth", "one-time");
        refused("endpoint.default.protocol", "public-base-url", "http://ca.example.org",
                "endpoint.default.protocol", "acme");
        refused("endpoint.web.auth is a SCEP enrollment key", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.auth", "one-time");
        refused("endpoint.web.approval is a SCEP enrollment key", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.approval", "manual");
        refused("endpoint.web.acme-challenges: unknown challenge type 'tls-alpn-01'", "public-base-url",
                "http://ca.example.org", "endpoint.web.protocol", "acme", "endpoint.web.acme-challenges", "tls-alpn-01");
        refused("endpoint.web.acme-challenges must name at least one", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.acme-challenges", " , ");
        refused("endpoint.web.acme-http-port", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.acme-http-port", "0");
        refused("endpoint.web.acme-allow-private-targets", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.acme-allow-private-targets", "maybe");
        refused("endpoint.web.acme-base-url must be an http(s) URL", "endpoint.web.protocol", "acme",
                "endpoint.web.acme-base-url", "ftp://ca.example.org");
        refused("endpoint.web.acme-dns-resolver", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.acme-dns-resolver", "8.8.8.8; rm -rf");
        refused("endpoint.web.san-types does not allow dns", "public-base-url", "http://ca.example.org",
                "endpoint.web.protocol", "acme", "endpoint.web.san-types", "email");
        // ACME keys on a SCEP endpoint, and an ACME "auth" by hand.
        refused("endpoint.phones.acme-challenges is for ACME endpoints", "endpoint.phones.auth", "one-time",
                "endpoint.phones.acme-challenges", "http-01");
        refused("endpoint.phones.auth: unknown 'acme'", "endpoint.phones.auth", "acme");
        refused("unknown configuration key 'endpoint.web.acme-eab'", "endpoint.web.acme-eab", "x");
    }
}
