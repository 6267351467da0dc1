package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jscep.client.Client;
import org.jscep.client.EnrollmentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.FreePorts;
import org.scepca.ca.testing.OnPostgres;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

/**
 * nginx as the relying party: a device enrolled over SCEP (jscep) reaches an upstream through nginx with mutual TLS,
 * using the server block {@code scepca nginx-config} prints; strangers and, after {@code cert revoke} and a reload,
 * the revoked device are turned away. OpenSSL checks the same device over OCSP before and after.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxMtlsIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;
    static Path data;
    static Path passphraseFile;
    /** The db.* lines of scepca.properties: none for the H2 file, a PostgreSQL database for an @OnPostgres subclass. */
    static String store;
    static Running server;
    static String base;
    static HttpServer upstream;
    static final AtomicReference<Headers> upstreamSaw = new AtomicReference<>();
    static final AtomicInteger upstreamRequests = new AtomicInteger();
    static Nginx nginx;
    static Path nginxPrefix;
    static int nginxPort;
    static X509Certificate root;
    static X509Certificate intermediate;
    static KeyPair deviceKeys;
    static X509Certificate device;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void start(TestInfo test) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed");
        assumeTrue(OpenSsl.available(), "openssl is not installed");
        Providers.register();
        data = tmp.resolve("data");
        TestPki.create(data).close();
        // The server and the CLI read the store's location from scepca.properties, as in production.
        store = test.getTestClass().orElseThrow().isAnnotationPresent(OnPostgres.class)
                ? PgCluster.serverProperties(PgCluster.shared().newDatabase(), data) : "";
        passphraseFile = tmp.resolve("passphrase");
        Files.writeString(passphraseFile, new String(TestPki.PASSPHRASE.chars()));
        server = startServer();
        root = server.ca().material().root();
        intermediate = server.ca().material().intermediateCertificate();

        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            upstreamRequests.incrementAndGet();
            upstreamSaw.set(exchange.getRequestHeaders());
            byte[] body = ("hello " + exchange.getRequestHeaders().getFirst("X-SSL-Client-DN")).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();

        Path serverFiles = tmp.resolve("tls");
        cli("cert", "issue-server", "--data", data.toString(), "--passphrase-file", passphraseFile.toString(),
                "--dns", "localhost", "--ip", "127.0.0.1", "--out", serverFiles.toString());
        nginxPort = FreePorts.next();
        String serverBlock = cli("nginx-config", "--data", data.toString(), "--server-name", "localhost",
                "--listen", "127.0.0.1:" + nginxPort, "--cert", serverFiles.resolve("server-chain.pem").toString(),
                "--key", serverFiles.resolve("server.key").toString(),
                "--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort());
        nginx = startNginx(serverBlock);

        deviceKeys = TestKeys.rsa2048(0);
        device = enrollOverScep(deviceKeys, "CN=nginx-device-1,O=scepca it");
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void enrolledDevice_reachesTheUpstream_whichSeesTheVerifiedIdentityOnly() throws Exception {
        int before = upstreamRequests.get();
        HttpResponse<String> r = get(keyManager(deviceKeys.getPrivate(), device, intermediate),
                Map.of("X-SSL-Client-DN", "CN=admin", "X-SSL-Client-Verify", "FORGED", "X-SSL-Client-Serial", "01"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello " + device.getSubjectX500Principal().getName());
        assertThat(upstreamRequests.get()).isEqualTo(before + 1);
        Headers h = upstreamSaw.get();
        assertThat(h.get("X-SSL-Client-Verify")).containsExactly("SUCCESS");
        assertThat(h.get("X-SSL-Client-DN")).containsExactly(device.getSubjectX500Principal().getName());
        assertThat(h.get("X-SSL-Client-Serial")).hasSize(1);
        assertThat(new BigInteger(h.getFirst("X-SSL-Client-Serial"), 16)).isEqualTo(device.getSerialNumber());
    }

    @Test
    @Order(2)
    void withoutClientCertificate_nginxAnswers400() throws Exception {
        int before = upstreamRequests.get();
        HttpResponse<String> r = get(null, Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("No required SSL certificate was sent");
        assertThat(upstreamRequests.get()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void certificateOfAnotherCa_nginxAnswers400() throws Exception {
        KeyPair keys = TestKeys.rsa2048(1);
        X509Certificate foreign;
        X509Certificate foreignIntermediate;
        try (CertificateAuthority other = TestPki.create(tmp.resolve("other-ca"))) {
            foreign = other.issuance().issue(new IssuanceRequest(Csrs.csr().keys(keys).subject("CN=nginx-device-1,O=scepca it")
                    .build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none())).certificate();
            foreignIntermediate = other.material().intermediateCertificate();
        }
        int before = upstreamRequests.get();
        HttpResponse<String> r = get(keyManager(keys.getPrivate(), foreign, foreignIntermediate), Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("The SSL certificate error");
        assertThat(upstreamRequests.get()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void openssl_reportsTheDeviceGood_overOcspAtTheUrlInItsCertificate() throws Exception {
        Path deviceFile = writePem("device.pem", Pem.encode(device));
        OpenSsl.Result uri = OpenSsl.run("x509", "-in", deviceFile.toString(), "-noout", "-ocsp_uri");
        assertThat(uri.output().strip()).isEqualTo(base + "/ocsp");

        String out = ocsp(deviceFile).output();
        assertThat(out).contains("OCSP Response Status: successful", "Cert Status: good", "OCSP Nonce",
                "Response verify OK", deviceFile + ": good").doesNotContain("WARNING");
    }

    @Test
    @Order(5)
    void malformedOcspRequest_getsMalformedRequest() throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray("not an OCSP request".getBytes(StandardCharsets.US_ASCII)))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new OCSPResp(r.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        Path answer = tmp.resolve("malformed.der");
        Files.write(answer, r.body());
        assertThat(OpenSsl.run("ocsp", "-respin", answer.toString(), "-resp_text").output())
                .contains("malformedrequest");
    }

    @Test
    @Order(6)
    void afterRevocationAndReload_nginxRefusesTheDevice_andOcspSaysRevoked() throws Exception {
        String serial = device.getSerialNumber().toString(16);
        String revoked = cli("cert", "revoke", serial, "--reason", "keyCompromise", "--data", data.toString(),
                "--passphrase-file", passphraseFile.toString());
        assertThat(revoked).contains("revoked " + serial);

        int status = reloadAndWaitFor(400, keyManager(deviceKeys.getPrivate(), device, intermediate));
        assertThat(status).as("status after revocation and reload").isEqualTo(400);
        assertThat(Files.readString(nginxPrefix.resolve("error.log"))).contains("certificate revoked");

        Path deviceFile = writePem("device.pem", Pem.encode(device));
        String out = ocsp(deviceFile).output();
        assertThat(out).contains("Cert Status: revoked", "Revocation Reason: keyCompromise", "Response verify OK",
                deviceFile + ": revoked", "Reason: keyCompromise").doesNotContain("WARNING");
    }

    @Test
    @Order(7)
    void afterARenewal_theSupersededCertificateIsOnTheCrlAlready_nginxRefusesItOnTheNextReload() throws Exception {
        KeyPair oldKeys = TestKeys.rsa2048(2);
        X509Certificate old = enrollOverScep(oldKeys, "CN=nginx-renewing-device,O=scepca it");
        KeyManager oldIdentity = keyManager(oldKeys.getPrivate(), old, intermediate);
        assertThat(reloadAndWaitFor(200, oldIdentity)).isEqualTo(200);

        // Renewal as a device does it: a PKCSReq signed by the certificate being renewed, no challenge.
        KeyPair newKeys = TestKeys.rsa2048(3);
        Client client = new Client(new URL(base + "/scep"), cert -> cert.equals(intermediate) || cert.equals(root));
        EnrollmentResponse renewed = client.enrol(old, oldKeys.getPrivate(),
                Csrs.csr().keys(newKeys).subject("CN=nginx-renewing-device,O=scepca it").build());
        assertThat(renewed.isSuccess()).as("renewal succeeded").isTrue();
        X509Certificate fresh = renewed.getCertStore().getCertificates(null).stream().map(X509Certificate.class::cast)
                .filter(c -> c.getPublicKey().equals(newKeys.getPublic())).findFirst().orElseThrow();

        // No revocation command, no waiting for the scheduled re-sign: the renewal published the CRL before answering.
        assertThat(Pem.crl(Files.readAllBytes(data.resolve("crl/intermediate.crl"))).isRevoked(old)).isTrue();
        assertThat(reloadAndWaitFor(400, oldIdentity)).as("superseded certificate after reload").isEqualTo(400);
        assertThat(get(keyManager(newKeys.getPrivate(), fresh, intermediate), Map.of()).statusCode()).isEqualTo(200);
    }

    /**
     * docs/batch.md's set-up: {@code ssl_verify_client on} with the chain and the CRL, the map {@code scepca nginx-map
     * --out} wrote, and {@code if ($scepca_device = "") { return 403; }}. The map decides among certificates nginx
     * verified: one issued after the map was written is refused with 403 until the map is regenerated and nginx
     * reloaded. A revoked certificate never reaches the map: it fails verification against the CRL, and nginx answers
     * 400 before any location runs; the regenerated map no longer lists it either.
     */
    @Test
    @Order(8)
    void deviceMap_admitsActiveDevicesInTheMap_403ForOthers_andTheRevokedFailTheCrlFirst() throws Exception {
        KeyPair listedKeys = TestKeys.rsa2048(4);
        X509Certificate listed = enrollOverScep(listedKeys, "CN=nginx-map-device-1,O=scepca it");
        Path map = tmp.resolve("scepca-devices.map");
        assertThat(cli("nginx-map", "--data", data.toString(), "--passphrase-file", passphraseFile.toString(),
                "--out", map.toString())).contains("wrote");
        int port = FreePorts.next();
        Path serverFiles = tmp.resolve("tls");
        CaDirectory dir = new CaDirectory(data);
        String block = "    include " + map + ";\n"
                + "    server {\n"
                + "        listen 127.0.0.1:" + port + " ssl;\n"
                + "        server_name localhost;\n"
                + "        ssl_certificate " + serverFiles.resolve("server-chain.pem") + ";\n"
                + "        ssl_certificate_key " + serverFiles.resolve("server.key") + ";\n"
                + "        ssl_verify_client on;\n"
                + "        ssl_verify_depth 2;\n"
                + "        ssl_client_certificate " + dir.chain() + ";\n"
                // Both CAs' CRLs: nginx checks one for every CA in the chain.
                + "        ssl_crl " + dir.crlPem() + ";\n"
                + "        location / {\n"
                + "            if ($scepca_device = \"\") { return 403; }\n"
                + "            default_type text/plain;\n"
                + "            return 200 \"device $scepca_device\";\n"
                + "        }\n"
                + "    }\n";
        Path prefix = tmp.resolve("nginx-map");
        KeyManager listedIdentity = keyManager(listedKeys.getPrivate(), listed, intermediate);
        try (Nginx mapped = Nginx.start(prefix, block, port, WAIT)) {
            HttpResponse<String> admitted = get(listedIdentity, Map.of(), port);
            assertThat(admitted.statusCode()).as(mapped.logs()).isEqualTo(200);
            assertThat(admitted.body()).startsWith("device ").contains("CN=nginx-map-device-1");

            // Verified by nginx (our CA, not on the CRL) but not in the map: the map's 403, not a TLS refusal.
            KeyPair laterKeys = TestKeys.rsa2048(5);
            X509Certificate later = enrollOverScep(laterKeys, "CN=nginx-map-device-2,O=scepca it");
            KeyManager laterIdentity = keyManager(laterKeys.getPrivate(), later, intermediate);
            HttpResponse<String> unlisted = get(laterIdentity, Map.of(), port);
            assertThat(unlisted.statusCode()).isEqualTo(403);
            assertThat(unlisted.body()).contains("403 Forbidden");

            String serial = listed.getSerialNumber().toString(16);
            cli("cert", "revoke", serial, "--reason", "keyCompromise", "--data", data.toString(),
                    "--passphrase-file", passphraseFile.toString());
            assertThat(cli("nginx-map", "--data", data.toString(), "--passphrase-file", passphraseFile.toString(),
                    "--out", map.toString())).contains("wrote");
            String mapText = Files.readString(map);
            assertThat(mapText).contains(nginxSerial(later)).doesNotContain(nginxSerial(listed));

            assertThat(reloadAndWaitFor(mapped, port, 200, laterIdentity)).as("listed after the reload").isEqualTo(200);
            assertThat(waitFor(port, 400, listedIdentity)).as("revoked: refused by the CRL check, before the map")
                    .isEqualTo(400);
            assertThat(get(listedIdentity, Map.of(), port).body()).contains("The SSL certificate error");
            assertThat(Files.readString(prefix.resolve("error.log"))).contains("certificate revoked");
        }
    }

    /** {@code $ssl_client_serial}: OpenSSL's upper-case hex of the serial's bytes, two digits a byte. */
    private static String nginxSerial(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
        return "\"" + (hex.length() % 2 == 1 ? "0" + hex : hex) + "\"";
    }

    private static int reloadAndWaitFor(int expected, KeyManager identity) throws Exception {
        return reloadAndWaitFor(nginx, nginxPort, expected, identity);
    }

    /** Reloads nginx, waits for the old workers to be gone, then polls with fresh connections until {@code expected}. */
    private static int reloadAndWaitFor(Nginx running, int port, int expected, KeyManager identity) throws Exception {
        running.reload(WAIT);
        return waitFor(port, expected, identity);
    }

    /**
     * Polls with fresh connections until {@code expected}. After {@link Nginx#reload} only new workers answer, so the
     * first answer normally is the one expected; the poll is for a nginx that is slow to start (a loaded CI machine).
     */
    private static int waitFor(int port, int expected, KeyManager identity) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        int status;
        do {
            status = get(identity, Map.of(), port).statusCode();
            if (status != expected) {
                Thread.sleep(200);
            }
        } while (status != expected && Instant.now().isBefore(deadline));
        return status;
    }

    // ---- the parts

    /** Our server on a loopback port that its public-base-url (CDP and OCSP URLs in certificates) names. */
    private static Running startServer() throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.next();
            base = "http://127.0.0.1:" + port;
            Path config = new CaDirectory(data).configFile();
            Files.writeString(config, "public-base-url=" + base + "\n" + store);
            try {
                return Running.start(new CaDirectory(data), TestPki.PASSPHRASE, CaConfig.load(config),
                        ServerConfig.defaults("127.0.0.1", port));
            } catch (IOException e) {
                // The port was taken between choosing and binding it.
                if (!(e instanceof BindException || e.getCause() instanceof BindException) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static Nginx startNginx(String serverBlock) throws Exception {
        nginxPrefix = tmp.resolve("nginx");
        return Nginx.start(nginxPrefix, serverBlock, nginxPort, WAIT);
    }

    private static String nginxLogs() throws IOException {
        return nginx.logs();
    }

    /** Enrolls over real SCEP with jscep, authorised by a one-time challenge, and returns the issued certificate. */
    private static X509Certificate enrollOverScep(KeyPair keys, String subject) throws Exception {
        var challenge = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("nginx IT"));
        X500Name name = new X500Name(subject);
        Instant now = Instant.now();
        X509Certificate selfSigned = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        // Trust on first use would do in a test; pinning our own CA certificates costs one line.
        Client client = new Client(new URL(base + "/scep"), cert -> cert.equals(intermediate) || cert.equals(root));
        EnrollmentResponse response = client.enrol(selfSigned, keys.getPrivate(),
                Csrs.csr().keys(keys).subject(subject).challenge(challenge.secret()).build());
        assertThat(response.isSuccess()).as("SCEP enrollment succeeded").isTrue();
        return response.getCertStore().getCertificates(null).stream().map(X509Certificate.class::cast)
                .filter(c -> c.getPublicKey().equals(keys.getPublic())).findFirst().orElseThrow();
    }

    /** GET https://localhost:PORT/ over a new connection (new SSLContext, new client: no pooled or resumed session). */
    private static HttpResponse<String> get(KeyManager keyManager, Map<String, String> headers) throws Exception {
        return get(keyManager, headers, nginxPort);
    }

    private static HttpResponse<String> get(KeyManager keyManager, Map<String, String> headers, int port)
            throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManager == null ? new KeyManager[0] : new KeyManager[] {keyManager}, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/hello"))
                .timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Always presents the given certificate. The JDK's own key manager would send nothing when the issuer is not in
     * nginx's list of acceptable CAs, and the foreign-CA case would then test "no certificate" instead.
     */
    private static KeyManager keyManager(PrivateKey key, X509Certificate... chain) {
        return new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "device";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "device";
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return chain.clone();
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return key;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"device"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return new String[0];
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
    }

    private static OpenSsl.Result ocsp(Path deviceFile) {
        CaDirectory dir = new CaDirectory(data);
        return OpenSsl.run("ocsp", "-issuer", dir.intermediateCert().toString(), "-cert", deviceFile.toString(),
                "-url", base + "/ocsp", "-CAfile", dir.chain().toString(), "-timeout", "10", "-resp_text");
    }

    /** Runs scepca through its real entry point; fails the test on a non-zero exit. */
    private static String cli(String... args) {
        return ScepcaCli.run(args);
    }

    private static Path writePem(String name, String pem) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, pem, StandardCharsets.US_ASCII);
        return p;
    }


    record ProcessResult(int exitCode, String output) {
    }

    private static ProcessResult run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new ProcessResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
