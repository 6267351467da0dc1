package org.scepca.server.metrics;

import java.io.IOException;
import java.util.Objects;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code scepca_http_requests_seconds{connector, endpoint, status}}: every request of one servlet context, timed
 * from the first filter to the end of the servlet. The endpoint label is a fixed set of areas (never the raw path, which
 * a client chooses), so the number of series stays bounded.
 */
final class HttpMetricsFilter implements Filter {
    private final MeterRegistry registry;
    private final String connector;

    HttpMetricsFilter(MeterRegistry registry, String connector) {
        this.registry = Objects.requireNonNull(registry, "registry is null");
        this.connector = Objects.requireNonNull(connector, "connector is null");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        boolean threw = true;
        try {
            chain.doFilter(req, res);
            threw = false;
        } finally {
            int status = threw ? 500 : ((HttpServletResponse) res).getStatus();
            Timer.builder("scepca.http.requests").description("HTTP requests by connector, endpoint and status")
                    .tags("connector", connector, "endpoint", endpoint(((HttpServletRequest) req).getRequestURI()),
                            "status", Integer.toString(status))
                    .serviceLevelObjectives(ServerMetrics.BUCKETS).register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** The area a path belongs to (the servlet mappings of ScepServer and AdminServer). */
    static String endpoint(String uri) {
        if (uri == null) {
            return "other";
        }
        if (uri.equals("/scep") || uri.startsWith("/scep/") || uri.equals("/cgi-bin/pkiclient.exe")) {
            return "scep";
        }
        if (uri.equals("/ocsp") || uri.startsWith("/ocsp/")) {
            return "ocsp";
        }
        if (uri.startsWith("/acme/")) {
            return "acme";
        }
        if (uri.equals("/.well-known/est") || uri.startsWith("/.well-known/est/")) {
            return "est";
        }
        if (uri.startsWith("/ca/") || uri.startsWith("/crl/")) {
            return "ca-files";
        }
        if (uri.equals("/healthz") || uri.equals("/readyz")) {
            return "health";
        }
        if (uri.startsWith("/api/")) {
            return "admin-api";
        }
        if (uri.startsWith("/console")) {
            return "console";
        }
        if (uri.equals("/metrics")) {
            return "metrics";
        }
        return "other";
    }
}
