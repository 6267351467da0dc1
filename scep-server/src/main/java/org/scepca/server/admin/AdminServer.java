package org.scepca.server.admin;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.scepca.ca.CertificateAuthority;
import org.scepca.server.http.BodyLimitHandler;
import org.scepca.server.http.GuardFilter;
import org.scepca.server.http.HealthServlet;
import org.scepca.server.http.Problem;
import org.scepca.server.profiles.ProfileService;
import org.scepca.server.app.ScepServer;
import org.scepca.server.app.TlsConnectors;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Adds the admin surface (JSON API under {@code /api/v1}, console under {@code /console/}) to a server on its own
 * connectors, so it is never reachable through the SCEP port. Jetty routes by connector name: the SCEP context
 * answers on {@code @scep}, this one on {@code @admin} and {@code @admin-tls}.
 */
public final class AdminServer {
    public static final String CONNECTOR = "admin";
    public static final String TLS_CONNECTOR = "admin-tls";
    /** Whole-request cap, checked by Jetty; the API itself reads at most {@link Exchange#MAX_BODY_BYTES}. */
    private static final long MAX_REQUEST_BYTES = 64 * 1024;

    private AdminServer() {
    }

    /** The JSON mapper for request bodies: strict, so a typo in a field name is an error, not a silent default. */
    static ObjectMapper jsonMapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** The API's routes, for the OpenAPI sync test and for dispatch. */
    static List<Route> routes(CertificateAuthority ca, Optional<ProfileService> profiles, IntSupplier scepPort) {
        return new AdminApi(ca, profiles, scepPort).routes();
    }

    /**
     * Adds the admin connectors and context to {@code server} (not yet started). Does nothing if disabled.
     *
     * @param profiles profile generation for {@code POST /api/v1/profiles/{preset}}, if this server offers it
     */
    public static void attach(Server server, AdminConfig config, CertificateAuthority ca,
            Optional<ProfileService> profiles) {
        attach(server, config, ca, profiles, System::nanoTime);
    }

    /** @param nanoTime the clock of the limit on failed Basic authentications (tests step it) */
    public static void attach(Server server, AdminConfig config, CertificateAuthority ca,
            Optional<ProfileService> profiles, java.util.function.LongSupplier nanoTime) {
        attach(server, config, ca, profiles, nanoTime, Optional.empty(), List::of);
    }

    /**
     * @param metrics            the Prometheus text of {@code GET /metrics}, if this server keeps metrics
     * @param readinessWarnings  what the MDM integrations report, for {@code /readyz} (as on the SCEP connector)
     */
    public static void attach(Server server, AdminConfig config, CertificateAuthority ca,
            Optional<ProfileService> profiles, java.util.function.LongSupplier nanoTime,
            Optional<java.util.function.Supplier<String>> metrics,
            java.util.function.Supplier<List<String>> readinessWarnings) {
        Objects.requireNonNull(metrics, "metrics is null");
        Objects.requireNonNull(readinessWarnings, "readinessWarnings is null");
        Objects.requireNonNull(server, "server is null");
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(ca, "ca is null");
        if (!config.enabled()) {
            return;
        }
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector plain = new ServerConnector(server, new HttpConnectionFactory(http));
        plain.setName(CONNECTOR);
        plain.setHost(config.host());
        plain.setPort(config.port());
        plain.setIdleTimeout(30_000);
        server.addConnector(plain);
        config.tls().ifPresent(tls -> server.addConnector(tlsConnector(server, tls, ca)));

        ServletContextHandler ctx = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        ctx.setContextPath("/");
        ctx.setVirtualHosts(List.of("@" + CONNECTOR, "@" + TLS_CONNECTOR));
        Authenticator auth = new Authenticator(ca.tokens(), ca.certificates(), ca.material().intermediateCertificate(),
                ca.clock(), config.jamf().flatMap(org.scepca.jamf.JamfConfig::webhook));
        ctx.addServlet(new ServletHolder("admin-api", new ApiServlet(routes(ca, profiles,
                () -> port(server, ScepServer.CONNECTOR)), auth, jsonMapper(), new AuthFailureLimiter(nanoTime))),
                "/api/v1/*");
        ctx.addServlet(new ServletHolder("admin-console", new ConsoleServlet()), "/console/*");
        HealthServlet health = new HealthServlet(ca, readinessWarnings);
        ctx.addServlet(new ServletHolder("admin-health", health), "/healthz");
        metrics.ifPresent(m -> ctx.addServlet(new ServletHolder("admin-metrics", new MetricsServlet(m, auth,
                config.metricsPublic())), "/metrics"));
        ctx.addServlet(new ServletHolder("admin-ready", health), "/readyz");
        ctx.addServlet(new ServletHolder("admin-root", new RootServlet()), "/");
        ctx.addFilter(new FilterHolder(new SecurityHeadersFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addFilter(new FilterHolder(new CsrfFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addFilter(GuardFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));

        Handler limit = new BodyLimitHandler(MAX_REQUEST_BYTES, ctx);
        Handler existing = server.getHandler();
        server.setHandler(existing == null ? limit : new Handler.Sequence(existing, limit));
    }

    /** The local port of a started connector by name, or -1 if there is none. */
    public static int port(Server server, String connectorName) {
        for (Connector c : server.getConnectors()) {
            if (connectorName.equals(c.getName()) && c instanceof ServerConnector sc) {
                return sc.getLocalPort();
            }
        }
        return -1;
    }

    /**
     * TLS with client certificates required (RFC 8446 §4.3.2 CertificateRequest), trusting only this CA: the
     * handshake fails for anyone without a certificate we issued.
     */
    private static ServerConnector tlsConnector(Server server, AdminConfig.Tls tls, CertificateAuthority ca) {
        return TlsConnectors.connector(server, TlsConnectors.sslContext(tls.certificateChain(), tls.privateKey(), ca,
                TlsConnectors.ClientAuth.NEED, "admin."), TLS_CONNECTOR, tls.host(), tls.port());
    }

    /** {@code /} goes to the console; anything else unmapped is a problem JSON 404. */
    private static final class RootServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if ("/".equals(req.getRequestURI()) && "GET".equals(req.getMethod())) {
                resp.sendRedirect("/console/");
                return;
            }
            Problem.send(resp, 404, "not-found", "Not found", "no resource at this path");
        }
    }
}
