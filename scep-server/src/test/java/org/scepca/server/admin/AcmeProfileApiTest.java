package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.server.profiles.ProfilePlists.hasPayload;
import static org.scepca.server.profiles.ProfilePlists.payload;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

import com.dd.plist.NSDictionary;
import com.fasterxml.jackson.databind.JsonNode;


/** ACME profiles through {@code POST /api/v1/profiles/{preset}} on a running server (Jetty on port 0, H2 files). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeProfileApiTest {
    private static final String DIRECTORY = "https://ca.example.test/acme/default/directory";

    @TempDir
    static Path dir;
    private Running running;
    private AdminHttp http;
    private String admin;
    private AuditCapture audit;

    @BeforeAll
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        // No public-base-url: the directory URL must then be given.
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        http = AdminHttp.plain(running.adminPort());
        admin = running.ca().tokens().create("alice", AdminRole.ADMIN).token();
        audit = new AuditCapture();
    }

    @AfterAll
    void stop() {
        audit.close();
        running.close();
    }

    private int activeChallenges() {
        return http.get("/api/v1/challenges", admin).json().path("items").size();
    }

    @Test
    void profileDefaults_offerTheProtocols() {
        JsonNode d = http.get("/api/v1/profiles", admin).json();

        assertThat(d.path("protocols")).extracting(JsonNode::asText).containsExactly("scep", "acme", "both");
        assertThat(d.path("defaultAcmeDirectoryUrl").isNull()).as("no public-base-url configured").isTrue();
    }

    @Test
    void jamfAcmeProfile_downloads_withJamfVariables_noChallenge_andIsAudited() {
        int before = activeChallenges();

        var r = http.post("/api/v1/profiles/jamf", admin,
                "{\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"sign\":true}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/x-apple-aspen-config");
        assertThat(r.header("Content-Disposition")).contains("scepca-jamf-acme.mobileconfig");
        assertThat(r.header("Scepca-Challenge-Kind")).isEqualTo("none");
        assertThat(r.header("Scepca-Challenge-Id")).isNull();
        assertThat(r.header("Scepca-Profile-Signed")).isEqualTo("true");
        NSDictionary acme = payload(valid(r.body()), "com.apple.security.acme");
        assertThat(string(acme, "DirectoryURL")).isEqualTo(DIRECTORY);
        assertThat(string(acme, "ClientIdentifier")).isEqualTo("$SERIALNUMBER");
        assertThat(acme.objectForKey("Attest").toJavaObject()).isEqualTo(true);
        assertThat(activeChallenges()).isEqualTo(before);
        assertThat(audit.lines()).anyMatch(l -> l.contains("op=profile-create preset=jamf protocol=acme signed=true challenge=none")
                        && l.contains("actor=token:alice"));
    }

    @Test
    void both_isAZipOfTwoProfiles_scepWithItsOneTimeChallenge_andAcme() throws Exception {
        var r = http.post("/api/v1/profiles/generic", admin, "{\"protocol\":\"both\",\"directoryUrl\":\"" + DIRECTORY
                + "\",\"clientIdentifier\":\"C02XK1ABJG5H\",\"acmeKeySize\":256,\"extendedKeyUsage\":[\"1.3.6.1.5.5.7.3.2\"]}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/zip");
        assertThat(r.header("Scepca-Challenge-Kind")).isEqualTo("one-time");
        Map<String, byte[]> files = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                files.put(e.getName(), zip.readAllBytes());
            }
        }
        assertThat(files).containsOnlyKeys("scepca-generic.mobileconfig", "scepca-generic-acme.mobileconfig");
        NSDictionary scep = valid(files.get("scepca-generic.mobileconfig"));
        NSDictionary acmeProfile = valid(files.get("scepca-generic-acme.mobileconfig"));
        assertThat(hasPayload(scep, "com.apple.security.acme")).isFalse();
        assertThat(hasPayload(acmeProfile, "com.apple.security.scep")).isFalse();
        NSDictionary acme = payload(acmeProfile, "com.apple.security.acme");
        assertThat(string(acme, "ClientIdentifier")).isEqualTo("C02XK1ABJG5H");
        assertThat(acme.objectForKey("KeySize").toJavaObject()).isEqualTo(256);
        assertThat((Object[]) acme.objectForKey("ExtendedKeyUsage").toJavaObject()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(http.get("/api/v1/challenges", admin).text()).contains(r.header("Scepca-Challenge-Id"));
    }

    @ParameterizedTest(name = "refused/{0}")
    @CsvSource(delimiter = '|', value = {
            "protocol        | jamf    | {\"protocol\":\"est\"}                                      | protocol",
            "no directory    | jamf    | {\"protocol\":\"acme\"}                                     | directoryUrl",
            "http directory  | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"http://x/acme/d/directory\"} | directoryUrl",
            "no client id    | generic | {\"protocol\":\"both\",\"directoryUrl\":\"" + DIRECTORY + "\"} | clientIdentifier",
            "key type        | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"acmeKeyType\":\"dsa\"} | acmeKeyType",
            "bound 521       | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"acmeKeySize\":521} | acmeKeySize",
            "RSA bound       | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"acmeKeyType\":\"rsa\",\"hardwareBound\":true} | hardwareBound",
            "attest unbound  | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"hardwareBound\":false,\"attest\":true} | attest",
            "usage flags     | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"usageFlags\":3} | usageFlags",
            "eku             | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"extendedKeyUsage\":[\"clientAuth\"]} | extendedKeyUsage",
            "eku null        | jamf    | {\"protocol\":\"acme\",\"directoryUrl\":\"" + DIRECTORY + "\",\"extendedKeyUsage\":[null]} | extendedKeyUsage"})
    void refusals_areProblemJsonNamingTheField_andMintNothing(String name, String preset, String body, String field) {
        int before = activeChallenges();

        var r = http.post("/api/v1/profiles/" + preset, admin, body);

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo(field);
        assertThat(activeChallenges()).isEqualTo(before);
    }

    @Test
    void acmeFieldsAreDocumentedInOpenApi() {
        JsonNode props = http.get("/api/v1/openapi.json", null).json().path("components").path("schemas")
                .path("CreateProfileRequest").path("properties");

        for (String f : List.of("protocol", "directoryUrl", "clientIdentifier", "acmeKeyType", "acmeKeySize",
                "hardwareBound", "attest", "usageFlags", "extendedKeyUsage")) {
            assertThat(props.has(f)).as(f).isTrue();
        }
    }
}
