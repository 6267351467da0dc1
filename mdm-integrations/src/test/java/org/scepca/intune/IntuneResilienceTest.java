package org.scepca.intune;

import org.scepca.ca.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scepca.intune.IntuneUnavailableException.Kind;
import org.scepca.intune.fake.FakeIntune.Route;

/**
 * Intune's bad days: 5xx, 429, slow answers, a dead host, wrong credentials. Retries are bounded, an outage opens
 * the circuit so that calls fail at once without reaching Intune, and one probe closes it again.
 */
class IntuneResilienceTest extends WithFakeIntune {

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void transient5xx_isRetried_thenSucceeds(int status) throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2");
        fake.failNext(Route.VALIDATE, 2, status);

        assertThat(client.validate("tx", CSR, CALLER).success()).isTrue();

        assertThat(fake.count(Route.VALIDATE)).isEqualTo(3);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void persistent5xx_isUnavailable_afterTheConfiguredRetries() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2");
        fake.failAlways(Route.VALIDATE, 503);

        IntuneUnavailableException e = unavailable(() -> client.validate("tx", CSR, CALLER));

        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e).hasMessageContaining("HTTP 503");
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(3);
    }

    @Test
    void clientError_isNotRetried() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2");
        fake.failNext(Route.VALIDATE, 1, 400);

        assertThat(unavailable(() -> client.validate("tx", CSR, CALLER)).kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(1);
    }

    @Test
    void forbidden_isNotRetried_andHintsAtThePermissions() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2");
        fake.failNext(Route.VALIDATE, 1, 403);

        assertThat(unavailable(() -> client.validate("tx", CSR, CALLER)))
                .hasMessageContaining("HTTP 403").hasMessageContaining("scep_challenge_provider");
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(1);
    }

    @Test
    void tooManyRequests_waitsForRetryAfter_thenSucceeds() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=1", "intune.timeout-seconds=5");
        fake.failNext(Route.VALIDATE, 1, 429, "1");

        assertThat(client.validate("tx", CSR, CALLER).success()).isTrue();
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(2);
    }

    @Test
    void retryAfterBeyondTheTimeout_isNotWaitedFor() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2", "intune.timeout-seconds=2");
        fake.failNext(Route.VALIDATE, 1, 503, "3600");

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertThat(unavailable(() -> client.validate("tx", CSR, CALLER))).hasMessageContaining("HTTP 503");
        });
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(1);
    }

    @Test
    void slowIntune_timesOut_andIsUnavailable() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=1", "intune.timeout-seconds=1");
        client.checkReachable(); // token and discovery first: only the validation is slow
        fake.delayAlways(Route.VALIDATE, Duration.ofSeconds(20));

        IntuneUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> unavailable(() -> client.validate("tx", CSR, CALLER)));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(2);
    }

    @Test
    void slowTokenEndpoint_timesOut_too() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=0", "intune.timeout-seconds=1");
        fake.delayAlways(Route.TOKEN, Duration.ofSeconds(20));

        IntuneUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> unavailable(() -> client.validate("tx", CSR, CALLER)));

        assertThat(e.kind()).isIn(Kind.TIMEOUT, Kind.TOKEN);
        assertThat(fake.count(Route.VALIDATE)).isZero();
    }

    @Test
    void tokenEndpoint5xx_isRetried() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=2");
        fake.failNext(Route.TOKEN, 1, 503);

        assertThat(client.validate("tx", CSR, CALLER).success()).isTrue();
        assertThat(fake.count(Route.TOKEN)).isEqualTo(3); // the failed one, then Graph's and Intune's
    }

    @Test
    void wrongSecret_isATokenFailure_notRetried_andNeverShowsTheSecret() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("wrong-secret"), "not-the-secret-value");
        client = Fixture.client(fake, dir, "intune.client-secret-file=wrong-secret", "intune.retries=2");

        IntuneUnavailableException e = unavailable(client::checkReachable);

        assertThat(e.kind()).isEqualTo(Kind.TOKEN);
        assertThat(e).hasMessageContaining("invalid_client").hasMessageNotContaining("not-the-secret-value");
        assertThat(fake.count(Route.TOKEN)).isEqualTo(1);
    }

    @Test
    void deadHost_isATransportFailure() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=1");
        fake.close();

        assertThat(unavailable(() -> client.validate("tx", CSR, CALLER)).kind()).isIn(Kind.TOKEN, Kind.TRANSPORT);
    }

    @Test
    void circuitOpensAfterTheThreshold_thenFailsFastWithoutContactingIntune() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=1", "intune.breaker-failure-threshold=2");
        client.checkReachable();
        fake.failAlways(Route.VALIDATE, 503);
        unavailable(() -> client.validate("tx-1", CSR, CALLER));
        unavailable(() -> client.validate("tx-2", CSR, CALLER));
        int seen = fake.count();

        IntuneUnavailableException e = unavailable(() -> client.validate("tx-3", CSR, CALLER));

        assertThat(e.kind()).isEqualTo(Kind.CIRCUIT_OPEN);
        assertThat(e).hasMessageStartingWith("circuit open");
        assertThat(client.validationCircuitOpen()).isTrue();
        assertThat(fake.count()).as("nothing reaches Intune while the circuit is open").isEqualTo(seen);
        // The PKI connector has its own circuit: revocation sync does not shut enrollments out, nor the reverse.
        assertThat(client.downloadRevocationRequests(10, "CN=Test Issuing CA")).isEmpty();
    }

    @Test
    void openCircuit_letsOneProbeThroughAfterTheOpenPeriod_andClosesWhenItSucceeds() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now()) /* MSAL stamps token expiry with the system clock */;
        client = Fixture.client(fake, dir, clock, "intune.retries=0", "intune.breaker-failure-threshold=2",
                "intune.breaker-open-seconds=30");
        fake.failAlways(Route.VALIDATE, 500);
        unavailable(() -> client.validate("tx-1", CSR, CALLER));
        unavailable(() -> client.validate("tx-2", CSR, CALLER));
        assertThat(client.validationCircuitOpen()).isTrue();
        fake.heal();

        clock.advance(Duration.ofSeconds(10));
        assertThat(unavailable(() -> client.validate("tx-3", CSR, CALLER)).kind()).isEqualTo(Kind.CIRCUIT_OPEN);

        clock.advance(Duration.ofSeconds(21));
        int before = fake.count(Route.VALIDATE);
        assertThat(client.validate("tx-4", CSR, CALLER).success()).isTrue();
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(before + 1);
        assertThat(client.validationCircuitOpen()).isFalse();
        assertThat(client.validate("tx-5", CSR, CALLER).success()).isTrue();
    }

    @Test
    void failedProbe_opensTheCircuitAgain() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now()) /* MSAL stamps token expiry with the system clock */;
        client = Fixture.client(fake, dir, clock, "intune.retries=0", "intune.breaker-failure-threshold=1",
                "intune.breaker-open-seconds=5");
        fake.failAlways(Route.VALIDATE, 500);
        unavailable(() -> client.validate("tx-1", CSR, CALLER));
        clock.advance(Duration.ofSeconds(6));

        assertThat(unavailable(() -> client.validate("tx-2", CSR, CALLER)).kind()).isEqualTo(Kind.HTTP_STATUS);
        int seen = fake.count();
        assertThat(unavailable(() -> client.validate("tx-3", CSR, CALLER)).kind()).isEqualTo(Kind.CIRCUIT_OPEN);
        assertThat(fake.count()).isEqualTo(seen);
    }

    @Test
    void refusals_doNotOpenTheCircuit() throws Exception {
        client = Fixture.client(fake, dir, "intune.breaker-failure-threshold=1");
        fake.answerValidation("tx-1", "ChallengeExpired", "");
        fake.answerValidation("tx-2", "ChallengeExpired", "");

        assertThat(client.validate("tx-1", CSR, CALLER).success()).isFalse();
        assertThat(client.validate("tx-2", CSR, CALLER).success()).isFalse();
        assertThat(client.validationCircuitOpen()).isFalse();
    }

    @Test
    void oversizedAnswer_isCutOff_andAProtocolFailure() throws Exception {
        client = Fixture.client(fake, dir);
        fake.oversizeNext(Route.VALIDATE);

        assertThat(unavailable(() -> client.validate("tx", CSR, CALLER)))
                .hasMessageContaining("more than 1048576 bytes")
                .extracting(IntuneUnavailableException::kind).isEqualTo(Kind.PROTOCOL);
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(1);
    }

    @Test
    void notJsonOrNoCode_isAProtocolFailure() throws Exception {
        client = Fixture.client(fake, dir);
        fake.failNext(Route.DOWNLOAD_REVOCATIONS, 1, 200); // the fake's error body: JSON without 'value'

        assertThat(unavailable(() -> client.downloadRevocationRequests(10, "CN=x")).kind()).isEqualTo(Kind.PROTOCOL);
        fake.failNext(Route.VALIDATE, 1, 200); // JSON without 'code'
        assertThat(unavailable(() -> client.validate("tx", CSR, CALLER)).kind()).isEqualTo(Kind.PROTOCOL);
    }
}
