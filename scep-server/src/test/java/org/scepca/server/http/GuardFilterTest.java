package org.scepca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scepca.ca.store.StoreUnavailableException;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Whatever a servlet throws, the client gets a problem JSON 500 with nothing of the exception in it; an unreachable
 * database, a 503 to try again.
 */
class GuardFilterTest {
    private static final String SECRET = "jdbc:h2:file:/srv/scepca/db password=hunter2";
    private static Server server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler();
        ctx.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                switch (req.getPathInfo()) {
                    case "/runtime" -> throw new IllegalStateException(SECRET);
                    case "/io" -> throw new IOException(SECRET);
                    case "/servlet" -> throw new ServletException(SECRET, new RuntimeException(SECRET));
                    case "/unavailable" -> throw new StoreUnavailableException(SECRET,
                            new java.sql.SQLException(SECRET, "08006"));
                    default -> throw new Error(SECRET);
                }
            }
        }), "/fail/*");
        ctx.addFilter(GuardFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"runtime", "io", "servlet"})
    void anEscapedExceptionIsAnOpaqueProblem(String kind) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/fail/" + kind)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        assertThat(r.body()).contains("\"type\":\"" + Problem.TYPE_BASE + "internal\"")
                .doesNotContain("hunter2").doesNotContain("Exception").doesNotContain("at org.");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    /** A database restarting or failing over is "try again", not an internal error (issue 13). */
    @org.junit.jupiter.api.Test
    void anUnreachableDatabaseIsA503WithRetryAfter() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/fail/unavailable")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        assertThat(r.body()).contains("\"type\":\"" + Problem.TYPE_BASE + "database-unavailable\"")
                .doesNotContain("hunter2").doesNotContain("Exception").doesNotContain("08006");
    }
}
