package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Every admin endpoint over real HTTP against a real server, including the refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
    @TempDir
    static Path dir;
    private Running running;
    private AdminHttp http;
    private String admin;
    private String viewer;
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        http = AdminHttp.plain(running.adminPort());
        admin = running.ca().tokens().create("alice", AdminRole.ADMIN).token();
        viewer = running.ca().tokens().create("victor", AdminRole.VIEWER).token();
        audit.start();
        Logger auditLogger = (Logger) LoggerFactory.getLogger("scepca.audit");
        auditLogger.setLevel(ch.qos.logback.classic.Level.INFO);
        auditLogger.addAppender(audit);
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger("scepca.audit")).detachAppender(audit);
        running.close();
    }

    private CertificateRecord issue(String cn) {
        var csr = Csrs.csr().subject("CN=" + cn + ",O=Test").dns(cn + ".devices.test").build();
        return running.ca().issuance().issue(new IssuanceRequest(csr, "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).record();
    }

    private List<String> auditLines() {
        return audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    // --- transport, authentication, authorisation

    @Test
    void adminSurface_isOnItsOwnConnector_notOnTheScepPort() {
        AdminHttp scepPort = AdminHttp.plain(running.port());
        assertThat(scepPort.get("/api/v1/me", admin).status()).isEqualTo(404);
        assertThat(scepPort.get("/console/", null).status()).isEqualTo(404);
        assertThat(scepPort.get("/scep?operation=GetCACaps", null).status()).isEqualTo(200);
        assertThat(http.get("/scep?operation=GetCACaps", null).status()).isEqualTo(404);
        assertThat(http.get("/healthz", null).status()).isEqualTo(200);
        assertThat(http.get("/readyz", null).status()).isEqualTo(200);
        assertThat(scepPort.get("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void noCredentials_is401WithBearerChallenge() {
        var r = http.get("/api/v1/certificates", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"scepca-admin\"");
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.problemType()).isEqualTo("unauthorized");
    }

    @Test
    void invalidToken_or_otherScheme_is401InvalidToken() {
        var wrong = http.get("/api/v1/me", "scepca_not-a-real-token");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        var basic = http.send("GET", "/api/v1/me", null, null, null);
        assertThat(basic.status()).isEqualTo(401);
        var r = new AdminHttp(java.net.http.HttpClient.newHttpClient(), "http://127.0.0.1:" + running.adminPort());
        var other = r.send("GET", "/api/v1/me", null, null, null);
        assertThat(other.status()).isEqualTo(401);
    }

    @Test
    void revokedToken_stopsWorking() {
        var t = running.ca().tokens().create("temp", AdminRole.ADMIN);
        assertThat(http.get("/api/v1/me", t.token()).status()).isEqualTo(200);
        running.ca().tokens().revoke(t.record().id());
        assertThat(http.get("/api/v1/me", t.token()).status()).isEqualTo(401);
    }

    @Test
    void replicas_listThisServerAsLive() {
        JsonNode items = http.get("/api/v1/replicas", viewer).json().path("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("id").asText()).isEqualTo(running.replicaId());
        assertThat(items.get(0).path("live").asBoolean()).isTrue();
    }

    @Test
    void me_tellsNameAndRole() {
        JsonNode me = http.get("/api/v1/me", viewer).json();
        assertThat(me.path("name").asText()).isEqualTo("victor");
        assertThat(me.path("role").asText()).isEqualTo("viewer");
        assertThat(me.path("authenticatedBy").asText()).isEqualTo("token");
    }

    @Test
    void jamfWebhook_enrollerTokenGetsAWorkingOneTimeChallengeAsPlainText_andNothingElse() {
        String enroller = running.ca().tokens().create("jamf-pro", AdminRole.ENROLLER).token();
        var r = http.post("/api/v1/jamf/scep-challenge", enroller,
                "{\"webhook\":{\"webhookEvent\":\"SCEPChallenge\"},\"event\":{\"serialNumber\":\"C02XJ0AAJGH5\"}}");
        assertThat(r.status()).isEqualTo(200);
        String challenge = new String(r.body(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        assertThat(challenge).matches("[0-9a-f]{32}");
        assertThat(running.ca().challenges().check(challenge)).isPresent();
        assertThat(running.ca().challenges().listActive(100)).anySatisfy(c ->
                assertThat(c.note()).contains("jamf:C02XJ0AAJGH5"));
        // An enroller token opens nothing else; a viewer cannot mint.
        assertThat(http.get("/api/v1/certificates", enroller).status()).isEqualTo(403);
        assertThat(http.post("/api/v1/challenges", enroller, "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/v1/jamf/scep-challenge", viewer, "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/v1/jamf/scep-challenge", null, "{}").status()).isEqualTo(401);
        assertThat(http.post("/api/v1/jamf/scep-challenge", admin, "").status()).isEqualTo(200);
    }

    @Test
    void viewer_canRead_butNotChange() {
        CertificateRecord c = issue("viewer-target");
        assertThat(http.get("/api/v1/certificates", viewer).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/challenges", viewer).status()).isEqualTo(200);
        var create = http.post("/api/v1/challenges", viewer, "{}");
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.problemType()).isEqualTo("forbidden");
        assertThat(http.post("/api/v1/certificates/" + c.serialHex() + "/revoke", viewer, "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/v1/requests/x/approve", viewer, "{}").status()).isEqualTo(403);
        assertThat(http.delete("/api/v1/challenges/x", viewer).status()).isEqualTo(403);
        assertThat(running.ca().certificates().find(c.serial()).orElseThrow().status().name()).isEqualTo("VALID");
        assertThat(auditLines()).anyMatch(l -> l.contains("outcome=forbidden") && l.contains("actor=token:victor"));
    }

    @Test
    void unknownPath_is404_wrongMethod_is405WithAllow() {
        var missing = http.get("/api/v1/nothing-here", admin);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.problemType()).isEqualTo("not-found");
        var wrong = http.send("PUT", "/api/v1/challenges", admin, "application/json", "{}".getBytes());
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.header("Allow")).isEqualTo("GET, POST");
    }

    // --- challenges

    @Test
    void createChallenge_showsSecretOnce_listNeverShowsIt_andTheSecretEnrolls() {
        var created = http.post("/api/v1/challenges", admin, "{\"ttl\":\"60m\",\"note\":\"ipad-42\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        String secret = body.path("challenge").asText();
        String id = body.path("id").asText();
        assertThat(secret).hasSize(32);
        assertThat(created.header("Location")).isEqualTo("/api/v1/challenges/" + id);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        assertThat(Instant.parse(body.path("expiresAt").asText())).isAfter(Instant.now().plusSeconds(3500));
        assertThat(running.ca().challenges().check(secret)).isPresent();

        var list = http.get("/api/v1/challenges", viewer);
        assertThat(list.text()).contains(id).contains("ipad-42").doesNotContain(secret);
        assertThat(auditLines()).anyMatch(l -> l.contains("op=challenge-create id=" + id) && l.contains("actor=token:alice"))
                .noneMatch(l -> l.contains(secret));
    }

    @Test
    void createChallenge_boundToNames_showsTheBinding_andRefusesBadPatternsByField() {
        var created = http.post("/api/v1/challenges", admin,
                "{\"subject\":\"CN=mac-17,O=Example\",\"sans\":[\"dns:mac-17.example.com\",\"regex:email:.+@example\\\\.com\"]}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("subject").asText()).isEqualTo("CN=mac-17,O=Example");
        String id = created.json().path("id").asText();
        var listed = http.get("/api/v1/challenges", viewer).json().path("items");
        JsonNode item = null;
        for (JsonNode n : listed) {
            if (n.path("id").asText().equals(id)) {
                item = n;
            }
        }
        assertThat(item).isNotNull();
        assertThat(item.path("sans").toString()).contains("dns:mac-17.example.com").contains("regex:email:");

        var badRegex = http.post("/api/v1/challenges", admin, "{\"subject\":\"regex:(unclosed\"}");
        assertThat(badRegex.status()).isEqualTo(400);
        assertThat(badRegex.text()).contains("subject");
        var badSan = http.post("/api/v1/challenges", admin, "{\"sans\":[\"phone:123\"]}");
        assertThat(badSan.status()).isEqualTo(400);
        assertThat(badSan.text()).contains("sans");
    }

    @Test
    void challengeTtl_acceptsSecondsAndDefaults() {
        Instant before = Instant.now();
        var seconds = http.post("/api/v1/challenges", admin, "{\"ttl\":120}").json();
        assertThat(Instant.parse(seconds.path("expiresAt").asText())).isBetween(before.plusSeconds(119), before.plusSeconds(125));
        var dflt = http.post("/api/v1/challenges", admin, null);
        assertThat(dflt.status()).isEqualTo(201);
        assertThat(Instant.parse(dflt.json().path("expiresAt").asText())).isAfter(before.plusSeconds(3590));
    }

    @Test
    void deleteChallenge_thenItIsGone() {
        String id = http.post("/api/v1/challenges", admin, "{}").json().path("id").asText();
        assertThat(http.delete("/api/v1/challenges/" + id, admin).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/challenges", admin).text()).doesNotContain(id);
        var again = http.delete("/api/v1/challenges/" + id, admin);
        assertThat(again.status()).isEqualTo(404);
        assertThat(auditLines()).anyMatch(l -> l.contains("op=challenge-delete id=" + id));
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "ttl not a duration | {\"ttl\":\"soon\"}                 | ttl",
            "ttl zero           | {\"ttl\":0}                        | ttl",
            "ttl over 30 days   | {\"ttl\":\"31d\"}                  | ttl",
            "ttl wrong type     | {\"ttl\":true}                     | ttl",
            "note wrong type    | {\"note\":[1]}                     | note",
            "unknown field      | {\"ttl\":\"1h\",\"secret\":\"x\"}  | secret",
            "not an object      | [1,2]                              | body"})
    void invalidChallengeBodies_are400_namingTheField(String name, String json, String field) {
        var r = http.post("/api/v1/challenges", admin, json);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("validation");
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo(field);
    }

    @Test
    void tooLongNote_isAValidationError() {
        var r = http.post("/api/v1/challenges", admin, "{\"note\":\"" + "n".repeat(300) + "\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("note");
    }

    @Test
    void malformedJson_wrongMediaType_andOversizedBody_areRefused() {
        var malformed = http.post("/api/v1/challenges", admin, "{\"ttl\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.problemType()).isEqualTo("malformed-json");
        var trailing = http.post("/api/v1/challenges", admin, "{} {}");
        assertThat(trailing.status()).isEqualTo(400);
        var text = http.send("POST", "/api/v1/challenges", admin, "text/plain", "{}".getBytes());
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.problemType()).isEqualTo("unsupported-media-type");
        var big = http.post("/api/v1/challenges", admin, "{\"note\":\"" + "x".repeat(20_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.problemType()).isEqualTo("too-large");
    }

    /**
     * Over the connector's cap (64 KiB) by its Content-Length: 413 before the body is read, and a client that sends
     * it anyway is not reset under its writes (the public port's twin: ScepEndToEndTest).
     */
    @Test
    void aBodyOverTheConnectorCap_is413_evenForAClientThatKeepsSending() throws Exception {
        int length = 100 * 1024;
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", running.adminPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /api/v1/challenges HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + admin + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = s.getInputStream().readNBytes(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
            for (int sent = 0; sent < length; sent += 4096) {
                s.getOutputStream().write(new byte[4096]);
            }
            String rest = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(rest).contains("request-too-large").endsWith("}");
        }
        assertThat(http.get("/healthz", null).status()).isEqualTo(200);
    }

    // --- certificates

    @Test
    void listCertificates_paginatesWithCursor_withoutGapsOrRepeats() {
        Set<String> issued = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            issued.add(issue("page-" + i).serialHex());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var r = http.get("/api/v1/certificates?q=page-&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), viewer);
            assertThat(r.status()).isEqualTo(200);
            JsonNode body = r.json();
            assertThat(body.path("items").size()).isLessThanOrEqualTo(2);
            body.path("items").forEach(c -> seen.add(c.path("serial").asText()));
            cursor = body.path("next").isNull() ? null : body.path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(5).containsExactlyInAnyOrderElementsOf(issued);
    }

    @Test
    void listCertificates_filtersByStatusTextExpiryAndIssueTime() {
        CertificateRecord keep = issue("filter-keep");
        CertificateRecord gone = issue("filter-gone");
        running.ca().revocation().revoke(gone.serial(), org.scepca.ca.revocation.RevocationReason.SUPERSEDED, "test");
        JsonNode revoked = http.get("/api/v1/certificates?status=revoked&q=filter-", viewer).json();
        assertThat(revoked.path("items")).extracting(n -> n.path("serial").asText()).containsExactly(gone.serialHex());
        assertThat(revoked.path("items").get(0).path("status").asText()).isEqualTo("revoked");
        assertThat(revoked.path("items").get(0).path("revocationReason").asText()).isEqualTo("superseded");
        JsonNode active = http.get("/api/v1/certificates?status=active&q=FILTER-KEEP.devices", viewer).json();
        assertThat(active.path("items")).extracting(n -> n.path("serial").asText()).containsExactly(keep.serialHex());
        assertThat(active.path("items").get(0).path("subjectAltNames").get(0).asText())
                .isEqualTo("dns:filter-keep.devices.test");
        // Certificates are valid 365 days: within 400 days they expire, within 30 they do not.
        assertThat(http.get("/api/v1/certificates?q=filter-keep&expiringWithinDays=400", viewer).json().path("items").size())
                .isEqualTo(1);
        assertThat(http.get("/api/v1/certificates?q=filter-keep&expiringWithinDays=30", viewer).json().path("items").size())
                .isZero();
        assertThat(http.get("/api/v1/certificates?q=filter-&issuedAfter=2999-01-01", viewer).json().path("items").size())
                .isZero();
        assertThat(http.get("/api/v1/certificates?q=filter-&issuedBefore=2999-01-01T00:00:00Z", viewer).json()
                .path("items").size()).isEqualTo(2);
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "status=sleeping              | status",
            "limit=0                      | limit",
            "limit=501                    | limit",
            "limit=ten                    | limit",
            "expiringWithinDays=-1        | expiringWithinDays",
            "issuedAfter=yesterday        | issuedAfter",
            "issuedBefore=2026-13-01      | issuedBefore",
            "cursor=not-a-cursor          | cursor"})
    void invalidListParameters_are400_namingTheParameter(String query, String field) {
        var r = http.get("/api/v1/certificates?" + query, viewer);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("validation");
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo(field);
    }

    @Test
    void showCertificate_asJsonPemAndDer() throws Exception {
        CertificateRecord c = issue("show-me");
        JsonNode json = http.get("/api/v1/certificates/" + c.serialHex(), viewer).json();
        assertThat(json.path("subject").asText()).isEqualTo(c.subjectDn());
        assertThat(json.path("status").asText()).isEqualTo("active");
        assertThat(json.path("sha256").asText()).isEqualTo(c.sha256());
        var pem = http.get("/api/v1/certificates/" + c.serialHex() + "?format=pem", viewer);
        assertThat(pem.header("Content-Type")).startsWith("application/x-pem-file");
        assertThat(pem.header("Content-Disposition")).contains(c.serialHex() + ".pem");
        assertThat(pem.text()).startsWith("-----BEGIN CERTIFICATE-----");
        var der = http.get("/api/v1/certificates/" + c.serialHex() + "?format=der", viewer);
        assertThat(der.body()).isEqualTo(c.der());
        assertThat(Pem.certificate(der.body()).getSerialNumber()).isEqualTo(c.serial());
        assertThat(http.get("/api/v1/certificates/" + c.serialHex() + "?format=xml", viewer).status()).isEqualTo(400);
    }

    @Test
    void showCertificate_unknownIs404_malformedSerialIs400() {
        var unknown = http.get("/api/v1/certificates/abcdef0123", viewer);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.problemType()).isEqualTo("not-found");
        var bad = http.get("/api/v1/certificates/not-hex", viewer);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("serial");
    }

    @Test
    void changesNeedJsonAndThisOrigin_onTheTokenConnectorToo() {
        String path = "/api/v1/challenges";
        assertThat(http.send("POST", path, admin, null, null).status()).isEqualTo(415);
        assertThat(http.send("DELETE", path + "/x", admin, null, null).status()).isEqualTo(415);
        assertThat(http.send("POST", path, admin, "application/x-www-form-urlencoded", "ttl=60".getBytes()).status())
                .isEqualTo(415);
        assertThat(http.send("POST", path, admin, "application/json", "{}".getBytes(), "Origin", "http://evil.example:"
                + running.adminPort()).status()).isEqualTo(403);
        assertThat(http.send("POST", path, admin, "application/json", "{}".getBytes(), "Origin", "http://127.0.0.1:1")
                .status()).isEqualTo(403);
        assertThat(http.send("POST", path, admin, "application/json; charset=utf-8", "{}".getBytes(), "Origin",
                http.base()).status()).isEqualTo(201);
        assertThat(http.send("POST", path, admin, "application/json", "{}".getBytes(), "Sec-Fetch-Site", "none")
                .status()).isEqualTo(201);
        // Reads are never refused.
        assertThat(http.send("GET", "/api/v1/me", admin, null, null, "Origin", "https://evil.example").status())
                .isEqualTo(200);
    }

    /** A subject stored before the policy refused such names still cannot split the revoke line. */
    @Test
    void revokeAuditLine_cannotBeSplitByAStoredSubject() throws Exception {
        CertificateRecord good = issue("audit-victim");
        String hostile = "CN=x\nop=revoke serial=01 actor=token:root outcome=revoked \u202E";
        var forged = new CertificateRecord(good.serial().add(java.math.BigInteger.ONE), good.issuerDn(), hostile,
                java.util.List.of(), good.notBefore(), good.notAfter(), good.status(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), "test", good.profile(), good.issuedAt(),
                good.sha256(), good.der());
        running.ca().certificates().insertIssued(forged, org.scepca.ca.store.IssuanceEffects.none());
        int before = audit.list.size();
        var r = http.post("/api/v1/certificates/" + forged.serialHex() + "/revoke", admin, "{\"reason\":\"keyCompromise\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-Request-Id")).isNull(); // revocations are audited by the service, without a request id
        var lines = auditLines().subList(before, auditLines().size());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n", "\u202E");
        var fields = org.scepca.ca.audit.AuditLine.parse(lines.get(0));
        assertThat(fields).containsEntry("op", "revoke").containsEntry("subject", hostile).containsEntry("outcome", "revoked")
                .containsEntry("actor", "token:alice").containsEntry("endpoint", "admin-api")
                .containsEntry("serial", forged.serialHex()).containsKeys("txid", "device");
    }

    @Test
    void revoke_putsItOnTheCrl_auditsTheActor_andASecondRevokeIs409() {
        CertificateRecord c = issue("revoke-me");
        var r = http.post("/api/v1/certificates/" + c.serialHex() + "/revoke", admin, "{\"reason\":\"keyCompromise\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("revoked");
        assertThat(r.json().path("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(running.ca().crls().current().crl().getRevokedCertificate(c.serial())).isNotNull();
        assertThat(auditLines()).anyMatch(l -> l.contains("op=revoke serial=" + c.serialHex())
                && l.contains("actor=token:alice") && l.contains("outcome=revoked"));

        var again = http.post("/api/v1/certificates/" + c.serialHex() + "/revoke", admin, "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.problemType()).isEqualTo("already-revoked");
    }

    @Test
    void revoke_unknownSerialIs404_badReasonIs400_andNothingChanges() {
        assertThat(http.post("/api/v1/certificates/abcdef0123/revoke", admin, "{}").status()).isEqualTo(404);
        CertificateRecord c = issue("revoke-bad-reason");
        var bad = http.post("/api/v1/certificates/" + c.serialHex() + "/revoke", admin, "{\"reason\":\"boredom\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("reason");
        assertThat(running.ca().certificates().find(c.serial()).orElseThrow().status().name()).isEqualTo("VALID");
    }

    // --- pending requests

    private String pendingRequest(String cn) throws Exception {
        var csr = Csrs.csr().subject("CN=" + cn).keys(TestKeys.rsa2048(cn.hashCode() & 3)).build();
        String txid = cn + "-" + System.nanoTime();
        Instant now = Instant.now();
        String hash = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csr.getEncoded()));
        running.ca().requests().insertPending(new RequestRecord(txid, hash, csr.getEncoded(), "CN=" + cn,
                RequestStatus.PENDING, Optional.empty(), "scep", Optional.empty(), now, now), Optional.empty());
        return txid;
    }

    @Test
    void approve_issuesTheCertificate_andASecondApproveIs409() throws Exception {
        String txid = pendingRequest("approve-me");
        JsonNode pending = http.get("/api/v1/requests", viewer).json();
        assertThat(pending.path("items")).extracting(n -> n.path("transactionId").asText()).contains(txid);
        var r = http.post("/api/v1/requests/" + txid + "/approve", admin, null);
        assertThat(r.status()).isEqualTo(200);
        String serial = r.json().path("certificate").path("serial").asText();
        assertThat(r.json().path("request").path("status").asText()).isEqualTo("issued");
        assertThat(running.ca().certificates().find(new BigInteger(serial, 16))).isPresent();
        assertThat(auditLines()).anyMatch(l -> l.contains("op=approve txid=" + txid) && l.contains("actor=token:alice"));
        var again = http.post("/api/v1/requests/" + txid + "/approve", admin, "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.problemType()).isEqualTo("not-pending");
        assertThat(http.get("/api/v1/requests?status=issued", viewer).text()).contains(txid);
    }

    @Test
    void reject_recordsTheReason_thenApproveIs409_unknownIs404() throws Exception {
        String txid = pendingRequest("reject-me");
        var r = http.post("/api/v1/requests/" + txid + "/reject", admin, "{\"reason\":\"unknown device\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("rejected");
        assertThat(r.json().path("reason").asText()).isEqualTo("unknown device");
        assertThat(http.post("/api/v1/requests/" + txid + "/approve", admin, "{}").status()).isEqualTo(409);
        assertThat(http.post("/api/v1/requests/no-such-tx/reject", admin, "{}").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/requests/no-such-tx/approve", admin, "{}").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/requests?status=later", viewer).status()).isEqualTo(400);
        assertThat(http.post("/api/v1/requests/" + txid + "/approve", admin, "{\"force\":true}").status()).isEqualTo(400);
    }

    // --- CA, dashboard, docs

    @Test
    void caInfo_chainAndCrl() throws Exception {
        JsonNode ca = http.get("/api/v1/ca", viewer).json();
        var m = running.ca().material();
        assertThat(ca.path("root").path("sha256Fingerprint").asText()).isEqualTo(Pem.fingerprint("SHA-256", m.root()));
        assertThat(ca.path("root").path("sha1Fingerprint").asText()).isEqualTo(Pem.fingerprint("SHA-1", m.root()));
        assertThat(ca.path("intermediate").path("subject").asText())
                .isEqualTo(m.intermediateCertificate().getSubjectX500Principal().getName());
        assertThat(Instant.parse(ca.path("intermediate").path("notAfter").asText()))
                .isEqualTo(m.intermediateCertificate().getNotAfter().toInstant());
        assertThat(ca.path("next").isNull()).isTrue();
        assertThat(ca.path("crl").path("number").asInt()).isPositive();

        var chain = http.get("/api/v1/ca/chain", viewer);
        assertThat(chain.text()).isEqualTo(new String(Pem.encodeAll(m.chain()), StandardCharsets.US_ASCII));
        var crl = http.get("/api/v1/ca/crl", viewer);
        assertThat(crl.header("Content-Type")).startsWith("application/pkix-crl");
        assertThat(Pem.crl(crl.body()).getIssuerX500Principal()).isEqualTo(m.intermediateCertificate().getSubjectX500Principal());
        assertThat(http.get("/api/v1/ca/crl?format=pem", viewer).text()).startsWith("-----BEGIN X509 CRL-----");
        assertThat(http.get("/api/v1/ca/crl?format=zip", viewer).status()).isEqualTo(400);
    }

    @Test
    void dashboard_countsMatchTheStore() {
        issue("dash-1");
        JsonNode d = http.get("/api/v1/dashboard", viewer).json();
        var counts = running.ca().certificates().counts(Instant.now(), Instant.now().plus(java.time.Duration.ofDays(30)));
        assertThat(d.path("certificates").path("total").asLong()).isEqualTo(counts.total());
        assertThat(d.path("certificates").path("active").asLong()).isEqualTo(counts.active());
        assertThat(d.path("issuingCaDaysLeft").asLong()).isBetween(1820L, 1826L);
        assertThat(d.path("nextCaStaged").asBoolean()).isFalse();
    }

    /** The dashboard counts in the store: it once listed 1,000 rows to count them, so it never showed more. */
    @Test
    void dashboard_countsEveryActiveChallenge_notOnePageOfThem() {
        long before = running.ca().challenges().countActive();
        for (int i = 0; i < 1001; i++) {
            running.ca().challenges().mint(java.time.Duration.ofMinutes(10), Optional.empty());
        }
        JsonNode d = http.get("/api/v1/dashboard", viewer).json();
        assertThat(d.path("activeChallenges").asLong()).isEqualTo(before + 1001)
                .isEqualTo(running.ca().challenges().countActive());
        assertThat(d.path("pendingRequests").asLong()).isEqualTo(running.ca().requests().count(RequestStatus.PENDING));
    }

    @Test
    void openApiDocument_isPublic() {
        var r = http.get("/api/v1/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("openapi").asText()).isEqualTo("3.1.0");
    }

    // --- profiles

    @Test
    void profileDefaults_pointAtTheScepPort() {
        JsonNode d = http.get("/api/v1/profiles", viewer).json();
        assertThat(d.path("available").asBoolean()).isTrue();
        assertThat(d.path("presets")).extracting(JsonNode::asText).containsExactly("generic", "jamf", "intune");
        assertThat(d.path("defaultScepUrl").asText()).isEqualTo("http://127.0.0.1:" + running.port() + "/scep");
        assertThat(d.path("staticChallengeConfigured").asBoolean()).isFalse();
    }

    @Test
    void genericProfile_downloads_withAFreshOneTimeChallenge_andIsAudited() {
        var r = http.post("/api/v1/profiles/generic", admin, "{\"subject\":\"CN=$SERIALNUMBER,O=Acme\",\"challengeTtl\":\"2d\","
                + "\"displayName\":\"Acme Wi-Fi\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/x-apple-aspen-config");
        assertThat(r.header("Content-Disposition")).contains("scepca-generic.mobileconfig");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Scepca-Challenge-Kind")).isEqualTo("one-time");
        String id = r.header("Scepca-Challenge-Id");
        assertThat(Instant.parse(r.header("Scepca-Challenge-Expires"))).isAfter(Instant.now().plus(java.time.Duration.ofHours(47)));
        assertThat(r.text()).contains("com.apple.security.scep").contains("http://127.0.0.1:" + running.port() + "/scep")
                .contains("Acme Wi-Fi").contains("$SERIALNUMBER");
        assertThat(http.get("/api/v1/challenges", viewer).text()).contains(id);
        assertThat(auditLines()).anyMatch(l -> l.contains("op=profile-create preset=generic")
                && l.contains("challenge_id=" + id) && l.contains("actor=token:alice"));
    }

    @Test
    void profileRefusals_nameTheField() {
        assertThat(http.post("/api/v1/profiles/generic", viewer, "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/v1/profiles/generic", null, "{}").status()).isEqualTo(401);
        record Case(String path, String body, String field) {
        }
        for (Case c : List.of(new Case("/api/v1/profiles/windows", "{}", "preset"),
                new Case("/api/v1/profiles/generic", "{\"keySize\":1024}", "keySize"),
                new Case("/api/v1/profiles/generic", "{\"challenge\":\"dynamic\"}", "challenge"),
                new Case("/api/v1/profiles/generic", "{\"challenge\":\"sometimes\"}", "challenge"),
                new Case("/api/v1/profiles/generic", "{\"challengeTtl\":\"90d\"}", "challengeTtl"),
                new Case("/api/v1/profiles/generic", "{\"scepUrl\":\"ftp://x\"}", "scepUrl"),
                new Case("/api/v1/profiles/generic", "{\"color\":\"red\"}", "color"),
                new Case("/api/v1/profiles/jamf", "{}", "challenge"))) {
            var r = http.post(c.path(), admin, c.body());
            assertThat(r.status()).as(c.toString() + " " + r.text()).isEqualTo(400);
            assertThat(r.json().path("errors").get(0).path("field").asText()).as(c.toString()).isEqualTo(c.field());
        }
    }

    // --- console

    @Test
    void console_isServedFromTheJar_withAStrictCsp() {
        var page = http.get("/console/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        String csp = page.header("Content-Security-Policy");
        assertThat(csp).contains("script-src 'self'").contains("style-src 'self'").doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        // Nothing inline for the CSP to block: no inline scripts, style attributes or event handler attributes.
        String html = page.text();
        assertThat(html).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>").doesNotContain(" style=")
                .doesNotContainPattern("\\son[a-z]+=").doesNotContain("http://").doesNotContain("https://");
        assertThat(http.get("/console/app.js", null).header("Content-Type")).startsWith("text/javascript");
        assertThat(http.get("/console/app.css", null).header("Content-Type")).startsWith("text/css");
        assertThat(http.get("/console/../../openapi.json", null).status()).isNotEqualTo(200);
        assertThat(http.get("/console/AdminApi.class", null).status()).isEqualTo(404);
        var root = http.get("/", null);
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.header("Location")).endsWith("/console/");
        assertThat(http.get("/api/v1/me", admin).header("Content-Security-Policy")).isNotNull();
    }
}
