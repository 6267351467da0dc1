package org.scepca.it.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.FreePorts;
import org.scepca.ca.testing.PgCluster;
import org.scepca.it.docker.ImageLayout.Result;

/**
 * The image's entrypoint as a plain process (no Docker engine here): {@code docker/entrypoint.sh} beside the reactor's
 * scepca.jar, {@code SCEPCA_DATA} for {@code /data}, random ports. On H2 as {@code docker run} would start it; then
 * what compose.yaml runs: two replicas on one empty data folder and one PostgreSQL, configured by the environment
 * alone, with nginx in front using docker/nginx's files and crl-reload.sh.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerEntrypointIT {
    private static final DockerFolder FOLDER = new DockerFolder();
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration START = Duration.ofMinutes(3);
    private static final String PASSPHRASE = "a passphrase with spaces, from a docker secret";
    private static final char[] KEY_PASSWORD = "in-memory".toCharArray();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<ProcessHandle> loops = new ArrayList<>();

    @AfterEach
    void stopEverythingStarted() throws InterruptedException {
        for (ProcessHandle loop : loops) {
            loop.descendants().forEach(ProcessHandle::destroy);
            loop.destroy();
        }
        for (Process p : processes) {
            p.destroy(); // SIGTERM, as docker stop: the server's shutdown hook, nginx's fast shutdown
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** A server started by the entrypoint: its process (java, exec'd by the script), ports and output. */
    record Server(Process process, int port, int adminPort, Path log) {
        String base() {
            return "http://127.0.0.1:" + port;
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }
    }

    private Path passphraseFile() throws IOException {
        Path f = tmp.resolve("secrets").resolve("ca_passphrase");
        if (!Files.exists(f)) {
            Files.createDirectories(f.getParent());
            Files.writeString(f, PASSPHRASE + "\n");
        }
        return f;
    }

    /** {@code entrypoint.sh} with no arguments (the image's CMD is serve) on fresh ports. */
    private Server start(ImageLayout image, Map<String, String> env, String name) throws IOException {
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        Map<String, String> all = new HashMap<>(env);
        all.put("SCEPCA_PORT", Integer.toString(port));
        all.put("SCEPCA_ADMIN_PORT", Integer.toString(adminPort));
        Path log = tmp.resolve(name + ".log");
        Process p = image.entrypoint(all).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return new Server(p, port, adminPort, log);
    }

    /** Polls GET {@code url} until {@code status}; fails with the server's output if it exits or time runs out. */
    private static void await(Server server, String url, int status) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            assertThat(server.process().isAlive()).as("the server exited:\n" + server.output()).isTrue();
            try {
                last = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == status) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " did not answer " + status + " within " + START + " (last " + last + "):\n"
                + server.output());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
    }

    @Test
    void onAnEmptyFolder_createsTheNamedCaAndServes_theProbeAnswers_andTheAdminPortIsReachableButLocked() throws Exception {
        ImageLayout image = new ImageLayout(FOLDER, tmp.resolve("app"));
        Path data = tmp.resolve("data");
        Map<String, String> env = Map.of("SCEPCA_DATA", data.toString(),
                "SCEPCA_PASSPHRASE_FILE", passphraseFile().toString(),
                "SCEPCA_INIT_NAME", "Example Devices", "SCEPCA_INIT_ORG", "Example, Inc.",
                "SCEPCA_ADMIN_HOST", "0.0.0.0", "SCEPCA_POLICY_VALIDITY_DAYS", "30");
        Server server = start(image, env, "h2");
        await(server, server.base() + "/healthz", 200);
        await(server, server.base() + "/readyz", 200);

        X509Certificate root = certificate(get(server.base() + "/ca/root.pem").body());
        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Example Devices Root CA,O=Example\\, Inc.");
        assertThat(server.output()).contains("Store:           embedded H2 in " + data.resolve("db"))
                .contains("Configuration keys set by the environment: admin.host (SCEPCA_ADMIN_HOST), admin.port"
                        + " (SCEPCA_ADMIN_PORT), policy.validity-days (SCEPCA_POLICY_VALIDITY_DAYS)")
                .contains("admin.host=0.0.0.0: the admin API and console are reachable from other hosts")
                .doesNotContain(PASSPHRASE);

        // The image's HEALTHCHECK command, with the container's environment.
        Map<String, String> probeEnv = Map.of("SCEPCA_PORT", Integer.toString(server.port()));
        Result healthy = image.run(Duration.ofSeconds(30), probeEnv, "health");
        assertThat(healthy.exitCode()).as(healthy.output()).isZero();

        // The admin connector listens beyond loopback when told to, and still wants a token.
        List<String> hosts = new ArrayList<>(List.of("127.0.0.1"));
        nonLoopbackAddress().ifPresent(a -> hosts.add(a.getHostAddress()));
        for (String host : hosts) {
            HttpResponse<String> me = get("http://" + host + ":" + server.adminPort() + "/api/v1/me");
            assertThat(me.statusCode()).as(host).isEqualTo(401);
            assertThat(me.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }

        server.process().destroy();
        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        Result unhealthy = image.run(Duration.ofSeconds(30), probeEnv, "health");
        assertThat(unhealthy.exitCode()).isEqualTo(1);
        assertThat(unhealthy.output()).startsWith("unhealthy: http://127.0.0.1:" + server.port() + "/healthz");

        // A second start finds the CA: no init, same root.
        Server again = start(image, env, "h2-again");
        await(again, again.base() + "/readyz", 200);
        assertThat(certificate(get(again.base() + "/ca/root.pem").body())).isEqualTo(root);
        assertThat(again.output()).doesNotContain("Creating a CA");
    }

    @Test
    void refusesToStartWithoutExactlyOnePassphraseSource() throws Exception {
        ImageLayout image = new ImageLayout(FOLDER, tmp.resolve("app"));
        Path data = tmp.resolve("data");
        Result none = image.run(Duration.ofSeconds(30), Map.of("SCEPCA_DATA", data.toString()));
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.output().strip()).isEqualTo("scepca-entrypoint: no CA passphrase: mount a secret and set"
                + " SCEPCA_PASSPHRASE_FILE=/run/secrets/NAME (or set SCEPCA_PASSPHRASE)");
        Result both = image.run(Duration.ofSeconds(30), Map.of("SCEPCA_DATA", data.toString(),
                "SCEPCA_PASSPHRASE", "x", "SCEPCA_PASSPHRASE_FILE", passphraseFile().toString()), "init");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.output()).contains("set SCEPCA_PASSPHRASE_FILE or SCEPCA_PASSPHRASE, not both");
        Result missing = image.run(Duration.ofSeconds(30), Map.of("SCEPCA_DATA", data.toString(),
                "SCEPCA_PASSPHRASE_FILE", tmp.resolve("no-such-secret").toString()));
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output()).contains("SCEPCA_PASSPHRASE_FILE=" + tmp.resolve("no-such-secret")
                + " is not a readable file");
        assertThat(data).doesNotExist();
    }

    @Test
    void twoReplicasOnOneEmptyFolderAndOnePostgres_createOneCa_andNginxWithTheComposeFilesServesAndRevokes()
            throws Exception {
        ImageLayout image = new ImageLayout(FOLDER, tmp.resolve("app"));
        Path data = tmp.resolve("data");
        Path dbPassword = tmp.resolve("secrets").resolve("db password");
        Files.createDirectories(dbPassword.getParent());
        Files.writeString(dbPassword, PgCluster.PASSWORD + "\n");
        Map<String, String> env = Map.of("SCEPCA_DATA", data.toString(),
                "SCEPCA_PASSPHRASE_FILE", passphraseFile().toString(),
                "SCEPCA_DB_URL", PgCluster.shared().newDatabase(), "SCEPCA_DB_USER", PgCluster.USER,
                "SCEPCA_DB_PASSWORD_FILE", dbPassword.toString(), "SCEPCA_LIMITS_TRUST_FORWARDED_FOR", "true");

        // Both at once on the empty folder: one creates the CA, the other waits for it (the lock in the folder).
        Server a = start(image, env, "replica-a");
        Server b = start(image, env, "replica-b");
        await(a, a.base() + "/readyz", 200);
        await(b, b.base() + "/readyz", 200);
        String outputs = a.output() + b.output();
        assertThat(Pattern.compile("Creating a CA in ").matcher(outputs).results().count()).as(outputs).isEqualTo(1);
        String rootPem = get(a.base() + "/ca/root.pem").body();
        assertThat(get(b.base() + "/ca/root.pem").body()).isEqualTo(rootPem);
        assertThat(Files.readString(data.resolve("ca/root.pem"))).isEqualTo(rootPem);
        for (Server s : List.of(a, b)) {
            assertThat(s.output()).contains("Store:           PostgreSQL jdbc:postgresql://127.0.0.1:")
                    .contains("db.password-file (SCEPCA_DB_PASSWORD_FILE), db.url (SCEPCA_DB_URL), db.user (SCEPCA_DB_USER)")
                    .doesNotContain(PgCluster.PASSWORD);
        }

        // scepca-init's second job: nginx's certificate and the CA chain, in tls/.
        Map<String, String> initEnv = new HashMap<>(env);
        initEnv.put("SCEPCA_INIT_TLS_DNS", "localhost,ca.example.com");
        Result init = image.run(START, initEnv, "init");
        assertThat(init.exitCode()).as(init.output()).isZero();
        assertThat(init.output()).contains("issued server certificate", "dns:localhost, dns:ca.example.com")
                .doesNotContain("Creating a CA");
        assertThat(data.resolve("tls/ca-chain.pem")).hasSameBinaryContentAs(data.resolve("ca/chain.pem"));
        byte[] tlsCert = Files.readAllBytes(data.resolve("tls/server-chain.pem"));
        Result initAgain = image.run(START, initEnv, "init");
        assertThat(initAgain.exitCode()).as(initAgain.output()).isZero();
        assertThat(data.resolve("tls/server-chain.pem")).as("issued once").hasBinaryContent(tlsCert);

        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (CI installs nginx-light)");
        Nginx nginx = startNginx(data, a, b);
        X509Certificate root = certificate(rootPem);

        // SCEP through nginx's TLS, round robin: both replicas answer.
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> caps = nginx.https(root, null, nginx.scepPort(), "/scep?operation=GetCACaps");
            assertThat(caps.statusCode()).isEqualTo(200);
            assertThat(caps.body()).contains("POSTPKIOperation");
        }
        String access = Files.readString(nginx.prefix().resolve("logs/access.log"));
        assertThat(access).contains("127.0.0.1:" + a.port() + " 200", "127.0.0.1:" + b.port() + " 200");

        // The sample app behind mTLS: a certificate of this CA gets through, nothing else does.
        Result issued = image.run(START, env, "admin", "cert", "issue", "--name", "demo", "--role", "viewer", "--format",
                "pem", "--out", tmp.resolve("demo").toString());
        assertThat(issued.exitCode()).as(issued.output()).isZero();
        Path keyAndChain = tmp.resolve("demo/both.pem");
        Files.writeString(keyAndChain, Files.readString(tmp.resolve("demo/demo.key"))
                + Files.readString(tmp.resolve("demo/demo-chain.pem")));
        Pem.ImportedPem demo = Pem.readKeyAndCertificates(keyAndChain, Passphrase.of("unused"));
        HttpResponse<String> hello = nginx.https(root, demo, nginx.appPort(), "/");
        assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
        assertThat(hello.body()).startsWith("hello CN=demo").contains("verify: SUCCESS");
        assertThat(nginx.https(root, null, nginx.appPort(), "/").statusCode()).isEqualTo(400);

        // Revoked through the CLI (any replica's CRL write would do): crl-reload.sh reloads nginx, which then refuses.
        String serial = demo.certificates().get(0).getSerialNumber().toString(16);
        Result revoked = image.run(START, env, "cert", "revoke", serial, "--reason", "keyCompromise");
        assertThat(revoked.exitCode()).as(revoked.output()).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            status = nginx.https(root, demo, nginx.appPort(), "/").statusCode();
        }
        assertThat(status).as("refused after the CRL reload:\n" + nginx.logs()).isEqualTo(400);
        assertThat(Files.readString(nginx.prefix().resolve("logs/error.log"))).contains("certificate revoked");
        assertThat(nginx.loopOutput()).contains("crl.pem changed; nginx reloaded");

        // A replica gone: requests go to the other one, POSTs too (proxy_next_upstream ... non_idempotent).
        b.process().destroyForcibly().waitFor();
        int direct = post(a.base()).statusCode();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = nginx.post(root, "/scep?operation=PKIOperation");
            assertThat(r.statusCode()).as("through nginx with a replica down: " + r.body()).isEqualTo(direct)
                    .isNotEqualTo(502);
        }
    }

    private static String readIfThere(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static HttpResponse<String> post(String base) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/scep?operation=PKIOperation"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-pki-message")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** nginx with docker/nginx's files, their compose names and paths replaced by this test's ports and folders. */
    private record Nginx(Path prefix, int scepPort, int appPort, Path loopLog) {
        String loopOutput() {
            return readIfThere(loopLog);
        }

        String logs() {
            return readIfThere(prefix.resolve("logs/stdout.log")) + readIfThere(prefix.resolve("logs/error.log"))
                    + loopOutput();
        }

        /** GET over a new connection (new SSLContext: no resumed session), with {@code client}'s certificate if given. */
        HttpResponse<String> https(X509Certificate root, Pem.ImportedPem client, int port, String path) throws Exception {
            return client(root, client).send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(X509Certificate root, String path) throws Exception {
            return client(root, null).send(HttpRequest.newBuilder(URI.create("https://localhost:" + scepPort + path))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-pki-message")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private HttpClient client(X509Certificate root, Pem.ImportedPem client) throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            if (client != null) {
                keys.setKeyEntry("client", client.key(), KEY_PASSWORD, client.certificates().toArray(new X509Certificate[0]));
            }
            kmf.init(keys, KEY_PASSWORD);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        }
    }

    private Nginx startNginx(Path data, Server a, Server b) throws Exception {
        Path prefix = Files.createDirectories(tmp.resolve("nginx"));
        Files.createDirectories(prefix.resolve("conf.d"));
        Files.createDirectories(prefix.resolve("logs"));
        int scepPort = FreePorts.next();
        int appPort = FreePorts.next();
        int upstreamPort = FreePorts.next();
        Map<String, String> names = new java.util.LinkedHashMap<>();
        names.put("/scepca/", data + "/");
        names.put("scepca-1:8080", "127.0.0.1:" + a.port());
        names.put("scepca-2:8080", "127.0.0.1:" + b.port());
        names.put("http://app:8080", "http://127.0.0.1:" + upstreamPort);
        names.put("listen 443 ssl", "listen 127.0.0.1:" + scepPort + " ssl");
        names.put("listen 8443 ssl", "listen 127.0.0.1:" + appPort + " ssl");
        names.put("listen 8080;", "listen 127.0.0.1:" + upstreamPort + ";");
        for (String file : List.of("conf.d/scep.conf", "conf.d/mtls-app.conf", "app.conf")) {
            String text = FOLDER.read("docker/nginx/" + file);
            for (Map.Entry<String, String> e : names.entrySet()) {
                text = text.replace(e.getKey(), e.getValue());
            }
            Files.writeString(prefix.resolve("conf.d").resolve(Path.of(file).getFileName()), text);
        }
        String p = prefix.toString();
        // The official image's nginx.conf around them: what differs is that everything nginx writes stays here, and
        // the access log names the upstream that answered.
        Files.writeString(prefix.resolve("nginx.conf"), "worker_processes 1;\n"
                + "error_log " + p + "/logs/error.log info;\n"
                + "pid " + p + "/nginx.pid;\n"
                + "events { worker_connections 64; }\n"
                + "http {\n"
                + "    log_format upstream '$upstream_addr $status';\n"
                + "    access_log " + p + "/logs/access.log upstream;\n"
                + "    client_body_temp_path " + p + "/client_body;\n"
                + "    proxy_temp_path " + p + "/proxy;\n"
                + "    fastcgi_temp_path " + p + "/fastcgi;\n"
                + "    uwsgi_temp_path " + p + "/uwsgi;\n"
                + "    scgi_temp_path " + p + "/scgi;\n"
                + "    include " + p + "/conf.d/*.conf;\n"
                + "}\n");
        for (Map.Entry<String, String> e : names.entrySet()) {
            assertThat(Files.readString(prefix.resolve("conf.d/scep.conf")) + Files.readString(prefix.resolve("conf.d/mtls-app.conf"))
                    + Files.readString(prefix.resolve("conf.d/app.conf"))).as("replaced " + e.getKey()).doesNotContain(e.getKey());
        }
        // 'nginx' on the PATH of crl-reload.sh is this nginx, as it is in the image.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path wrapper = bin.resolve("nginx");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + NGINX + " -p " + p + " -e " + p + "/logs/error.log -c " + p
                + "/nginx.conf \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));

        Process nginx = new ProcessBuilder(wrapper.toString(), "-g", "daemon off;").redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
        processes.add(nginx);
        Path loopLog = prefix.resolve("logs/crl-reload.log");
        ProcessBuilder loop = new ProcessBuilder(FOLDER.docker.resolve("nginx/crl-reload.sh").toString())
                .redirectErrorStream(true).redirectOutput(loopLog.toFile());
        loop.environment().put("PATH", bin + ":" + loop.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        loop.environment().put("CRL_FILE", data.resolve("crl/crl.pem").toString());
        loop.environment().put("CRL_POLL_SECONDS", "1");
        Process script = loop.start();
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).isZero();
        Matcher pid = Pattern.compile("pid (\\d+)\\)").matcher(Files.readString(loopLog));
        assertThat(pid.find()).as(Files.readString(loopLog)).isTrue();
        ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent(loops::add);

        Nginx n = new Nginx(prefix, scepPort, appPort, loopLog);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(nginx.isAlive()).as("nginx exited:\n" + n.logs()).isTrue();
            try (var s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", scepPort), 500);
                return n;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx did not listen:\n" + n.logs());
    }
}
