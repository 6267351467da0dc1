package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.jscep.client.Client;
import org.jscep.client.EnrollmentResponse;
import org.jscep.client.verification.OptimisticCertificateVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Main;
import org.scepca.server.cli.Providers;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fleet operations of the admin API (issue 14) over real HTTP against a real server on a real H2 store: the
 * audit trail search (rows written by the server and by a CLI command), bulk revocation, CSV export, tokens and the
 * expiry statistics, with their refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsApiTest {
    @TempDir
    static Path dir;
    private Running running;
    private AdminHttp http;
    private String admin;
    private String viewer;

    @BeforeAll
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        http = AdminHttp.plain(running.adminPort());
        admin = running.ca().tokens().create("alice", AdminRole.ADMIN).token();
        viewer = running.ca().tokens().create("victor", AdminRole.VIEWER).token();
    }

    @AfterAll
    void stop() {
        running.close();
    }

    private CertificateRecord issue(String cn) {
        return issue(cn, IssuedFor.NONE);
    }

    private CertificateRecord issue(String cn, IssuedFor issuedFor) {
        var csr = Csrs.csr().subject("CN=" + cn + ",O=Test").dns(cn + ".devices.test").build();
        return running.ca().issuance().issue(new IssuanceRequest(csr, "test", CertificateProfile.CLIENT,
                IssuanceEffects.none(), NameRule.any(), issuedFor)).record();
    }

    private JsonNode audit(String query) {
        running.ca().auditTrail().flush();
        var r = http.get("/api/v1/audit?" + query, viewer);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static long crlNumber(java.security.cert.X509CRL crl) {
        try {
            return org.bouncycastle.asn1.x509.CRLNumber.getInstance(org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils
                    .parseExtensionValue(crl.getExtensionValue("2.5.29.20"))).getCRLNumber().longValueExact();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String json(List<String> serials, String reason) {
        return "{\"serials\":[" + serials.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(","))
                + "],\"reason\":\"" + reason + "\"}";
    }

    // --- the audit trail

    @Test
    void auditTrail_holdsTheServersEnrollment_searchableBySerialOutcomeOpAndTime() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        KeyPair keys = TestKeys.rsa2048(3);
        String secret = running.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("audit-it")).secret();
        var csr = Csrs.csr().keys(keys).subject("CN=audit-phone,O=Test").challenge(secret).build();
        Client scep = new Client(new URL("http://127.0.0.1:" + running.port() + "/scep"),
                new OptimisticCertificateVerifier());
        EnrollmentResponse r = scep.enrol(org.scepca.server.e2e.ScepClients.selfSigned(keys, "CN=throwaway"),
                keys.getPrivate(), csr);
        assertThat(r.isSuccess()).isTrue();
        String serial = running.ca().certificates().list(org.scepca.ca.store.CertificateQuery.all(1)
                .withDevice(Optional.empty()), Instant.now()).items().get(0).serialHex();

        JsonNode items = audit("serial=" + serial).path("items");
        assertThat(items).isNotEmpty();
        JsonNode enroll = items.get(0);
        assertThat(enroll.path("serial").asText()).isEqualTo(serial);
        assertThat(enroll.path("endpoint").asText()).isEqualTo("scep");
        assertThat(enroll.path("line").asText()).contains("serial=" + serial);
        String op = enroll.path("op").asText();
        String outcome = enroll.path("outcome").asText();
        assertThat(audit("serial=" + serial + "&op=" + op + "&outcome=" + outcome + "&from=" + before).path("items"))
                .hasSize(items.size());
        assertThat(audit("serial=" + serial + "&outcome=no-such-outcome").path("items")).isEmpty();
        assertThat(audit("serial=" + serial + "&to=" + before).path("items")).isEmpty();
        // Colons and capitals in the serial mean the same serial.
        String colons = serial.toUpperCase().replaceAll("(..)(?!$)", "$1:");
        assertThat(audit("serial=" + colons).path("items")).hasSize(items.size());
    }

    @Test
    void auditTrail_holdsACliRevocation_byItsActor() throws Exception {
        CertificateRecord c = issue("cli-revoked");
        Path pass = Files.writeString(dir.resolveSibling("ops-pass"), "test-passphrase-123");
        int rc = Main.run(new String[] {"cert", "revoke", c.serialHex(), "--reason", "superseded", "--data",
                dir.toString(), "--passphrase-file", pass.toString()}, new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true));
        assertThat(rc).isZero();
        String cliActor = "cli:" + System.getProperty("user.name", "?");
        JsonNode items = audit("serial=" + c.serialHex() + "&op=revoke").path("items");
        assertThat(items).singleElement().satisfies(e -> {
            assertThat(e.path("actor").asText()).isEqualTo(cliActor);
            assertThat(e.path("endpoint").asText()).isEqualTo("cli");
            assertThat(e.path("outcome").asText()).isEqualTo("revoked");
        });
        assertThat(audit("actor=" + System.getProperty("user.name", "?") + "&serial=" + c.serialHex()).path("items"))
                .hasSize(1);
    }

    @Test
    void auditSearch_pagesWithACursor_andRefusesBadParameters() {
        CertificateRecord c = issue("paged");
        List<String> serials = List.of(c.serialHex());
        for (int i = 0; i < 3; i++) {
            // Already revoked after the first: one line per call either way.
            http.post("/api/v1/certificates/revoke", admin, json(serials, "superseded"));
        }
        Set<String> ids = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = audit("serial=" + c.serialHex() + "&op=revoke&limit=1"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("items").forEach(e -> ids.add(e.path("id").asText()));
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(ids).hasSize(3);
        assertThat(http.get("/api/v1/audit?cursor=nope", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/audit?serial=xyz", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/audit?from=yesterday", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/audit?limit=501", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/audit", null).status()).isEqualTo(401);
    }

    // --- bulk revocation

    @Test
    void bulkRevoke_revokesEach_publishesTheCrlOnce_andAuditsEachCertificate() {
        CertificateRecord a = issue("bulk-a");
        CertificateRecord b = issue("bulk-b");
        CertificateRecord already = issue("bulk-c");
        running.ca().revocation().revoke(already.serial(), org.scepca.ca.revocation.RevocationReason.SUPERSEDED, "test");
        long crlBefore = crlNumber(running.ca().crls().current().crl());
        var r = http.post("/api/v1/certificates/revoke", admin, json(List.of(a.serialHex(), b.serialHex().toUpperCase(),
                already.serialHex(), "abcdef0123"), "key-compromise"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("reason").asText()).isEqualTo("keyCompromise");
        assertThat(body.path("revoked").asInt()).isEqualTo(2);
        assertThat(body.path("alreadyRevoked").asInt()).isEqualTo(1);
        assertThat(body.path("unknown").asInt()).isEqualTo(1);
        List<String> outcomes = new ArrayList<>();
        body.path("items").forEach(i -> outcomes.add(i.path("outcome").asText()));
        assertThat(outcomes).containsExactly("revoked", "revoked", "already-revoked", "unknown-serial");
        assertThat(body.path("items").get(0).path("certificate").path("status").asText()).isEqualTo("revoked");
        // Durable and in the CRL in force when the answer came, published once for the whole selection.
        var crl = running.ca().crls().current();
        assertThat(crlNumber(crl.crl())).isEqualTo(crlBefore + 1);
        assertThat(crl.crl().getRevokedCertificate(a.serial())).isNotNull();
        assertThat(crl.crl().getRevokedCertificate(b.serial())).isNotNull();
        assertThat(running.ca().certificates().find(b.serial()).orElseThrow().status()).isEqualTo(CertificateStatus.REVOKED);
        for (CertificateRecord c : List.of(a, b)) {
            assertThat(audit("serial=" + c.serialHex() + "&op=revoke&actor=token:alice").path("items"))
                    .singleElement().satisfies(e -> assertThat(e.path("outcome").asText()).isEqualTo("revoked"));
        }
    }

    @Test
    void bulkRevoke_refusals_viewerTooManyBadSerialsWrongTypeCrossSite() {
        CertificateRecord c = issue("bulk-refused");
        String one = json(List.of(c.serialHex()), "superseded");
        var forbidden = http.post("/api/v1/certificates/revoke", viewer, one);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.problemType()).isEqualTo("forbidden");
        List<String> many = IntStream.range(0, 1001).mapToObj(i -> Integer.toHexString(0x1000 + i)).toList();
        var tooMany = http.post("/api/v1/certificates/revoke", admin, json(many, "superseded"));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.text()).contains("at most 1000");
        var bad = http.post("/api/v1/certificates/revoke", admin, json(List.of(c.serialHex(), "not-hex"), "superseded"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("serials.1");
        assertThat(http.post("/api/v1/certificates/revoke", admin, "{\"serials\":[]}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/certificates/revoke", admin, json(List.of(c.serialHex()), "because")).status())
                .isEqualTo(400);
        assertThat(http.send("POST", "/api/v1/certificates/revoke", admin, "text/plain",
                one.getBytes(java.nio.charset.StandardCharsets.UTF_8)).status()).isEqualTo(415);
        assertThat(http.send("POST", "/api/v1/certificates/revoke", admin, "application/json",
                one.getBytes(java.nio.charset.StandardCharsets.UTF_8), "Origin", "https://evil.example").status())
                .isEqualTo(403);
        // A thousand serials fit the body limit.
        List<String> thousand = IntStream.range(0, 1000).mapToObj(i -> "7f" + "0".repeat(30) + String.format("%06x", i))
                .toList();
        var max = http.post("/api/v1/certificates/revoke", admin, json(thousand, "superseded"));
        assertThat(max.status()).as(max.text()).isEqualTo(200);
        assertThat(max.json().path("unknown").asInt()).isEqualTo(1000);
        // Nothing was revoked by the refused calls.
        assertThat(running.ca().certificates().find(c.serial()).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);
    }

    // --- CSV export

    @Test
    void csvExport_streamsEveryPage_quotesByRfc4180_andNeutralisesFormulas() {
        String tag = "csvx" + System.nanoTime() % 100000;
        List<CertificateRecord> issued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            issued.add(issue(tag + "-" + i));
        }
        CertificateRecord evil = issue(tag + "-evil", new IssuedFor(Optional.of("default"), Optional.empty(),
                Optional.of("=HYPERLINK(\"http://evil.test\",\"x\")"), Optional.of("C02CSV"), Optional.empty(),
                Optional.empty()));
        var r = http.send("GET", "/api/v1/certificates?q=" + tag + "&limit=2", viewer, null, null, "Accept", "text/csv");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/csv");
        assertThat(r.header("Content-Disposition")).contains("certificates.csv");
        String[] lines = r.text().split("\r\n", -1);
        assertThat(lines[0]).startsWith("serial,subject,subjectAltNames,status");
        assertThat(lines).hasSize(1 + 5 + 1); // header, every page of two, and the final CRLF
        assertThat(lines[lines.length - 1]).isEmpty();
        String evilRow = java.util.Arrays.stream(lines).filter(l -> l.startsWith(evil.serialHex())).findFirst().orElseThrow();
        // The subject has a comma: quoted. The note starts with '=': an apostrophe first, its quotes doubled.
        assertThat(evilRow).contains(",\"" + evil.subjectDn() + "\",")
                .contains(",\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",").contains(",C02CSV,");
        assertThat(http.get("/api/v1/certificates?format=csv&q=" + tag, viewer).text().split("\r\n")).hasSize(6);
        assertThat(http.get("/api/v1/certificates?format=csv&cursor=garbage", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/certificates?q=" + tag, viewer).header("Content-Type")).startsWith("application/json");
    }

    @Test
    void csvCell_neutralisesEveryFormulaLead_andQuotesOnlyWhenNeeded() {
        assertThat(CsvExport.cell("+1")).isEqualTo("'+1");
        assertThat(CsvExport.cell("-1")).isEqualTo("'-1");
        assertThat(CsvExport.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvExport.cell("\t=1")).isEqualTo("'\t=1");
        assertThat(CsvExport.cell("\r=1")).isEqualTo("\"'\r=1\"");
        assertThat(CsvExport.cell("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(CsvExport.cell("a\nb")).isEqualTo("\"a\nb\"");
        assertThat(CsvExport.cell("plain")).isEqualTo("plain");
        assertThat(CsvExport.cell(null)).isEmpty();
    }

    // --- device search

    @Test
    void deviceSearch_findsTheCertificatesOfOneDevice() {
        CertificateRecord mac = issue("dev-mac", new IssuedFor(Optional.of("default"), Optional.empty(),
                Optional.of("jamf:C02DEVICE9"), Optional.of("C02DEVICE9"), Optional.of("00008030-00AA"), Optional.empty()));
        issue("dev-other");
        JsonNode items = http.get("/api/v1/certificates?device=c02device9", viewer).json().path("items");
        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.path("serial").asText()).isEqualTo(mac.serialHex());
            assertThat(i.path("issuedFor").path("deviceSerial").asText()).isEqualTo("C02DEVICE9");
        });
        assertThat(http.get("/api/v1/certificates?device=00008030-00aa", viewer).json().path("items")).hasSize(1);
    }

    // --- tokens

    @Test
    void tokens_createShownOnce_list_revoke_andRefusals() {
        var created = http.post("/api/v1/tokens", admin, "{\"name\":\"ci-bot\",\"role\":\"viewer\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String secret = created.json().path("token").asText();
        String id = created.json().path("id").asText();
        assertThat(secret).startsWith("scepca_");
        assertThat(http.get("/api/v1/me", secret).json().path("name").asText()).isEqualTo("ci-bot");
        var list = http.get("/api/v1/tokens", admin);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.text()).contains("ci-bot").doesNotContain(secret);
        assertThat(http.get("/api/v1/tokens", viewer).status()).isEqualTo(403);
        assertThat(http.post("/api/v1/tokens", viewer, "{\"name\":\"sneaky\",\"role\":\"admin\"}").status()).isEqualTo(403);
        assertThat(http.post("/api/v1/tokens", admin, "{\"name\":\"has space\"}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/tokens", admin, "{\"name\":\"x\",\"role\":\"root\"}").status()).isEqualTo(400);
        var revoked = http.delete("/api/v1/tokens/" + id, admin);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().path("status").asText()).isEqualTo("revoked");
        assertThat(http.get("/api/v1/me", secret).status()).isEqualTo(401);
        assertThat(http.delete("/api/v1/tokens/" + id, admin).status()).isEqualTo(409);
        assertThat(http.delete("/api/v1/tokens/no-such-id", admin).status()).isEqualTo(404);
        assertThat(audit("op=admin-token-create&actor=alice").path("items").toString()).contains(id);
        assertThat(audit("op=admin-token-revoke").path("items").toString()).contains(id);
    }

    // --- expiry statistics

    @Test
    void expiryStats_countActiveCertificatesPerWeek() {
        JsonNode before = http.get("/api/v1/stats/expiry?weeks=60", viewer).json();
        issue("expiry-a"); // 365 days by default: week 52
        JsonNode after = http.get("/api/v1/stats/expiry?weeks=60", viewer).json();
        assertThat(after.path("items")).hasSize(60);
        assertThat(after.path("total").asLong()).isEqualTo(before.path("total").asLong() + 1);
        assertThat(after.path("items").get(52).path("count").asLong())
                .isEqualTo(before.path("items").get(52).path("count").asLong() + 1);
        assertThat(http.get("/api/v1/stats/expiry", viewer).json().path("weeks").asInt()).isEqualTo(26);
        assertThat(http.get("/api/v1/stats/expiry?weeks=0", viewer).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/stats/expiry?weeks=105", viewer).status()).isEqualTo(400);
    }

    // ---- POST /profiles/batch: the CLI's profile batch --strict over the admin API, as a ZIP ----

    private static String batchBody(String csv) throws Exception {
        return AdminHttp.JSON.writeValueAsString(Map.of("csv", csv, "identifierPrefix", "com.example.staging"));
    }

    @Test
    void aZipWithOneProfilePerDeviceEachWithAChallengeBoundToThatDevice() throws Exception {
        String csv = "serial,udid,user\nC02XK1JHJG5H,00008030-001A2B3C4D5E6F70,alice@example.com\nF9FZ2LL0KXKN,,bob@example.com\n";
        AdminHttp.Reply r = http.post("/api/v1/profiles/batch", admin, batchBody(csv));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/zip");
        assertThat(r.header("Scepca-Profiles-Written")).isEqualTo("2");

        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        assertThat(entries).containsOnlyKeys("C02XK1JHJG5H.mobileconfig", "F9FZ2LL0KXKN.mobileconfig", "summary.json");
        JsonNode summary = AdminHttp.JSON.readTree(entries.get("summary.json"));
        assertThat(summary).hasSize(2);

        JsonNode challenges = http.get("/api/v1/challenges", admin).json();
        for (JsonNode row : summary) {
            assertThat(row.path("status").asText()).isEqualTo("written");
            String serial = row.path("device").asText();
            NSDictionary profile = (NSDictionary) PropertyListParser.parse(entries.get(row.path("file").asText()));
            assertThat(((NSString) profile.objectForKey("PayloadIdentifier")).getContent()).startsWith("com.example.staging.");
            NSDictionary scep = scepPayload(profile);
            assertThat(scep.objectForKey("Challenge")).isNotNull();
            // The challenge the profile carries is bound to this device's subject (and its SANs).
            JsonNode minted = null;
            for (JsonNode c : challenges.path("items")) {
                if (c.path("id").asText().equals(row.path("challengeId").asText())) {
                    minted = c;
                }
            }
            assertThat(minted).as("challenge " + row.path("challengeId")).isNotNull();
            assertThat(minted.path("subject").asText()).contains("CN=" + serial);
        }
    }

    @Test
    void aBadLineIsA400NamingItAndMintsNothing() throws Exception {
        int before = http.get("/api/v1/challenges", admin).json().path("items").size();
        AdminHttp.Reply r = http.post("/api/v1/profiles/batch", admin,
                batchBody("serial,user\nC02XK1JHJG5H,alice@example.com\n$SERIALNUMBER,x@example.com\n"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("validation");
        assertThat(r.text()).contains("line 3");
        assertThat(http.get("/api/v1/challenges", admin).json().path("items").size()).isEqualTo(before);
    }

    @Test
    void tooManyDevicesViewersAndNonJsonAreRefused() throws Exception {
        StringBuilder csv = new StringBuilder("serial\n");
        for (int i = 0; i <= AdminApi.MAX_BATCH_DEVICES; i++) {
            csv.append(String.format("SN%08d%n", i));
        }
        AdminHttp.Reply tooMany = http.post("/api/v1/profiles/batch", admin, batchBody(csv.toString()));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.text()).contains("at most " + AdminApi.MAX_BATCH_DEVICES);

        assertThat(http.post("/api/v1/profiles/batch", viewer, batchBody("serial\nC02XK1JHJG5H\n")).status()).isEqualTo(403);
        AdminHttp.Reply csvBody = http.send("POST", "/api/v1/profiles/batch", admin, "text/csv",
                "serial\nC02XK1JHJG5H\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(csvBody.status()).isEqualTo(415);
        assertThat(http.post("/api/v1/profiles/batch", admin, "{}").status()).isEqualTo(400);
    }

    private static NSDictionary scepPayload(NSDictionary profile) {
        for (NSObject o : ((NSArray) profile.objectForKey("PayloadContent")).getArray()) {
            NSDictionary payload = (NSDictionary) o;
            if (((NSString) payload.objectForKey("PayloadType")).getContent().equals("com.apple.security.scep")) {
                return (NSDictionary) payload.objectForKey("PayloadContent");
            }
        }
        throw new AssertionError("no SCEP payload");
    }
}
