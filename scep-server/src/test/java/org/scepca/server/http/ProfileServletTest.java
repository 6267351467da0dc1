package org.scepca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.server.profiles.ProfilePlists.scepContent;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Properties;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

import com.dd.plist.NSDictionary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The profile download on a real Jetty, from loopback (allowed) and as a proxied or foreign request (refused). */
class ProfileServletTest {
    private static final String STATIC = "static-challenge-for-jamf-0123";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Running server;
    static String base;
    static String scepUrl;

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Properties p = new Properties();
        p.setProperty("scep.static-challenge", STATIC);
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p),
                ServerConfig.defaults("127.0.0.1", 0));
        base = "http://127.0.0.1:" + server.port();
        scepUrl = base + "/scep";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode problem(HttpResponse<byte[]> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        return JSON.readTree(response.body());
    }

    @Test
    void genericProfileDownloadsFromLoopbackAsAnAppleConfigurationProfile() throws Exception {
        HttpResponse<byte[]> r = get("/admin/profiles/generic?url=" + q(scepUrl) + "&subject=" + q("CN=Lab iPad+OU=QA,O=Example")
                + "&key-size=4096&challenge-ttl=2h");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-apple-aspen-config");
        assertThat(r.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"scepca-generic.mobileconfig\"");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        NSDictionary scep = scepContent(valid(r.body()));
        assertThat(string(scep, "URL")).isEqualTo(scepUrl);
        assertThat(scep.objectForKey("Keysize").toJavaObject()).isEqualTo(4096);
        assertThat(scep.objectForKey("Subject").toXMLPropertyList()).contains("Lab iPad", "QA", "Example");
        String challenge = string(scep, "Challenge");
        assertThat(server.ca().challenges().check(challenge)).isPresent();
        assertThat(server.ca().challenges().listActive(100)).anySatisfy(c -> {
            assertThat(c.note()).contains("profile generic for http:127.0.0.1");
            assertThat(c.expiresAt()).isBefore(java.time.Instant.now().plus(Duration.ofHours(2)).plusSeconds(5));
        });
    }

    @Test
    void signedJamfProfileIsCmsSignedByTheProfileSigningCertificate() throws Exception {
        HttpResponse<byte[]> r = get("/admin/profiles/jamf?url=" + q(scepUrl) + "&sign=true");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"scepca-jamf.mobileconfig\"");
        CMSSignedData cms = new CMSSignedData(r.body());
        X509Certificate signer = server.ca().certificates().list(
                new org.scepca.ca.store.CertificateQuery(org.scepca.ca.store.CertificateQuery.State.ALL,
                        java.util.Optional.of("profile signing"), java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty(), 10), java.time.Instant.now())
                .items().stream().findFirst().map(rec -> org.scepca.ca.pem.Pem.certificate(rec.der())).orElseThrow();
        assertThat(cms.getSignerInfos().getSigners().iterator().next()
                .verify(new org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder().build(signer))).isTrue();
        assertThat(string(scepContent(valid(r.body())), "Challenge")).isEqualTo(STATIC);
    }

    @Test
    void intuneProfileSheetAndRootDownload() throws Exception {
        HttpResponse<byte[]> profile = get("/admin/profiles/intune?url=" + q(scepUrl));
        assertThat(profile.statusCode()).isEqualTo(200);
        assertThat(profile.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"scepca-intune.mobileconfig\"");
        valid(profile.body());

        HttpResponse<byte[]> sheet = get("/admin/profiles/intune/sheet.json?url=" + q(scepUrl) + "&subject="
                + q("CN={{SerialNumber}}"));
        assertThat(sheet.statusCode()).isEqualTo(200);
        assertThat(sheet.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode json = JSON.readTree(sheet.body());
        assertThat(json.at("/scepCertificate/scepServerUrls/0").asText()).isEqualTo(scepUrl);
        assertThat(json.at("/scepCertificate/subjectNameFormat").asText()).isEqualTo("CN={{SerialNumber}}");

        HttpResponse<byte[]> text = get("/admin/profiles/intune/sheet.txt?url=" + q(scepUrl));
        assertThat(new String(text.body(), StandardCharsets.UTF_8)).contains("SCEP Server URLs", scepUrl);

        HttpResponse<byte[]> root = get("/admin/profiles/intune/root.cer");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
        assertThat(root.body()).isEqualTo(server.ca().material().root().getEncoded());
        assertThat(X500Name.getInstance(server.ca().material().root().getSubjectX500Principal().getEncoded()).toString())
                .contains("Test Root CA");
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "key-size     | key-size=1024",
            "key-size     | key-size=big",
            "url          | url=ftp%3A%2F%2Fca.example.test%2Fscep",
            "subject      | subject=CN%3Da%2C%2CO%3Db",
            "sign         | sign=maybe",
            "challenge-ttl| challenge-ttl=forever",
            "keysize      | keysize=2048",
            "retries      | retries=1&retries=2",
            "jamf-challenge | jamf-challenge=dynamic"})
    void badQueryIsA400ProblemNamingTheField(String field, String query) throws Exception {
        int before = server.ca().challenges().listActive(1000).size();
        String url = query.startsWith("url=") ? "" : "url=" + q(scepUrl) + "&";
        HttpResponse<byte[]> r = get("/admin/profiles/generic?" + url + query);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode p = problem(r);
        assertThat(p.get("field").asText()).isEqualTo(field.strip());
        assertThat(p.get("type").asText()).endsWith("/invalid-profile-option");
        assertThat(p.get("detail").asText()).startsWith(field.strip() + ": ");
        assertThat(server.ca().challenges().listActive(1000)).hasSize(before);
    }

    @Test
    void missingUrlAndUnknownPathsAreProblems() throws Exception {
        assertThat(problem(get("/admin/profiles/generic")).get("field").asText()).isEqualTo("url");
        HttpResponse<byte[]> unknown = get("/admin/profiles/windows?url=" + q(scepUrl));
        assertThat(unknown.statusCode()).isEqualTo(404);
        problem(unknown);
        HttpResponse<byte[]> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/profiles/generic"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(post.statusCode()).isEqualTo(405);
        problem(post);
    }

    @Test
    void requestForwardedByAProxyIsForbidden() throws Exception {
        HttpResponse<byte[]> r = get("/admin/profiles/generic?url=" + q(scepUrl), "X-Forwarded-For", "203.0.113.9");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(problem(r).get("type").asText()).endsWith("/local-only");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void requestFromAnotherSiteIsForbidden() throws Exception {
        HttpResponse<byte[]> r = get("/admin/profiles/generic?url=" + q(scepUrl), "Sec-Fetch-Site", "cross-site");
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void requestAddressedToAnotherHostNameIsForbidden() throws Exception {
        // DNS rebinding: the browser connects to 127.0.0.1 but sends the attacker's host name.
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /admin/profiles/generic?url=" + q(scepUrl) + " HTTP/1.1\r\nHost: rebind.example.com\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 403").contains("local-only").doesNotContain("<plist");
        }
    }
}
