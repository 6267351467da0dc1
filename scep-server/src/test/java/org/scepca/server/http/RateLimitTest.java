package org.scepca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * Per-source limits on a real Jetty. Requests come from 127.0.0.1, so loopback is not exempt here and, to tell
 * sources apart, the source is taken from X-Forwarded-For (as behind a proxy). The limiter's clock is stepped by hand.
 */
class RateLimitTest {
    @TempDir
    static Path dir;
    static Running server;
    static final AtomicLong NOW = new AtomicLong(1_000_000_000_000L);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        RateLimits limits = new RateLimits(true, 2, 3, 1, 2, 1, false, true);
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0).withLimits(limits), AdminConfig.disabled(), NOW::get);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String query, String source) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/scep?" + query))
                .header("X-Forwarded-For", "203.0.113.9, " + source).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> pkiOperation(String source) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/scep?operation=PKIOperation"))
                .header("X-Forwarded-For", source).header("Content-Type", "application/x-pki-message")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x00})).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSourceOverItsBudgetGets503WithRetryAfter_othersAreUnaffected_andTheBucketRefills() throws Exception {
        String a = "198.51.100.1";
        for (int i = 0; i < 3; i++) {
            assertThat(get("operation=GetCACaps", a).statusCode()).as("burst of 3").isEqualTo(200);
        }
        HttpResponse<String> refused = get("operation=GetCACert", a);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(get("operation=GetCACaps", "198.51.100.2").statusCode()).as("another source").isEqualTo(200);
        NOW.addAndGet(1_000_000_000L); // one second: two tokens at 2/s
        assertThat(get("operation=GetCACaps", a).statusCode()).isEqualTo(200);
        assertThat(get("operation=GetCACaps", a).statusCode()).isEqualTo(200);
        assertThat(get("operation=GetCACaps", a).statusCode()).isEqualTo(503);
    }

    @Test
    void pkiOperationsHaveTheirOwnBudget_refusedBeforeTheBodyIsRead() throws Exception {
        String b = "2001:db8:1:2::10";
        assertThat(get("operation=GetCACaps", b).statusCode()).isEqualTo(200);
        // Garbage bodies: a 400 when the request gets through, 503 once over budget (nothing is decoded then).
        assertThat(pkiOperation(b).statusCode()).isEqualTo(400);
        assertThat(pkiOperation(b).statusCode()).isEqualTo(400);
        HttpResponse<String> refused = pkiOperation(b);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        // The same IPv6 /64 is one source.
        assertThat(pkiOperation("2001:db8:1:2::99").statusCode()).isEqualTo(503);
        assertThat(get("operation=GetCACaps", b).statusCode()).as("cheap budget untouched").isEqualTo(200);
    }

    @Test
    void pkiOperationsInProgressAreCappedForAllSourcesTogether() throws Exception {
        // One PKIOperation holds the only permit while its body trickles in (the servlet is blocked reading it). The
        // permit comes back when the filter chain returns, which can be just after its client has the answer: on a
        // loaded machine a request of the test before still held it, so the slow request was refused at once and the
        // others were never busy. A slow request that is answered before its body is sent is tried again.
        for (int attempt = 1; ; attempt++) {
            try (java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port())) {
                var out = slow.getOutputStream();
                out.write(("POST /scep?operation=PKIOperation HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For:"
                        + " 192.0.2.50\r\nContent-Type: application/x-pki-message\r\nContent-Length: 100\r\n\r\n0")
                        .getBytes());
                out.flush();
                slow.setSoTimeout(500);
                try {
                    if (slow.getInputStream().read() >= 0) {
                        assertThat(attempt).as("the slow request was answered at once every time").isLessThan(20);
                        NOW.addAndGet(10_000_000_000L);
                        continue;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // no answer: it is waiting for its body, holding the permit
                }
                slow.setSoTimeout(0);
                HttpResponse<String> busy = null;
                // Until the slow request has reached the filter (on a loaded machine that can take a while: a count
                // of tries failed in CI); each try is another source with a fresh budget.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                for (int i = 0; System.nanoTime() < deadline && (busy == null || busy.statusCode() != 503); i++) {
                    busy = pkiOperation("192.0.2." + (100 + i % 100));
                    NOW.addAndGet(10_000_000_000L);
                    if (busy.statusCode() != 503) {
                        Thread.sleep(5);
                    }
                }
                assertThat(busy.statusCode()).isEqualTo(503);
                assertThat(busy.body()).contains("busy");
                out.write(new byte[99]);
                out.flush();
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(slow.getInputStream()))
                        .readLine();
                assertThat(status).startsWith("HTTP/1.1 400");
                break;
            }
        }
        NOW.addAndGet(10_000_000_000L);
        assertThat(pkiOperation("192.0.2.7").statusCode()).as("the permit is back").isEqualTo(400);
    }

    /**
     * Replicas on one database share the budgets: with a second live replica each enforces half, so a source a load
     * balancer spreads over both gets the configured budget in all. When the other replica leaves, the whole budget
     * is back.
     */
    @Test
    void aSecondLiveReplicaHalvesThisOnesShare() throws Exception {
        var replicas = new org.scepca.ca.store.Replicas(server.ca().database(), java.time.Clock.systemUTC());
        java.util.concurrent.atomic.AtomicInteger source = new java.util.concurrent.atomic.AtomicInteger(1);
        replicas.register("another-replica", "host-b", "test");
        try {
            // Burst 3 alone; ceil(3 / 2) = 2 each with two replicas. Each try is a fresh source.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> burstOf("198.51.100."
                    + (10 + source.getAndIncrement())) == 2);
        } finally {
            replicas.leave("another-replica");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> burstOf("198.51.100."
                + (10 + source.getAndIncrement())) == 3);
    }

    /** How many cheap requests a fresh source gets before a 503 (the clock does not move meanwhile). */
    private static int burstOf(String source) throws Exception {
        for (int i = 0; i < 10; i++) {
            if (get("operation=GetCACaps", source).statusCode() == 503) {
                return i;
            }
        }
        return 10;
    }

    @Test
    void configKeysAreValidatedByName() {
        Properties p = new Properties();
        p.setProperty("limits.per-source-rps", "0");
        assertThatThrownBy(() -> ServerConfig.limits(p)).hasMessageContaining("limits.per-source-rps");
        p.setProperty("limits.per-source-rps", "10");
        p.setProperty("limits.per-source-burst", "5");
        assertThatThrownBy(() -> ServerConfig.limits(p)).hasMessageContaining("limits.per-source-burst");
        Properties q = new Properties();
        q.setProperty("limits.trust-forwarded-for", "maybe");
        assertThatThrownBy(() -> ServerConfig.limits(q)).hasMessageContaining("limits.trust-forwarded-for");
        q.setProperty("limits.trust-forwarded-for", "true");
        q.setProperty("limits.max-concurrent-pkioperations", "8");
        assertThat(ServerConfig.limits(q)).satisfies(l -> {
            assertThat(l.trustForwardedFor()).isTrue();
            assertThat(l.maxConcurrentPkiOperations()).isEqualTo(8);
            assertThat(l.exemptLoopback()).as("default").isTrue();
        });
        assertThat(CaConfig.KEYS).containsAll(ServerConfig.KEYS);
    }
}
