package org.scepca.intune;

import org.scepca.ca.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.scepca.intune.fake.FakeIntune;
import org.scepca.intune.fake.FakeIntune.Recorded;
import org.scepca.intune.fake.FakeIntune.Route;

/**
 * Tokens (MSAL4J, client credentials, cached per audience), Graph discovery (cached, refreshed when a service
 * moves), and the hosts contacted: only the configured ones, also for a national cloud.
 */
class IntuneTokensAndDiscoveryTest extends WithFakeIntune {

    @Test
    void twoValidations_costOneTokenPerAudience_andOneDiscovery() throws Exception {
        client = Fixture.client(fake, dir);

        client.validate("tx-1", CSR, CALLER);
        client.validate("tx-2", CSR, CALLER);
        client.notifyFailure("tx-2", CSR, 0x80004005L, "refused by policy", CALLER);

        assertThat(fake.tokenRequests(fake.graphScope())).isEqualTo(1);
        assertThat(fake.tokenRequests(fake.intuneScope())).isEqualTo(1);
        assertThat(fake.intuneScope()).isEqualTo("https://api.manage.microsoft.com//.default");
        assertThat(fake.count(Route.TOKEN)).isEqualTo(2);
        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(1);
        // Graph got the Graph token and Intune the Intune token (the fake refuses a token of the wrong audience).
        String graphToken = fake.requests(Route.DISCOVERY).get(0).header("Authorization");
        assertThat(fake.requests(Route.VALIDATE)).allSatisfy(r ->
                assertThat(r.header("Authorization")).isNotEqualTo(graphToken));
    }

    @Test
    void tokens_areRenewedFiveMinutesBeforeTheyExpire() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now()) /* MSAL stamps token expiry with the system clock */;
        client = Fixture.client(fake, dir, clock, "intune.discovery-cache-minutes=1440");
        client.validate("tx-1", CSR, CALLER);

        clock.advance(Duration.ofMinutes(54)); // the fake's tokens last 3599 s
        client.validate("tx-2", CSR, CALLER);
        assertThat(fake.tokenRequests(fake.intuneScope())).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        client.validate("tx-3", CSR, CALLER);
        assertThat(fake.tokenRequests(fake.intuneScope())).isEqualTo(2);
    }

    @Test
    void discovery_isCachedForItsLifetime_thenAskedAgain() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now()) /* MSAL stamps token expiry with the system clock */;
        client = Fixture.client(fake, dir, clock, "intune.discovery-cache-minutes=60");

        client.validate("tx-1", CSR, CALLER);
        clock.advance(Duration.ofMinutes(59));
        client.validate("tx-2", CSR, CALLER);
        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        client.validate("tx-3", CSR, CALLER);
        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(2);
    }

    @Test
    void serviceMoved_404_discoversAgainOnce_andSucceeds() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=0");
        client.validate("tx-1", CSR, CALLER);
        fake.moveServices();

        assertThat(client.validate("tx-2", CSR, CALLER).success()).isTrue();

        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(2);
        List<String> paths = fake.requests(Route.VALIDATE).stream().map(Recorded::path).toList();
        assertThat(paths).containsExactly("/v1/ScepRequestValidationFEService/ScepActions/validateRequest",
                "/v1/ScepRequestValidationFEService/ScepActions/validateRequest",
                "/v2/ScepRequestValidationFEService/ScepActions/validateRequest");
    }

    @Test
    void tokenNoLongerAccepted_401_getsANewTokenAndDiscoversAgain() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=0");
        client.validate("tx-1", CSR, CALLER);
        fake.revokeTokens();

        assertThat(client.validate("tx-2", CSR, CALLER).success()).isTrue();

        assertThat(fake.tokenRequests(fake.intuneScope())).isEqualTo(2);
        assertThat(fake.tokenRequests(fake.graphScope())).isEqualTo(2);
        // tx-1's discovery, then one refused with the revoked Graph token, then one with the new token.
        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(3);
    }

    @Test
    void nationalCloud_onlyTheConfiguredHostsAreContacted_withItsIntuneResource() throws Exception {
        fake.close();
        fake = FakeIntune.start("https://api.manage.microsoft.us/");
        // Login on one host name, Graph (and the services it lists) on another: both are this fake.
        String login = "https://localhost:" + fake.port();
        RecordingProxySelector seen = new RecordingProxySelector();
        ProxySelector previous = ProxySelector.getDefault();
        ProxySelector.setDefault(seen);
        try {
            client = Fixture.client(fake, dir, "intune.login-url=" + login,
                    "intune.resource-url=https://api.manage.microsoft.us/");
            assertThat(client.validate("tx", CSR, CALLER).success()).isTrue();
        } finally {
            ProxySelector.setDefault(previous);
        }

        assertThat(fake.tokenRequests("https://api.manage.microsoft.us//.default")).isEqualTo(1);
        assertThat(fake.requests(Route.TOKEN)).extracting(Recorded::host).containsOnly("localhost:" + fake.port());
        assertThat(fake.requests(Route.DISCOVERY)).extracting(Recorded::host).containsOnly("127.0.0.1:" + fake.port());
        // Every connection MSAL and our HTTP client opened went through the selector: no other host (no instance
        // discovery at login.microsoftonline.com, no OIDC metadata elsewhere).
        assertThat(seen.hosts()).containsExactlyInAnyOrder("localhost:" + fake.port(), "127.0.0.1:" + fake.port());
    }

    @Test
    void certificateCredential_signsAClientAssertionInsteadOfSendingASecret() throws Exception {
        char[] password = "p12-password".toCharArray();
        fake.trustClientCertificate(TestCerts.clientCertificateFile(dir.resolve("app.p12"), password));
        Files.writeString(dir.resolve("app.p12.password"), "p12-password\n");
        var p = fake.properties(dir);
        p.remove("intune.client-secret-file");
        p.setProperty("intune.client-certificate-file", "app.p12");
        p.setProperty("intune.client-certificate-password-file", "app.p12.password");
        client = IntuneClient.builder(IntuneConfig.from(p, dir).orElseThrow()).sslContext(fake.clientSslContext())
                .build();

        assertThat(client.validate("tx", CSR, CALLER).success()).isTrue();

        assertThat(fake.requests(Route.TOKEN)).allSatisfy(r -> assertThat(r.body())
                .contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer")
                .contains("client_assertion=").doesNotContain("client_secret"));
    }

    @Test
    void checkReachable_getsBothTokensAndFindsTheValidationService() throws Exception {
        client = Fixture.client(fake, dir);

        client.checkReachable();

        assertThat(fake.count(Route.DISCOVERY)).isEqualTo(1);
        assertThat(fake.tokenRequests(fake.graphScope())).isEqualTo(1);
        assertThat(fake.tokenRequests(fake.intuneScope())).isEqualTo(1);
        assertThat(fake.count(Route.VALIDATE)).isZero();
    }

    @Test
    void theSecretNeverAppearsOutsideTheTokenRequest() throws Exception {
        client = Fixture.client(fake, dir);
        String secret = Files.readString(dir.resolve("intune-secret")).strip();

        client.validate("tx", CSR, CALLER);

        assertThat(client.config().toString()).doesNotContain(secret);
        assertThat(fake.requests()).filteredOn(r -> r.route() != Route.TOKEN)
                .allSatisfy(r -> assertThat(r.toString()).doesNotContain(secret));
    }

    /** Records the host of every connection the JDK opens through the default selector; never proxies. */
    static final class RecordingProxySelector extends ProxySelector {
        private final List<URI> uris = new CopyOnWriteArrayList<>();

        @Override
        public List<Proxy> select(URI uri) {
            uris.add(uri);
            return List.of(Proxy.NO_PROXY);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        }

        Set<String> hosts() {
            return uris.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.toSet());
        }
    }
}
