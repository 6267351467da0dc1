package org.scepca.intune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.ca.audit.AuditLine;
import org.scepca.intune.IntuneRevocationSync.Summary;
import org.scepca.intune.Revoker.Outcome;
import org.scepca.intune.fake.FakeIntune.Route;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Revocation requests from Intune's PKI connector, end to end against the fake, with a revoker over an in-memory
 * certificate table: results and their codes, the audit lines, idempotence when an upload is lost, batches.
 */
class IntuneRevocationSyncTest extends WithFakeIntune {
    static final String ISSUER = "CN=Test Issuing CA";
    static final ObjectMapper JSON = new ObjectMapper();

    InMemoryRevoker revoker;
    ListAppender<ILoggingEvent> audit;

    /** Serial → revoked?; a serial in {@code flaky} fails its first revocation. */
    static final class InMemoryRevoker implements Revoker {
        final Map<BigInteger, Boolean> certificates = new ConcurrentHashMap<>();
        final Map<BigInteger, AtomicInteger> flaky = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Outcome revoke(BigInteger serial, String issuerName) {
            calls.incrementAndGet();
            if (issuerName != null && !ISSUER.equals(issuerName)) {
                return Outcome.NOT_OURS;
            }
            AtomicInteger f = flaky.get(serial);
            if (f != null && f.getAndIncrement() == 0) {
                throw new IllegalStateException("database busy");
            }
            Boolean revoked = certificates.get(serial);
            if (revoked == null) {
                return Outcome.NOT_FOUND;
            }
            return Boolean.TRUE.equals(certificates.put(serial, true)) ? Outcome.ALREADY_REVOKED : Outcome.REVOKED;
        }
    }

    @BeforeEach
    void start() throws Exception {
        client = Fixture.client(fake, dir, "intune.retries=1");
        revoker = new InMemoryRevoker();
        revoker.certificates.put(new BigInteger("a1", 16), false);
        revoker.certificates.put(new BigInteger("b2", 16), true);
        revoker.certificates.put(new BigInteger("c3", 16), false);
        Logger logger = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
        audit = new ListAppender<>();
        audit.start();
        logger.addAppender(audit);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(AuditLine.LOGGER)).detachAppender(audit);
    }

    private IntuneRevocationSync sync(int batchSize) {
        return new IntuneRevocationSync(client, revoker, ISSUER, batchSize);
    }

    private Map<String, JsonNode> uploadedByContext() {
        Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
        fake.uploadedResults().forEach(r -> m.put(r.get("requestContext").asText(), r));
        return m;
    }

    private List<Map<String, String>> auditLines() {
        return audit.list.stream().map(e -> AuditLine.parse(e.getFormattedMessage()))
                .filter(m -> "intune-revoke".equals(m.get("op"))).toList();
    }

    @Test
    void revokesWhatIntuneAsks_reportsEachOutcomeWithMicrosoftsCodes_andAuditsEachRequest() throws Exception {
        fake.queueRevocation("ctx-revoke", "A1", ISSUER, "scepca")
                .queueRevocation("ctx-already", "00b2", ISSUER, "scepca")
                .queueRevocation("ctx-unknown", "d4", ISSUER, "scepca")
                .queueRevocation("ctx-garbage", "not-hex", ISSUER, "scepca");

        Summary s = sync(100).runOnce();

        assertThat(s).isEqualTo(new Summary(4, 1, 1, 2, 0));
        assertThat(revoker.certificates.get(new BigInteger("a1", 16))).isTrue();
        Map<String, JsonNode> up = uploadedByContext();
        assertThat(up.get("ctx-revoke")).isEqualTo(JSON.readTree(
                "{\"requestContext\":\"ctx-revoke\",\"succeeded\":true,\"errorCode\":\"0\",\"errorMessage\":null}"));
        assertThat(up.get("ctx-already").get("succeeded").asBoolean()).isTrue();
        assertThat(up.get("ctx-unknown").get("errorCode").asText()).isEqualTo("4004");
        assertThat(up.get("ctx-unknown").get("succeeded").asBoolean()).isFalse();
        assertThat(up.get("ctx-garbage").get("errorCode").asText()).isEqualTo("4002");
        assertThat(fake.pendingRevocations()).isEmpty();

        JsonNode download = JSON.readTree(fake.requests(Route.DOWNLOAD_REVOCATIONS).get(0).body());
        assertThat(download).isEqualTo(JSON.readTree(
                "{\"downloadParameters\":{\"maxRequests\":100,\"issuerName\":\"" + ISSUER + "\"}}"));
        assertThat(fake.requests(Route.DOWNLOAD_REVOCATIONS).get(0).header("api-version")).isEqualTo("5019-05-05");
        assertThat(fake.requests(Route.UPLOAD_REVOCATIONS).get(0).header("api-version")).isEqualTo("5019-05-05");

        List<Map<String, String>> lines = auditLines();
        assertThat(lines).extracting(m -> m.get("outcome"))
                .containsExactly("revoked", "already-revoked", "not-found", "invalid-serial");
        assertThat(lines.get(0)).containsEntry("serial", "a1").containsEntry("code", "0")
                .containsEntry("request-context", "ctx-revoke").containsEntry("issuer", ISSUER)
                .containsEntry("reported", "yes").containsEntry("actor", "intune:revocation-sync")
                .containsKeys("txid", "endpoint", "subject", "device");
        assertThat(lines.get(2)).containsEntry("code", "4004");
    }

    @Test
    void temporaryFailure_isReportedRetryable_andTheNextRunRevokes() {
        revoker.flaky.put(new BigInteger("c3", 16), new AtomicInteger());
        fake.queueRevocation("ctx-flaky", "c3", ISSUER, "scepca");

        Summary first = sync(1).runOnce(); // a full batch: the run asks again and gets the same request back

        assertThat(first.retryable()).isEqualTo(1);
        assertThat(uploadedByContext().get("ctx-flaky").get("errorCode").asText()).isEqualTo("4100");
        assertThat(fake.pendingRevocations()).containsExactly("ctx-flaky");
        // Intune sent it again at once; the run stopped there instead of looping on it.
        assertThat(fake.count(Route.DOWNLOAD_REVOCATIONS)).isEqualTo(2);

        Summary second = sync(100).runOnce();

        assertThat(second.revoked()).isEqualTo(1);
        assertThat(fake.pendingRevocations()).isEmpty();
        assertThat(revoker.certificates.get(new BigInteger("c3", 16))).isTrue();
    }

    @Test
    void lostUpload_isRepeatedByTheNextRun_whichFindsTheCertificateAlreadyRevoked() {
        fake.queueRevocation("ctx-1", "a1", ISSUER, "scepca");
        fake.failNext(Route.UPLOAD_REVOCATIONS, 2, 503); // retries=1: both attempts fail

        assertThatThrownBy(() -> sync(100).runOnce()).isInstanceOf(IntuneUnavailableException.class);

        assertThat(revoker.certificates.get(new BigInteger("a1", 16))).isTrue();
        assertThat(fake.pendingRevocations()).containsExactly("ctx-1");
        assertThat(auditLines()).singleElement().satisfies(m -> assertThat(m)
                .containsEntry("outcome", "revoked").containsEntry("reported", "no"));

        Summary again = sync(100).runOnce();

        assertThat(again.alreadyRevoked()).isEqualTo(1);
        assertThat(uploadedByContext().get("ctx-1").get("succeeded").asBoolean()).isTrue();
        assertThat(fake.pendingRevocations()).isEmpty();
    }

    @Test
    void onlyRequestsForOurIssuerAreDownloaded_andAForeignIssuerIsNotOurs() {
        fake.queueRevocation("ctx-ours", "a1", ISSUER, "scepca")
                .queueRevocation("ctx-other-ca", "a1", "CN=Another CA", "adcs01\\Another CA");

        sync(100).runOnce();

        assertThat(fake.pendingRevocations()).containsExactly("ctx-other-ca");
        assertThat(revoker.calls.get()).isEqualTo(1);
    }

    @Test
    void notOurs_isReportedAsCertificateNotFound() {
        fake.queueRevocation("ctx-1", "a1", ISSUER, "scepca");

        new IntuneRevocationSync(client, (serial, issuer) -> Outcome.NOT_OURS, ISSUER, 10).runOnce();

        assertThat(uploadedByContext().get("ctx-1").get("errorCode").asText()).isEqualTo("4004");
        assertThat(auditLines()).singleElement().satisfies(m -> assertThat(m).containsEntry("outcome", "not-ours"));
    }

    @Test
    void manyRequests_areFetchedInBatches() {
        for (int i = 0; i < 7; i++) {
            BigInteger serial = BigInteger.valueOf(0x1000 + i);
            revoker.certificates.put(serial, false);
            fake.queueRevocation("ctx-" + i, serial.toString(16), ISSUER, "scepca");
        }

        Summary s = sync(3).runOnce();

        assertThat(s.revoked()).isEqualTo(7);
        assertThat(fake.count(Route.DOWNLOAD_REVOCATIONS)).isEqualTo(3); // 3 + 3 + 1
        assertThat(fake.count(Route.UPLOAD_REVOCATIONS)).isEqualTo(3);
        assertThat(fake.pendingRevocations()).isEmpty();
    }

    @Test
    void nothingToDo_downloadsOnce_andUploadsNothing() {
        assertThat(sync(100).runOnce()).isEqualTo(new Summary(0, 0, 0, 0, 0));
        assertThat(fake.count(Route.DOWNLOAD_REVOCATIONS)).isEqualTo(1);
        assertThat(fake.count(Route.UPLOAD_REVOCATIONS)).isZero();
    }

    @Test
    void run_neverThrows_whenIntuneIsDown() {
        fake.failAlways(Route.DOWNLOAD_REVOCATIONS, 503);
        sync(100).run();
        assertThat(revoker.calls.get()).isZero();
    }

    @Test
    void constructorRefusesABlankIssuerOrAnOutOfRangeBatch() {
        assertThatThrownBy(() -> new IntuneRevocationSync(client, revoker, " ", 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IntuneRevocationSync(client, revoker, ISSUER, 501))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
