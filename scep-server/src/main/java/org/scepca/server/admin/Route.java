package org.scepca.server.admin;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.tokens.AdminRole;

/**
 * One admin API operation: method, path template below {@code /api/v1} ({@code /certificates/{serial}/revoke}), the
 * role it needs (empty: public) and the handler. The list of routes is the single source for dispatch and for the
 * test that keeps the OpenAPI document in sync.
 *
 * @param basicAuth whether HTTP Basic credentials are accepted here too (Jamf Pro's webhook cannot send a bearer
 *                  token in older versions); everywhere else Basic is refused
 */
record Route(String method, String path, Optional<AdminRole> role, Handler handler, boolean basicAuth) {
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    Route {
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(role, "role is null");
        Objects.requireNonNull(handler, "handler is null");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /");
        }
    }

    Route(String method, String path, Optional<AdminRole> role, Handler handler) {
        this(method, path, role, handler, false);
    }

    /** This route, accepting HTTP Basic credentials as well (the Jamf webhook's). */
    Route withBasicAuth() {
        return new Route(method, path, role, handler, true);
    }

    static Route get(String path, AdminRole role, Handler h) {
        return new Route("GET", path, Optional.of(role), h);
    }

    static Route post(String path, AdminRole role, Handler h) {
        return new Route("POST", path, Optional.of(role), h);
    }

    static Route delete(String path, AdminRole role, Handler h) {
        return new Route("DELETE", path, Optional.of(role), h);
    }

    /** The path parameters if {@code requestPath} fits this route's template, else empty. */
    Optional<Map<String, String>> match(List<String> requestSegments) {
        List<String> template = segments(path);
        if (template.size() != requestSegments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String s = requestSegments.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (s.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), s);
            } else if (!t.equals(s)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    static List<String> segments(String p) {
        String trimmed = p.startsWith("/") ? p.substring(1) : p;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }
}
