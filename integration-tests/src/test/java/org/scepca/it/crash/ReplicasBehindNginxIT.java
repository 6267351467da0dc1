package org.scepca.it.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.FreePorts;
import org.scepca.ca.testing.PgCluster;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two server processes (the installed jar, each with its own copy of one CA's data folder, as two hosts would have) on
 * one PostgreSQL database, behind nginx doing round robin on loopback:
 * <ul>
 * <li>a challenge minted on A is spent on B;</li>
 * <li>a load run through nginx goes on while A is SIGKILLed mid-run: enrollments continue on B;</li>
 * <li>afterwards every certificate a client received is stored once, with the DER the client got (serials are the
 * primary key: unique by construction), and the CRL both replicas serve, and the files both write for their nginx,
 * hold every revocation made through either.</li>
 * </ul>
 */
class ReplicasBehindNginxIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path tmp;
    static Scepca scepca;
    static Path dataA;
    static Path dataB;
    static Scepca.Server a;
    static Scepca.Server b;
    static org.scepca.it.Nginx nginx;
    static int nginxPort;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(org.scepca.it.Nginx.BINARY), "nginx is not installed");
        scepca = new Scepca(Scepca.repoRoot());
        String url = PgCluster.shared().newDatabase();
        dataA = tmp.resolve("host-a");
        Scepca.CliResult init = scepca.cli(Duration.ofMinutes(3), "init", "--data", dataA.toString());
        assertThat(init.ok()).as(init.printed()).isTrue();
        Files.writeString(tmp.resolve("db-password"), PgCluster.PASSWORD + "\n");
        Files.writeString(dataA.resolve("scepca.properties"), "\ndb.url=" + url + "\ndb.user=" + PgCluster.USER
                + "\ndb.password-file=../db-password\n", java.nio.file.StandardOpenOption.APPEND);
        dataB = CrashHarness.copy(dataA, tmp.resolve("host-b"));
        Scepca.CliResult t = scepca.cli(Duration.ofSeconds(60), "admin", "token", "create", "--data", dataA.toString(),
                "--name", "replicas-it", "--quiet");
        assertThat(t.ok()).as(t.printed()).isTrue();
        token = t.out().strip();
        a = scepca.serve(dataA, tmp.resolve("a.log"));
        b = scepca.serve(dataB, tmp.resolve("b.log"));
        assertThat(a.awaitReady(Duration.ofSeconds(60))).as(a.logTail(30)).isTrue();
        assertThat(b.awaitReady(Duration.ofSeconds(60))).as(b.logTail(30)).isTrue();
        nginxPort = FreePorts.next();
        nginx = startNginx(a.port, b.port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        for (Scepca.Server s : new Scepca.Server[] {a, b}) {
            if (s != null) {
                s.kill();
            }
        }
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    @Test
    void aChallengeMintedOnAIsSpentOnB_once() throws Exception {
        AdminClient adminA = new AdminClient(a.adminBase(), token);
        AdminClient.Minted c = adminA.createChallenge("minted-on-a");
        ScepDevice onB = ScepDevice.against(b.base(), ScepDevice.caCertificates(b.base()).ra());
        ScepDevice onA = ScepDevice.against(a.base(), ScepDevice.caCertificates(a.base()).ra());
        ScepDevice.Reply first = onB.enroll(keys(), "CN=spent-on-b", c.secret());
        assertThat(first.success()).as(first.toString()).isTrue();
        ScepDevice.Reply again = onA.enroll(keys(), "CN=spent-again-on-a", c.secret());
        assertThat(again.success()).as("the same challenge on the other replica").isFalse();
        // The token made with the CLI on host A's folder works on B: tokens live in the shared database.
        assertThat(new AdminClient(b.adminBase(), token).me()).isEqualTo(200);
    }

    @Test
    void loadThroughNginx_survivesLosingAReplica_andBothServeEveryRevocation() throws Exception {
        String base = "http://127.0.0.1:" + nginxPort;
        ScepDevice device = ScepDevice.against(base, ScepDevice.caCertificates(base).ra());
        AdminClient adminA = new AdminClient(a.adminBase(), token);
        AdminClient adminB = new AdminClient(b.adminBase(), token);
        AdminClient adminAAtStart = adminA;
        Map<String, byte[]> received = new ConcurrentHashMap<>(); // serial -> DER, as clients got them
        AtomicBoolean killed = new AtomicBoolean();
        AtomicLong afterKill = new AtomicLong();
        AtomicInteger transportErrors = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 6; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                int seq = 0;
                while (!stop.get()) {
                    try {
                        // The operator's side: challenges from whichever replica is up (B never dies).
                        AdminClient admin = killed.get() || n % 2 == 1 ? adminB : adminAAtStart;
                        AdminClient.Minted c = admin.createChallenge("load-" + n);
                        ScepDevice.Reply r = device.enroll(keys(), "CN=load-" + n + "-" + seq++, c.secret());
                        if (r.success()) {
                            received.put(r.certificate().getSerialNumber().toString(16), r.certificate().getEncoded());
                            if (killed.get()) {
                                afterKill.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        transportErrors.incrementAndGet(); // the request died with A; a client tries again
                    } catch (Exception e) {
                        failures.add(e);
                        return;
                    }
                }
            }, "replica-load-" + i);
            t.start();
            clients.add(t);
        }
        awaitAtLeast(received, 30, Duration.ofSeconds(120));
        // Revocations through both replicas while both run.
        List<String> revoked = new ArrayList<>();
        List<String> serials = new ArrayList<>(received.keySet());
        for (int i = 0; i < 6; i++) {
            String serial = serials.get(i);
            assertThat((i % 2 == 0 ? adminA : adminB).revoke(serial, "keyCompromise")).isEqualTo(200);
            revoked.add(serial);
        }
        a.kill();
        killed.set(true);
        int atKill = received.size();
        awaitAtLeast(received, atKill + 30, Duration.ofSeconds(120));
        stop.set(true);
        for (Thread t : clients) {
            t.join(120_000);
        }
        assertThat(failures).isEmpty();
        assertThat(afterKill.get()).as("enrollments through nginx after A died").isGreaterThanOrEqualTo(30);
        // A revocation through B while A is down, then A comes back.
        String lateSerial = new ArrayList<>(received.keySet()).get(received.size() - 1);
        assertThat(adminB.revoke(lateSerial, "superseded")).isEqualTo(200);
        revoked.add(lateSerial);
        a = scepca.serve(dataA, tmp.resolve("a2.log"));
        assertThat(a.awaitReady(Duration.ofSeconds(60))).as(a.logTail(30)).isTrue();
        adminA = new AdminClient(a.adminBase(), token);

        // Every certificate a client received is stored once, as received.
        Map<String, Integer> listed = new HashMap<>();
        for (JsonNode c : adminA.allCertificates()) {
            listed.merge(c.path("serial").asText(), 1, Integer::sum);
        }
        for (Map.Entry<String, byte[]> e : received.entrySet()) {
            assertThat(listed.get(e.getKey())).as("stored copies of " + e.getKey()).isEqualTo(1);
            assertThat(adminA.der(e.getKey())).as("stored DER of " + e.getKey()).hasValueSatisfying(
                    der -> assertThat(der).isEqualTo(e.getValue()));
        }
        assertThat(listed.values()).as("no serial listed twice").allMatch(n -> n == 1);

        // The CRL both serve, and the files both write for nginx, hold every revocation made through either.
        for (Scepca.Server s : new Scepca.Server[] {a, b}) {
            X509CRL served = crl(s.base());
            assertThat(serials(served)).as("CRL served by " + s.base()).containsAll(revoked);
        }
        for (Path data : List.of(dataA, dataB)) {
            Path file = data.resolve("crl/intermediate.crl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!serials(Pem.crl(Files.readAllBytes(file))).containsAll(revoked) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(serials(Pem.crl(Files.readAllBytes(file)))).as(file.toString()).containsAll(revoked);
        }
        assertThat(crl(a.base()).getEncoded()).isEqualTo(crl(b.base()).getEncoded());
        System.out.printf("replicas: %d certificates received (%d after A was killed), %d transport errors, %d revoked%n",
                received.size(), afterKill.get(), transportErrors.get(), revoked.size());
    }

    private static void awaitAtLeast(Map<String, byte[]> received, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + received.size() + " certificates in " + timeout + "; A: "
                        + a.logTail(20) + "\nB: " + b.logTail(20));
            }
            Thread.sleep(100);
        }
    }

    private static X509CRL crl(String base) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/crl/intermediate.crl"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return Pem.crl(r.body());
    }

    private static Set<String> serials(X509CRL crl) {
        Set<String> out = new HashSet<>();
        if (crl.getRevokedCertificates() != null) {
            crl.getRevokedCertificates().forEach(e -> out.add(e.getSerialNumber().toString(16)));
        }
        return out;
    }

    /** nginx round robin over both replicas; a refused connection (a dead replica) goes to the other one. */
    private static org.scepca.it.Nginx startNginx(int portA, int portB) throws Exception {
        return org.scepca.it.Nginx.start(tmp.resolve("nginx"), "    upstream scepca {\n"
                + "        server 127.0.0.1:" + portA + " max_fails=1 fail_timeout=5s;\n"
                + "        server 127.0.0.1:" + portB + " max_fails=1 fail_timeout=5s;\n"
                + "    }\n"
                + "    server {\n"
                + "        listen 127.0.0.1:" + nginxPort + ";\n"
                + "        client_max_body_size 1m;\n"
                + "        location / {\n"
                + "            proxy_pass http://scepca;\n"
                + "            proxy_connect_timeout 2s;\n"
                + "            proxy_next_upstream error timeout;\n"
                + "        }\n"
                + "    }\n", nginxPort, Duration.ofSeconds(30));
    }
}
