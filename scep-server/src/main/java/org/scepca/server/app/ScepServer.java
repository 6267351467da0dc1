package org.scepca.server.app;

import java.util.Objects;
import java.util.Optional;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.scepca.ca.CertificateAuthority;
import org.scepca.est.EstService;
import org.scepca.scep.ScepService;
import org.scepca.server.http.AcmeServlet;
import org.scepca.server.http.BodyLimitHandler;
import org.scepca.server.http.CaFilesServlet;
import org.scepca.server.http.EstServlet;
import org.scepca.server.http.GuardFilter;
import org.scepca.server.http.HealthServlet;
import org.scepca.server.http.NotFoundServlet;
import org.scepca.server.http.OcspServlet;
import org.scepca.server.http.ProblemErrorHandler;
import org.scepca.server.http.RateLimitFilter;
import org.scepca.server.http.ScepServlet;
import org.scepca.server.ocsp.OcspResponder;
import org.scepca.server.profiles.ProfileService;

/** Builds the Jetty server. Separate from {@code main} so tests start it on port 0 and stop it after. */
public final class ScepServer {
    /** Name of the SCEP connector (Jetty matches contexts to connectors by name). */
    public static final String CONNECTOR = "scep";
    /** Name of the public HTTPS connector ({@code public.tls-port}): the same context, plus EST. */
    public static final String TLS_CONNECTOR = "scep-tls";

    private ScepServer() {
    }

    /** What the server exposes. The profile service backs the admin API's profile endpoint. */
    public record Services(CertificateAuthority ca, java.util.Map<String, ScepService> endpoints, OcspResponder ocsp,
            Optional<ProfileService> profiles, java.util.function.Supplier<java.util.List<String>> readinessWarnings,
            java.util.function.IntSupplier replicas,
            java.util.function.Consumer<org.scepca.server.ocsp.OcspResult> ocspObserver,
            java.util.Map<String, org.scepca.acme.AcmeService> acme) {
        /** Without ACME endpoints. */
        public Services(CertificateAuthority ca, java.util.Map<String, ScepService> endpoints, OcspResponder ocsp,
                Optional<ProfileService> profiles, java.util.function.Supplier<java.util.List<String>> readinessWarnings,
                java.util.function.IntSupplier replicas,
                java.util.function.Consumer<org.scepca.server.ocsp.OcspResult> ocspObserver) {
            this(ca, endpoints, ocsp, profiles, readinessWarnings, replicas, ocspObserver, java.util.Map.of());
        }

        /** Without OCSP metrics. */
        public Services(CertificateAuthority ca, java.util.Map<String, ScepService> endpoints, OcspResponder ocsp,
                Optional<ProfileService> profiles, java.util.function.Supplier<java.util.List<String>> readinessWarnings,
                java.util.function.IntSupplier replicas) {
            this(ca, endpoints, ocsp, profiles, readinessWarnings, replicas, r -> {
            });
        }

        /** One server alone (tests). */
        public Services(CertificateAuthority ca, java.util.Map<String, ScepService> endpoints, OcspResponder ocsp,
                Optional<ProfileService> profiles, java.util.function.Supplier<java.util.List<String>> readinessWarnings) {
            this(ca, endpoints, ocsp, profiles, readinessWarnings, () -> 1);
        }

        public Services {
            Objects.requireNonNull(replicas, "replicas is null");
            Objects.requireNonNull(ocspObserver, "ocspObserver is null");
            Objects.requireNonNull(readinessWarnings, "readinessWarnings is null");
            Objects.requireNonNull(ca, "ca is null");
            endpoints = java.util.Map.copyOf(endpoints);
            acme = java.util.Map.copyOf(acme);
            Objects.requireNonNull(ocsp, "ocsp is null");
            Objects.requireNonNull(profiles, "profiles is null");
            if (!endpoints.containsKey(org.scepca.ca.store.ChallengeOrigin.DEFAULT_ENDPOINT)) {
                throw new IllegalArgumentException("the default endpoint is missing");
            }
        }

        public Services(CertificateAuthority ca, ScepService scep, OcspResponder ocsp, Optional<ProfileService> profiles) {
            this(ca, java.util.Map.of(org.scepca.ca.store.ChallengeOrigin.DEFAULT_ENDPOINT, scep), ocsp, profiles,
                    java.util.List::of);
        }

        public Services(CertificateAuthority ca, ScepService scep, OcspResponder ocsp) {
            this(ca, scep, ocsp, Optional.empty());
        }

        /** The default endpoint's service ({@code /scep}). */
        public ScepService scep() {
            return endpoints.get(org.scepca.ca.store.ChallengeOrigin.DEFAULT_ENDPOINT);
        }
    }

    public static Server newServer(ServerConfig config, Services services) {
        return newServer(config, services, System::nanoTime);
    }

    /**
     * @param nanoTime the clock of the rate limits (tests step it by hand)
     * @throws IllegalArgumentException with {@code public.tls-port} but neither its files nor the server's own
     *                                  certificate (which needs the CA passphrase: {@link Running#start})
     */
    public static Server newServer(ServerConfig config, Services services, java.util.function.LongSupplier nanoTime) {
        return newServer(config, services, nanoTime, Optional.empty());
    }

    /** @param publicTls the public HTTPS connector's key and chain ({@link PublicTlsIdentity}) */
    public static Server newServer(ServerConfig config, Services services, java.util.function.LongSupplier nanoTime,
            Optional<PublicTlsIdentity.KeyAndChain> publicTls) {
        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads(), Math.min(8, config.maxThreads()));
        threads.setName("scepca-http");
        Server server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true);
        // GET PKIOperation carries the whole base64 message in the query string (certmonger uses GET only).
        http.setRequestHeaderSize(32 * 1024);
        // GET /ocsp/{base64} (RFC 6960 appendix A): clients escape '/' as %2F, or leave it as is (even "//").
        // Path-based decisions here are exact matches on the raw URI, so these "ambiguous" forms are harmless.
        http.setUriCompliance(UriCompliance.DEFAULT.with("scepca-ocsp", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
        // No per-connection header cache: it is a 192 KiB table built on each connection's first request, and a
        // device makes at most three requests per connection (GetCACaps, GetCACert, PKIOperation).
        http.setHeaderCacheSize(0);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setName(CONNECTOR);
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        if (config.tls().isPresent()) {
            ServerConfig.PublicTls tls = config.tls().get();
            PublicTlsIdentity.KeyAndChain identity = publicTls.orElseThrow(() -> new IllegalArgumentException(
                    "public.tls-port: the connector's key and certificate are missing"));
            // Client certificates wanted, not needed: EST's simplereenroll authenticates with one of ours, and
            // nothing else on this port asks for one (RFC 7030 §3.3.2).
            server.addConnector(TlsConnectors.connector(server, TlsConnectors.sslContext(identity.key(),
                    identity.chain(), services.ca(), TlsConnectors.ClientAuth.WANT), TLS_CONNECTOR, config.host(),
                    tls.port()));
        }

        ServletContextHandler ctx = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        ctx.setContextPath("/");
        ctx.getServletHandler().setDecodeAmbiguousURIs(true);
        // Answer only on the public connectors: the admin connectors have their own context.
        ctx.setVirtualHosts(java.util.List.of("@" + CONNECTOR, "@" + TLS_CONNECTOR));
        ScepServlet scep = new ScepServlet(services.endpoints(), config.maxMessageBytes());
        ctx.addServlet(new ServletHolder("scep", scep), "/scep");
        ctx.addServlet(new ServletHolder("scep-sub", scep), "/scep/*");
        // Some clients hard-code the path Cisco's first SCEP server used.
        ctx.addServlet(new ServletHolder("scep-legacy", scep), "/cgi-bin/pkiclient.exe");
        if (!services.acme().isEmpty()) {
            // RFC 8555: /acme/NAME/directory and the resources it names, behind the same guard and rate limits.
            ctx.addServlet(new ServletHolder("acme", new AcmeServlet(services.acme())), "/acme/*");
        }
        // EST (RFC 7030) for the endpoints configured with endpoint.NAME.est; the servlet refuses plain HTTP.
        java.util.Map<String, EstService> est = new java.util.LinkedHashMap<>();
        for (org.scepca.ca.endpoint.EnrollmentEndpoint e : services.ca().endpoints().all()) {
            if (e.est()) {
                est.put(e.name(), new EstService(services.ca(), e));
            }
        }
        ctx.addServlet(new ServletHolder("est", new EstServlet(est, config.maxMessageBytes())), EstServlet.PATH + "/*");
        CaFilesServlet files = new CaFilesServlet(services.ca());
        ctx.addServlet(new ServletHolder("ca-files", files), "/ca/*");
        ctx.addServlet(new ServletHolder("crl-files", files), "/crl/*");
        OcspServlet ocsp = new OcspServlet(services.ocsp(), OcspServlet.DEFAULT_MAX_REQUEST_BYTES,
                services.ocspObserver());
        ctx.addServlet(new ServletHolder("ocsp", ocsp), "/ocsp");
        ctx.addServlet(new ServletHolder("ocsp-get", ocsp), "/ocsp/*");
        HealthServlet health = new HealthServlet(services.ca(), services.readinessWarnings());
        ctx.addServlet(new ServletHolder("health", health), "/healthz");
        ctx.addServlet(new ServletHolder("ready", health), "/readyz");
        ctx.addServlet(new ServletHolder("not-found", new NotFoundServlet()), "/");
        ctx.addFilter(GuardFilter.class, "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        // Before any servlet reads a body or decrypts: over budget is 503 + Retry-After.
        ctx.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(new RateLimitFilter(config.limits(), nanoTime,
                services.replicas())), "/*",
                java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        // Profiles carry enrollment challenges: they are made only through the authenticated admin API
        // (POST /api/v1/profiles/{preset} on the admin connector), never on this public port.

        server.setErrorHandler(new ProblemErrorHandler());

        server.setHandler(new BodyLimitHandler(config.maxRequestBytes(), ctx));
        server.setStopAtShutdown(false);
        return server;
    }

    /** The port a started server listens on (for port 0). */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The public HTTPS port of a started server, or -1 without {@code public.tls-port}. */
    public static int tlsPort(Server server) {
        return publicConnector(server).map(ServerConnector::getLocalPort).orElse(-1);
    }

    /** The TLS settings of the public HTTPS connector, to serve a renewed certificate ({@code reload}). */
    static Optional<org.eclipse.jetty.util.ssl.SslContextFactory.Server> publicSsl(Server server) {
        return publicConnector(server).map(c -> c.getConnectionFactory(org.eclipse.jetty.server.SslConnectionFactory.class))
                .map(org.eclipse.jetty.server.SslConnectionFactory::getSslContextFactory);
    }

    private static Optional<ServerConnector> publicConnector(Server server) {
        for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
            if (TLS_CONNECTOR.equals(c.getName()) && c instanceof ServerConnector sc) {
                return Optional.of(sc);
            }
        }
        return Optional.empty();
    }
}
