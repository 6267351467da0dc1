package org.scepca.server.admin;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

import org.scepca.server.http.Problem;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Cross-site request forgery defence for every admin connector. On the mTLS connector the browser presents the
 * client certificate by itself (an ambient credential, like a cookie), so a page on any site could make an admin's
 * browser POST a form or an empty body that revokes a certificate. A mutating request (POST, PUT, PATCH, DELETE) must
 * therefore
 * <ol>
 * <li>say {@code Content-Type: application/json}, even with an empty body (415 otherwise): a cross-site page can send
 * that only after a CORS preflight, which this server never approves (Fetch standard, "CORS-safelisted request
 * header": form, multipart and text/plain are what a page may send without one);</li>
 * <li>come from this origin (403 otherwise): an {@code Origin} header, when present, must name the host and port the
 * request was sent to (its Host header; a proxy in front must keep Host); without Origin, {@code Sec-Fetch-Site}
 * must be absent (curl, scripts, Jamf), {@code same-origin} or {@code none} (typed by the user).</li>
 * </ol>
 * Reads (GET, HEAD, OPTIONS) change nothing and pass.
 */
final class CsrfFilter implements Filter {
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (MUTATING.contains(request.getMethod())) {
            if (!isJson(request.getHeader("Content-Type"))) {
                Problem.send(response, 415, "unsupported-media-type", "Unsupported media type",
                        "changes need 'Content-Type: application/json' (an empty body too)");
                return;
            }
            String refusal = crossSite(request);
            if (refusal != null) {
                Problem.send(response, 403, "cross-site-request", "Cross-site request refused", refusal);
                return;
            }
        }
        chain.doFilter(req, res);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return media.equals("application/json");
    }

    /** Why the request is not same-origin, or null if it is. */
    static String crossSite(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null) {
            String host = request.getHeader("Host");
            String authority = authority(origin);
            if (host == null || authority == null || !sameAuthority(authority, host)) {
                return "the request comes from another origin";
            }
            return null;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "the request comes from another site";
        }
        return null;
    }

    /** "host:port" of an origin, with the scheme's default port written out; null if it is not an http(s) origin. */
    private static String authority(String origin) {
        try {
            URI u = new URI(origin.strip());
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                return null; // "null" (sandboxed, file:) and anything odd is not this origin
            }
            int port = u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            return u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /**
     * Whether an origin's "host:port" is the Host header's. A Host without a port means the default port of whatever
     * scheme the browser used, which behind a TLS proxy is not the scheme we see: either default matches then (the
     * host name must still be the same).
     */
    private static boolean sameAuthority(String originAuthority, String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            return originAuthority.equals(h);
        }
        return originAuthority.equals(h + ":80") || originAuthority.equals(h + ":443");
    }
}
