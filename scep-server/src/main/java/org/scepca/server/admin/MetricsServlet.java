package org.scepca.server.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.http.Problem;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics} on the admin connector: the Prometheus text format (0.0.4, what Prometheus 2.x scrapes). Needs
 * what {@code GET /api/v1/dashboard} needs: a viewer or admin identity (a bearer token, or an admin client certificate
 * on the mTLS connector). An enroller token is refused: it sits in an MDM's settings and may only mint challenges.
 * With {@code admin.metrics-public=true} anyone who reaches the admin connector may scrape (the numbers are counts,
 * never names or serials).
 *
 * <p>A credential that passed is remembered for {@link #REMEMBER} (by its SHA-256, like the token store keeps it): a
 * scrape then needs no database, so Prometheus still sees this replica, and {@code scepca_store_up 0}, while the
 * database is down. The price: a revoked token may scrape for up to a minute more.
 */
final class MetricsServlet extends HttpServlet {
    private final transient Supplier<String> scrape;
    private final transient Authenticator authenticator;
    private final boolean open;
    static final java.time.Duration REMEMBER = java.time.Duration.ofSeconds(60);
    /** SHA-256 of an Authorization header that identified a viewer, and until when (System.nanoTime). */
    private final transient java.util.Map<String, Long> remembered = new java.util.concurrent.ConcurrentHashMap<>();

    MetricsServlet(Supplier<String> scrape, Authenticator authenticator, boolean open) {
        this.scrape = Objects.requireNonNull(scrape, "scrape is null");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator is null");
        this.open = open;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
            resp.setHeader("Allow", "GET, HEAD");
            Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "allowed: GET, HEAD");
            return;
        }
        if (!open && !remembered(req)) {
            Authenticator.Result auth = authenticator.authenticate(req);
            if (!(auth instanceof Authenticator.Identified id)) {
                boolean refused = auth instanceof Authenticator.Refused;
                resp.addHeader("WWW-Authenticate", "Bearer realm=\"" + ApiServlet.REALM + "\""
                        + (refused ? ", error=\"invalid_token\"" : ""));
                Problem.send(resp, 401, "unauthorized", "Unauthorized", refused
                        ? ((Authenticator.Refused) auth).detail()
                        : "send 'Authorization: Bearer <token>' (a viewer token: 'scepca admin token create"
                                + " --role viewer'), or set admin.metrics-public=true");
                return;
            }
            if (!id.identity().role().includes(AdminRole.VIEWER)) {
                Problem.send(resp, 403, "forbidden", "Forbidden", "metrics need the viewer role; you have "
                        + id.identity().role().id());
                return;
            }
            remember(req);
        }
        byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType(org.scepca.server.metrics.ServerMetrics.CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        if (req.getMethod().equals("GET")) {
            resp.getOutputStream().write(body);
        }
    }

    private static String key(HttpServletRequest req) {
        String authorization = req.getHeader("Authorization");
        return authorization == null ? null
                : org.scepca.ca.pem.Pem.sha256Hex(authorization.strip().getBytes(StandardCharsets.UTF_8));
    }

    private boolean remembered(HttpServletRequest req) {
        String key = key(req);
        Long until = key == null ? null : remembered.get(key);
        return until != null && until - System.nanoTime() > 0;
    }

    /** Only bearer tokens: a client certificate is checked by the TLS handshake and the store each time. */
    private void remember(HttpServletRequest req) {
        String key = key(req);
        if (key == null) {
            return;
        }
        if (remembered.size() > 100) {
            remembered.clear(); // a handful of Prometheus servers scrape; more keys than that are not worth keeping
        }
        remembered.put(key, System.nanoTime() + REMEMBER.toNanos());
    }
}
