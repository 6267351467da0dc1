package org.scepca.server.admin;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.scepca.ca.audit.AuditLine;
import org.scepca.server.http.Problem;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /api/v1/*}: finds the route, authenticates (401 with {@code WWW-Authenticate: Bearer}, RFC 6750 §3; on the
 * route that takes HTTP Basic too, also {@code Basic realm="scepca-jamf"}, RFC 7617 §2), authorises by role (403),
 * runs the handler, and turns {@link ApiException} into RFC 9457 problem JSON. Failed Basic authentications are
 * limited per source ({@link AuthFailureLimiter}: 429).
 */
final class ApiServlet extends HttpServlet {
    static final String REALM = "scepca-admin";
    static final String BASIC_REALM = "scepca-jamf";

    private final transient List<Route> routes;
    private final transient Authenticator authenticator;
    private final transient ObjectMapper json;
    private final transient AuthFailureLimiter basicFailures;

    ApiServlet(List<Route> routes, Authenticator authenticator, ObjectMapper json, AuthFailureLimiter basicFailures) {
        this.routes = List.copyOf(routes);
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator is null");
        this.json = Objects.requireNonNull(json, "json is null");
        this.basicFailures = Objects.requireNonNull(basicFailures, "basicFailures is null");
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<String> segments = Route.segments(req.getPathInfo() == null ? "/" : req.getPathInfo());
        Set<String> allowed = new LinkedHashSet<>();
        Route route = null;
        Map<String, String> params = Map.of();
        for (Route r : routes) {
            Optional<Map<String, String>> m = r.match(segments);
            if (m.isPresent()) {
                allowed.add(r.method());
                // The first route that matches wins: a literal path (/profiles/batch) is listed before a template
                // that would also match it (/profiles/{preset}).
                if (route == null && r.method().equals(req.getMethod())) {
                    route = r;
                    params = m.get();
                }
            }
        }
        if (allowed.isEmpty()) {
            Problem.send(resp, 404, "not-found", "Not found", "no API resource at this path");
            return;
        }
        if (route == null) {
            resp.setHeader("Allow", String.join(", ", allowed));
            Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "allowed: " + String.join(", ", allowed));
            return;
        }
        Optional<AdminIdentity> identity = Optional.empty();
        if (route.role().isPresent()) {
            boolean basic = Authenticator.isBasic(req.getHeader("Authorization"));
            String source = String.valueOf(req.getRemoteAddr());
            long wait = basic ? basicFailures.retryAfter(source) : 0;
            if (wait > 0) {
                resp.setHeader("Retry-After", Long.toString(wait));
                Problem.send(resp, 429, "rate-limited", "Too many requests", "too many failed Basic"
                        + " authentications from this address; retry after " + wait + " s");
                return;
            }
            Authenticator.Result auth = authenticator.authenticate(req, route.basicAuth());
            if (auth instanceof Authenticator.Identified id) {
                identity = Optional.of(id.identity());
            } else {
                boolean refused = auth instanceof Authenticator.Refused;
                if (basic) {
                    basicFailures.failed(source);
                }
                if (route.basicAuth() && (basic || !refused)) {
                    // RFC 9110 §11.6.1: one challenge per scheme the route takes; Jamf's Basic first.
                    resp.addHeader("WWW-Authenticate", "Basic realm=\"" + BASIC_REALM + "\", charset=\"UTF-8\"");
                }
                if (!basic || !route.basicAuth()) {
                    resp.addHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\""
                            + (refused && !basic ? ", error=\"invalid_token\"" : ""));
                }
                Problem.send(resp, 401, "unauthorized", "Unauthorized", refused
                        ? ((Authenticator.Refused) auth).detail()
                        : route.basicAuth() ? "send 'Authorization: Bearer <token>' or the webhook's Basic credentials"
                                : "send 'Authorization: Bearer <token>'");
                return;
            }
            if (!identity.get().role().includes(route.role().get())) {
                if (!route.method().equals("GET")) {
                    AuditLine.op("admin-api").token("method", route.method()).token("path", route.path())
                            .token("actor", identity.get().actor()).token("outcome", "forbidden")
                            .token("endpoint", AuditLine.endpointOf(identity.get().actor())).token("txid", "-")
                            .text("subject", "-").token("serial", "-").token("device", "-").log();
                }
                Problem.send(resp, 403, "forbidden", "Forbidden", "this needs the " + route.role().get().id()
                        + " role; you have " + identity.get().role().id());
                return;
            }
        }
        try {
            route.handler().handle(new Exchange(req, resp, params, identity, json));
        } catch (ApiException e) {
            Problem.send(resp, e.status(), e.type(), e.title(), e.getMessage(),
                    e.errors().isEmpty() ? Map.of() : Map.of("errors", e.errors().stream().map(f -> {
                        Map<String, String> m = new java.util.LinkedHashMap<>();
                        m.put("field", f.field());
                        m.put("message", f.message());
                        return m;
                    }).toList()));
        }
    }
}
