package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.jscep.transaction.PkiStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.admin.AdminHttp;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.e2e.ScepWire.Reply;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * Several SCEP endpoints side by side (issue 12), over HTTP against a real server: each with its own authorization,
 * name template, key usages, validity, CA chain and renewal rule; challenges good only on their own endpoint; Jamf's
 * dynamic challenge good only for the device its event named; the device searchable afterwards.
 */
class ScepEndpointsTest {
    @TempDir
    static Path dir;
    static Running server;
    static ScepWire wire;
    static AdminHttp api;
    static String enroller;
    static String viewer;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Files.writeString(dir.resolve("kiosk.secret"), "kiosk-static-challenge-0123456789\n");
        Properties p = new Properties();
        p.setProperty("endpoint.devices.auth", "one-time,jamf");
        p.setProperty("endpoint.devices.subject-template", "CN=$SERIALNUMBER,O=Example Devices");
        p.setProperty("endpoint.devices.san-templates", "uri:urn:udid:$UDID");
        p.setProperty("endpoint.devices.eku", "client-auth,email-protection");
        p.setProperty("endpoint.devices.validity-days", "30");
        p.setProperty("endpoint.devices.getcacert-include-root", "false");
        p.setProperty("endpoint.devices.renewal", "false");
        p.setProperty("endpoint.kiosk.auth", "static");
        p.setProperty("endpoint.kiosk.static-challenge-file", "kiosk.secret");
        p.setProperty("endpoint.kiosk.subject-required", "O=Example Kiosks");
        p.setProperty("endpoint.lab.auth", "none");
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p, dir),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        wire = new ScepWire(server);
        api = AdminHttp.plain(server.adminPort());
        enroller = server.ca().tokens().create("jamf-pro", AdminRole.ENROLLER).token();
        viewer = server.ca().tokens().create("helpdesk", AdminRole.VIEWER).token();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String mint(String endpoint) {
        return server.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("test"), Optional.empty(),
                ChallengeOrigin.admin(endpoint)).secret();
    }

    private static Reply enroll(String path, String txid, KeyPair keys, org.bouncycastle.pkcs.PKCS10CertificationRequest csr) {
        Signer s = Signer.throwaway(keys);
        return wire.send(wire.pkcsReq(txid, csr, s), s, path);
    }

    private static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aChallengeIsGoodOnlyOnTheEndpointItWasMintedFor() {
        KeyPair keys = TestKeys.rsa2048(60);
        String forDevices = mint("devices");
        var deviceCsr = csr().keys(keys).subject("CN=C02AAA111,O=Example Devices").uri("urn:udid:00008030-AAA")
                .challenge(forDevices).build();
        LiveScepServer.assertBadRequest(enroll("/scep", "ep-1", keys, deviceCsr));
        String forDefault = mint(ChallengeOrigin.DEFAULT_ENDPOINT);
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "ep-2", keys, csr().keys(keys)
                .subject("CN=C02AAA111,O=Example Devices").challenge(forDefault).build()));

        X509Certificate cert = enroll("/scep/devices", "ep-3", keys, deviceCsr).issued();
        CertificateRecord r = server.ca().certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(r.endpointName()).isEqualTo("devices");
        assertThat(r.issuedFor().challengeId()).isPresent();
        assertThat(cert.getNotAfter().toInstant()).isBefore(cert.getNotBefore().toInstant().plus(Duration.ofDays(31)));
        try {
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4");
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
        // The default endpoint still issues clientAuth only, for a year.
        X509Certificate other = enroll("/scep", "ep-4", TestKeys.rsa2048(61), csr().keys(TestKeys.rsa2048(61))
                .subject("CN=laptop-4,O=Example").challenge(mint(ChallengeOrigin.DEFAULT_ENDPOINT)).build()).issued();
        assertThat(server.ca().certificates().find(other.getSerialNumber()).orElseThrow().endpointName()).isEqualTo("default");
    }

    @Test
    void theSubjectTemplateRefusesOtherShapes() {
        KeyPair keys = TestKeys.rsa2048(62);
        String c = mint("devices");
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "tpl-1", keys, csr().keys(keys)
                .subject("CN=C02BBB222,O=Other").challenge(c).build()));
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "tpl-2", keys, csr().keys(keys)
                .subject("CN=C02BBB222,OU=Extra,O=Example Devices").challenge(c).build()));
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "tpl-3", keys, csr().keys(keys)
                .subject("CN=C02BBB222,O=Example Devices").dns("c02bbb222.example.com").challenge(c).build()));
        assertThat(enroll("/scep/devices", "tpl-4", keys, csr().keys(keys).subject("CN=C02BBB222,O=Example Devices")
                .challenge(c).build()).success()).as("refusals left the challenge usable").isTrue();
    }

    @Test
    void jamfsDynamicChallengeIsGoodForTheEventsDeviceOnly_andTheDeviceIsSearchable() throws Exception {
        String event = "{\"webhook\":{\"webhookEvent\":\"SCEPChallenge\"},\"event\":{\"targetDevice\":"
                + "{\"serialNumber\":\"C02JAMF777\",\"udid\":\"00008030-0019658E3C\",\"deviceName\":\"Ann's Mac\"}}}";
        var r = api.post("/api/v1/jamf/scep-challenge?endpoint=devices", enroller, event);
        assertThat(r.status()).isEqualTo(200);
        String challenge = r.text();
        KeyPair keys = TestKeys.rsa2048(63);
        // Another device's serial, or the right serial with another UDID: refused, challenge kept.
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "jamf-1", keys, csr().keys(keys)
                .subject("CN=C02OTHER00,O=Example Devices").challenge(challenge).build()));
        LiveScepServer.assertBadRequest(enroll("/scep/devices", "jamf-2", keys, csr().keys(keys)
                .subject("CN=C02JAMF777,O=Example Devices").uri("urn:udid:00008030-FFFF").challenge(challenge).build()));
        X509Certificate cert = enroll("/scep/devices", "jamf-3", keys, csr().keys(keys)
                .subject("CN=C02JAMF777,O=Example Devices").uri("urn:udid:00008030-0019658E3C").challenge(challenge)
                .build()).issued();
        CertificateRecord rec = server.ca().certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(rec.issuedFor().deviceSerial()).contains("C02JAMF777");
        assertThat(rec.issuedFor().deviceUdid()).contains("00008030-0019658E3C");

        // Found by device in the API (exact, any case) and in the free-text search the console uses.
        var byDevice = api.get("/api/v1/certificates?device=c02jamf777", viewer).json();
        assertThat(byDevice.path("items")).hasSize(1);
        assertThat(byDevice.path("items").get(0).path("serial").asText()).isEqualTo(cert.getSerialNumber().toString(16));
        assertThat(byDevice.path("items").get(0).path("issuedFor").path("endpoint").asText()).isEqualTo("devices");
        assertThat(api.get("/api/v1/certificates?q=JAMF777", viewer).json().path("items")).hasSize(1);
        assertThat(server.ca().certificates().list(CertificateQuery.all(10).withDevice(Optional.of("00008030-0019658e3c")),
                server.ca().clock().instant()).items()).extracting(CertificateRecord::serial)
                .containsExactly(cert.getSerialNumber());
        // The Jamf device sync sees this certificate under the event's serial number and UDID.
        assertThat(org.scepca.server.integrations.IntegrationsAccess.activeJamfCertificates(server.ca()))
                .anySatisfy(d -> {
                    assertThat(d.serial()).isEqualTo(cert.getSerialNumber());
                    assertThat(d.deviceIds()).containsExactlyInAnyOrder("C02JAMF777", "00008030-0019658E3C");
                });
        // A Jamf challenge minted for an endpoint that does not take Jamf challenges: refused with the field named.
        var refused = api.post("/api/v1/jamf/scep-challenge?endpoint=kiosk", enroller, event);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.text()).contains("endpoint");
    }

    @Test
    void aStaticEndpointTakesItsOwnSecretOnly_andItsRequiredValues() {
        KeyPair keys = TestKeys.rsa2048(64);
        LiveScepServer.assertBadRequest(enroll("/scep/kiosk", "kiosk-1", keys, csr().keys(keys)
                .subject("CN=kiosk-1,O=Example Kiosks").challenge(mint("default")).build()));
        // A one-time challenge minted for it anyway (not through the CLI or API, which refuse): the endpoint does not
        // take one-time challenges at all.
        LiveScepServer.assertBadRequest(enroll("/scep/kiosk", "kiosk-1b", keys, csr().keys(keys)
                .subject("CN=kiosk-1,O=Example Kiosks").challenge(mint("kiosk")).build()));
        LiveScepServer.assertBadRequest(enroll("/scep/kiosk", "kiosk-2", keys, csr().keys(keys)
                .subject("CN=kiosk-1,O=Elsewhere").challenge("kiosk-static-challenge-0123456789").build()));
        assertThat(enroll("/scep/kiosk", "kiosk-3", keys, csr().keys(keys).subject("CN=kiosk-1,O=Example Kiosks")
                .challenge("kiosk-static-challenge-0123456789").build()).success()).isTrue();
        // The kiosk secret means nothing on the default endpoint.
        LiveScepServer.assertBadRequest(enroll("/scep", "kiosk-4", keys, csr().keys(keys).subject("CN=kiosk-1,O=Example Kiosks")
                .challenge("kiosk-static-challenge-0123456789").build()));
    }

    @Test
    void anEndpointWithoutChallenge_parksEveryRequestForApproval() {
        KeyPair keys = TestKeys.rsa2048(65);
        Reply r = enroll("/scep/lab", "lab-1", keys, csr().keys(keys).subject("CN=lab-1,O=Example").build());
        assertThat(r.status()).isEqualTo(PkiStatus.PENDING);
        var issued = server.ca().approvals().approve("lab-1", "test");
        assertThat(issued.record().endpointName()).isEqualTo("lab");
    }

    @Test
    void renewalFollowsTheEndpointsRule_andStaysOnItsEndpoint() {
        KeyPair keys = TestKeys.rsa2048(66);
        X509Certificate onDevices = enroll("/scep/devices", "ren-1", keys, csr().keys(keys)
                .subject("CN=C02REN0001,O=Example Devices").challenge(mint("devices")).build()).issued();
        Signer byOld = new Signer(onDevices, keys);
        var renewCsr = csr().keys(keys).subject("CN=C02REN0001,O=Example Devices").build();
        LiveScepServer.assertBadRequest(wire.send(wire.pkcsReq("ren-2", renewCsr, byOld), byOld, "/scep/devices"));
        LiveScepServer.assertBadRequest(wire.send(wire.pkcsReq("ren-3", renewCsr, byOld), byOld, "/scep"));
        assertThat(server.ca().certificates().find(onDevices.getSerialNumber()).orElseThrow().isActive(
                server.ca().clock().instant())).isTrue();
    }

    @Test
    void getCaCapsAndGetCaCert_followTheEndpoint_andUnknownEndpointsAre404() throws Exception {
        assertThat(new String(get("/scep?operation=GetCACaps").body(), StandardCharsets.US_ASCII)).contains("Renewal");
        assertThat(new String(get("/scep/devices?operation=GetCACaps").body(), StandardCharsets.US_ASCII))
                .doesNotContain("Renewal").contains("AES").contains("SHA-256");
        List<X509Certificate> withRoot = certs(get("/scep?operation=GetCACert").body());
        List<X509Certificate> withoutRoot = certs(get("/scep/devices/pkiclient.exe?operation=GetCACert").body());
        assertThat(withRoot).hasSize(withoutRoot.size() + 1);
        assertThat(withoutRoot).noneMatch(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()));
        var unknown = get("/scep/nope?operation=GetCACaps");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(get("/scep/default?operation=GetCACaps").statusCode()).isEqualTo(404);
    }

    private static List<X509Certificate> certs(byte[] body) throws Exception {
        var conv = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter();
        List<X509Certificate> out = new java.util.ArrayList<>();
        for (var h : new org.bouncycastle.cms.CMSSignedData(body).getCertificates().getMatches(null)) {
            out.add(conv.getCertificate(h));
        }
        return out;
    }

    @Test
    void theApiListsTheEndpointsWithTheirRules() {
        var items = api.get("/api/v1/endpoints", viewer).json().path("items");
        assertThat(items).hasSize(4);
        assertThat(items.get(0).path("path").asText()).isEqualTo("/scep");
        var devices = java.util.stream.StreamSupport.stream(items.spliterator(), false)
                .filter(n -> n.path("name").asText().equals("devices")).findFirst().orElseThrow();
        assertThat(devices.path("path").asText()).isEqualTo("/scep/devices");
        assertThat(devices.path("auth").toString()).isEqualTo("[\"jamf\",\"one-time\"]");
        assertThat(devices.path("eku").toString()).contains("1.3.6.1.5.5.7.3.4");
        assertThat(devices.path("subjectTemplate").asText()).isEqualTo("CN=$SERIALNUMBER,O=Example Devices");
        assertThat(devices.path("renewal").asBoolean()).isFalse();
        assertThat(devices.path("getCaCertIncludesRoot").asBoolean()).isFalse();
        assertThat(api.get("/api/v1/endpoints", null).status()).isEqualTo(401);
    }

    @Test
    void badEndpointConfiguration_isOneLineNamingTheKey() {
        assertThatThrownBy(() -> config("endpoint.x.auth", "one-time", "endpoint.x.colour", "red"))
                .hasMessageContaining("endpoint.x.colour");
        assertThatThrownBy(() -> config("endpoint.x.eku", "client-auth")).hasMessageContaining("endpoint.x.auth");
        assertThatThrownBy(() -> config("endpoint.x.auth", "one-time", "endpoint.x.eku", "any"))
                .hasMessageContaining("endpoint.x.eku");
        assertThatThrownBy(() -> config("endpoint.x.auth", "one-time", "endpoint.x.eku", "2.5.29.37.0"))
                .hasMessageContaining("endpoint.x.eku");
        assertThatThrownBy(() -> config("endpoint.x.auth", "none", "endpoint.x.approval", "auto"))
                .hasMessageContaining("endpoint.x.approval");
        assertThatThrownBy(() -> config("endpoint.x.auth", "static")).hasMessageContaining("endpoint.x.static-challenge");
        assertThatThrownBy(() -> config("endpoint.x.auth", "one-time", "endpoint.x.subject-template", "CN"))
                .hasMessageContaining("endpoint.x.subject-template");
        assertThatThrownBy(() -> config("endpoint.X.auth", "one-time")).hasMessageContaining("endpoint.X.auth");
        assertThatThrownBy(() -> config("endpoint.x.auth", "intune,static")).hasMessageContaining("endpoint.x.auth");
        assertThatThrownBy(() -> config("policy.intune-sid", "true")).hasMessageContaining("policy.intune-sid");
    }

    private static CaConfig config(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return CaConfig.from(p);
    }
}
