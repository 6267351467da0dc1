package org.scepca.ca.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ChallengeRecord;
import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.JdbcCertificateStore;
import org.scepca.ca.store.JdbcChallengeStore;
import org.scepca.ca.tokens.AdminRole;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The outbox on a real H2 file store: events commit with the change they report, or not at all. */
class EventOutboxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SerialNumbers serials = new SerialNumbers(new SecureRandom());
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    @TempDir
    Path dir;
    Database db;
    JdbcCertificateStore certs;

    static Database open(Path dir) {
        return Database.openH2(dir.resolve("db"), dir.resolve("secrets/db-password"), 4);
    }

    @BeforeEach
    void openStore() {
        db = open(dir);
        certs = new JdbcCertificateStore(db, Optional.of(new EventOutbox(EnumSet.allOf(CaEvent.Type.class))));
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    static CertificateRecord cert(SerialNumbers serials, String cn, Instant at, Optional<String> txid) {
        return new CertificateRecord(serials.next(), "CN=Issuer", "CN=" + cn + ",O=Acme", List.of("dns:" + cn + ".acme.test"),
                at.minusSeconds(60), at.plus(Duration.ofDays(30)), CertificateStatus.VALID, Optional.empty(),
                Optional.empty(), txid, "scep:10.0.0.7", CertificateProfile.CLIENT, at, "00".repeat(32), new byte[] {1});
    }

    /** Rows in insertion-time order: type and the parsed payload. */
    static List<JsonNode> events(Database db) {
        return db.inTransaction(c -> {
            List<JsonNode> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event_type, payload FROM event_outbox ORDER BY created_at, event_type");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonNode n = readTree(rs.getString(2));
                    assertThat(n.get("type").asText()).isEqualTo(rs.getString(1));
                    out.add(n);
                }
            }
            return out;
        });
    }

    static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void issuance_queuesOneIssuedEventWithTheCertificatesData() {
        CertificateRecord c = cert(serials, "mac-1", now, Optional.of("tx-1"));
        certs.insertIssued(c, IssuanceEffects.none());

        List<JsonNode> events = events(db);
        assertThat(events).hasSize(1);
        JsonNode e = events.get(0);
        assertThat(e.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(e.get("type").asText()).isEqualTo("issued");
        assertThat(e.get("serial").asText()).isEqualTo(c.serialHex());
        assertThat(e.get("subject").asText()).isEqualTo("CN=mac-1,O=Acme");
        assertThat(e.get("sans").get(0).asText()).isEqualTo("dns:mac-1.acme.test");
        assertThat(Instant.parse(e.get("notAfter").asText())).isEqualTo(c.notAfter());
        assertThat(Instant.parse(e.get("occurredAt").asText())).isEqualTo(now);
        assertThat(e.get("transactionId").asText()).isEqualTo("tx-1");
        assertThat(e.get("actor").asText()).isEqualTo("scep:10.0.0.7");
        assertThat(e.get("renews").isNull()).isTrue();
        assertThat(e.get("failInfo").isNull()).isTrue();
        // Queued as due now, never attempted.
        db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT attempts, next_attempt_at, delivered_at FROM event_outbox");
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
                assertThat(rs.getObject(2, OffsetDateTime.class).toInstant()).isEqualTo(now);
                assertThat(rs.getObject(3)).isNull();
            }
            return null;
        });
    }

    @Test
    void anIssuanceRolledBackAfterItsEventWasQueued_leavesNoEvent() {
        // The admin grant is stored after the event and refuses a CLIENT certificate: the whole transaction rolls back.
        CertificateRecord c = cert(serials, "rolled-back", now, Optional.empty());
        assertThatThrownBy(() -> certs.insertIssued(c, IssuanceEffects.none()
                .granting(new IssuanceEffects.AdminGrant("ops", AdminRole.ADMIN))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(certs.find(c.serial())).isEmpty();
        assertThat(events(db)).isEmpty();
    }

    @Test
    void anIssuanceRefusedForAUsedChallenge_queuesNothing() {
        var challenges = new JdbcChallengeStore(db);
        challenges.insert(new ChallengeRecord("c1", "hash-1", now, now.plusSeconds(600), Optional.empty(), Optional.empty()));
        assertThat(challenges.consume("hash-1", now)).isTrue();
        CertificateRecord c = cert(serials, "second-use", now, Optional.empty());
        assertThatThrownBy(() -> certs.insertIssued(c, new IssuanceEffects(Optional.of("hash-1"), Optional.empty())))
                .isInstanceOf(ConflictException.class);
        assertThat(events(db)).isEmpty();
    }

    @Test
    void renewal_queuesRenewedAndTheRevocationOfTheSupersededCertificate() {
        CertificateRecord old = cert(serials, "mac-2", now.minusSeconds(5), Optional.of("tx-old"));
        certs.insertIssued(old, IssuanceEffects.none());
        CertificateRecord renewal = cert(serials, "mac-2", now, Optional.of("tx-new"));
        certs.insertIssued(renewal, IssuanceEffects.none().renewing(old.serial(), true));

        List<JsonNode> events = events(db);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("issued", "renewed", "revoked");
        JsonNode renewed = events.get(1);
        assertThat(renewed.get("serial").asText()).isEqualTo(renewal.serialHex());
        assertThat(renewed.get("renews").asText()).isEqualTo(old.serialHex());
        JsonNode revoked = events.get(2);
        assertThat(revoked.get("serial").asText()).isEqualTo(old.serialHex());
        assertThat(revoked.get("reason").asText()).isEqualTo("superseded");
        assertThat(revoked.get("actor").asText()).isEqualTo(renewal.requester());
        assertThat(revoked.get("transactionId").asText()).isEqualTo("tx-old");
    }

    @Test
    void revocation_queuesOneRevokedEventNamingWhoRevoked_andARepeatQueuesNone() {
        CertificateRecord c = cert(serials, "mac-3", now, Optional.empty());
        certs.insertIssued(c, IssuanceEffects.none());
        Instant at = now.plusSeconds(30);
        certs.revoke(c.serial(), RevocationReason.KEY_COMPROMISE, at, "cli:alice");
        certs.revoke(c.serial(), RevocationReason.KEY_COMPROMISE, at.plusSeconds(1), "cli:alice");

        List<JsonNode> events = events(db);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("issued", "revoked");
        JsonNode r = events.get(1);
        assertThat(r.get("actor").asText()).isEqualTo("cli:alice");
        assertThat(r.get("reason").asText()).isEqualTo("keyCompromise");
        assertThat(Instant.parse(r.get("occurredAt").asText())).isEqualTo(at);
    }

    @Test
    void withoutWebhooks_theStoreQueuesNothing() {
        var plain = new JdbcCertificateStore(db);
        CertificateRecord c = cert(serials, "quiet", now, Optional.empty());
        plain.insertIssued(c, IssuanceEffects.none());
        plain.revoke(c.serial(), RevocationReason.UNSPECIFIED, now, "cli:bob");
        assertThat(events(db)).isEmpty();
    }

    @Test
    void onlyTheConfiguredEventTypesAreQueued() {
        var revocationsOnly = new JdbcCertificateStore(db, Optional.of(new EventOutbox(Set.of(CaEvent.Type.REVOKED))));
        CertificateRecord c = cert(serials, "filtered", now, Optional.empty());
        revocationsOnly.insertIssued(c, IssuanceEffects.none());
        assertThat(events(db)).isEmpty();
        revocationsOnly.revoke(c.serial(), RevocationReason.UNSPECIFIED, now, "cli:bob");
        assertThat(events(db)).extracting(e -> e.get("type").asText()).containsExactly("revoked");
    }

    @Test
    void queuedEventsSurviveReopeningTheDatabase() {
        CertificateRecord c = cert(serials, "durable", now, Optional.empty());
        certs.insertIssued(c, IssuanceEffects.none());
        String before = events(db).get(0).toString();
        db.close();
        db = open(dir);
        assertThat(events(db)).extracting(JsonNode::toString).containsExactly(before);
        assertThat(new OutboxRows(db).backlog()).isEqualTo(new OutboxRows.Backlog(1, 0));
    }

    @Test
    void everyFieldIsPresentInAFixedOrder_andRefusalsCarryTheirFailInfo() {
        CaEvent refusal = CaEvent.refused(now, Optional.of("tx-9"), Optional.of("CN=evil"), List.of("dns:x.test"),
                "badRequest", "challenge used", "scep:10.0.0.9").withEndpoint("intune").withDevice(
                        java.util.Map.of("udid", "00008030-0001", "serialNumber", "C02XYZ"));
        JsonNode e = readTree(EventJson.render(refusal));
        List<String> names = new ArrayList<>();
        e.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("schemaVersion", "id", "type", "occurredAt", "serial", "subject", "sans",
                "notAfter", "renews", "transactionId", "endpoint", "device", "actor", "reason", "failInfo",
                "thresholdDays");
        assertThat(e.get("thresholdDays").isNull()).isTrue();
        assertThat(e.get("type").asText()).isEqualTo("refused");
        assertThat(e.get("serial").isNull()).isTrue();
        assertThat(e.get("failInfo").asText()).isEqualTo("badRequest");
        assertThat(e.get("reason").asText()).isEqualTo("challenge used");
        assertThat(e.get("endpoint").asText()).isEqualTo("intune");
        assertThat(e.get("device").get("serialNumber").asText()).isEqualTo("C02XYZ");
        assertThat(e.get("id").asText()).isEqualTo(refusal.id().toString());
    }

    @Test
    void expiryEvents_carryTheirThreshold_andOnlyThey() {
        var c = new CertificateRecord(java.math.BigInteger.valueOf(0x1f), "CN=Issuer", "CN=phone", List.of("dns:p.test"),
                now, now.plus(Duration.ofDays(6)), CertificateStatus.VALID, Optional.empty(), Optional.empty(),
                Optional.empty(), "scep:10.0.0.1", CertificateProfile.CLIENT, now, "00".repeat(32), new byte[] {1});
        JsonNode j = readTree(EventJson.render(CaEvent.expiring(c, 7, now)));
        assertThat(j.get("type").asText()).isEqualTo("expiring");
        assertThat(j.get("thresholdDays").asInt()).isEqualTo(7);
        assertThat(j.get("serial").asText()).isEqualTo("1f");
        assertThat(j.get("endpoint").asText()).isEqualTo("default");
        assertThat(CaEvent.Type.CA_EXPIRING.wireName()).isEqualTo("ca-expiring");
        assertThat(CaEvent.Type.parse("CA-Expiring")).isEqualTo(CaEvent.Type.CA_EXPIRING);
        assertThatThrownBy(() -> new CaEvent(java.util.UUID.randomUUID(), CaEvent.Type.EXPIRING, now, Optional.of("1f"),
                Optional.of("CN=x"), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                java.util.Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thresholdDays");
    }

    @Test
    void oversizedRequestTextIsCutSoThatAnEventStaysSmall() {
        List<String> sans = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sans.add("dns:" + "a".repeat(60) + i + ".test");
        }
        CaEvent e = CaEvent.refused(now, Optional.empty(), Optional.of("CN=" + "x".repeat(5000)), sans, "badRequest",
                "r".repeat(5000), "scep:10.0.0.9");
        assertThat(e.subject().orElseThrow()).hasSize(CaEvent.MAX_TEXT);
        assertThat(e.reason().orElseThrow()).hasSize(CaEvent.MAX_TEXT);
        assertThat(String.join("", e.sans()).length()).isLessThanOrEqualTo(CaEvent.MAX_SANS_CHARS);
        assertThat(EventJson.render(e).length()).isLessThan(16_000);
        assertThatThrownBy(() -> CaEvent.refused(now, Optional.empty(), Optional.empty(), List.of(), "internalError", "x",
                "scep:1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failInfo");
    }

    @Test
    void failInfoIsSpelledAsScepSpellsIt_whetherGivenSoOrAsAnEnumConstant() {
        for (String[] c : new String[][] {{"BAD_MESSAGE_CHECK", "badMessageCheck"}, {"BAD_ALG", "badAlg"},
                {"BAD_CERT_ID", "badCertId"}, {"badTime", "badTime"}}) {
            CaEvent e = CaEvent.refused(now, Optional.empty(), Optional.empty(), List.of(), c[0], "x", "scep:1");
            assertThat(e.failInfo()).contains(c[1]);
        }
    }
}
