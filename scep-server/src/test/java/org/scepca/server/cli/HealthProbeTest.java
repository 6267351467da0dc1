package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The image's HEALTHCHECK: 200 is healthy; another status, nothing listening or a malformed URL is not. */
class HealthProbeTest {
    @Test
    void healthyOnlyWhenTheUrlAnswers200() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(200, 2);
            ex.getResponseBody().write("ok".getBytes());
            ex.close();
        });
        http.createContext("/readyz", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        http.createContext("/not-ready", ex -> {
            byte[] b = ("{\"type\":\"https://scepca.org/problems/not-ready\",\"status\":503,"
                    + "\"detail\":\"not ready: crl (the CRL is past its \\\"nextUpdate\\\")\",\"failing\":[\"crl\"]}")
                    .getBytes();
            ex.sendResponseHeaders(503, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            assertThat(HealthProbe.check(base + "/healthz")).isNull();
            assertThat(HealthProbe.check(base + "/readyz")).endsWith("answered 503");
            assertThat(HealthProbe.check(base + "/nothing")).endsWith("answered 404");
            // /readyz's problem JSON names the failing check: the probe's one line says it.
            assertThat(HealthProbe.check(base + "/not-ready"))
                    .endsWith("answered 503: not ready: crl (the CRL is past its \"nextUpdate\")");
        } finally {
            http.stop(0);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(HealthProbe.check("http://127.0.0.1:" + closed + "/healthz")).contains("ConnectException");
        assertThat(HealthProbe.check("no url")).isNotNull();
    }
}
