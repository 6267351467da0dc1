package org.scepca.server.http;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Last line of defence: an exception that escapes a servlet becomes a problem JSON 500 with no detail; the log gets
 * the type and message (never a request payload). Also sets headers every response should carry.
 */
public final class GuardFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(GuardFilter.class);
    /** Methods left to the servlets (each answers 405 itself for those it does not support); TRACE is not one. */
    static final java.util.Set<String> SERVLET_METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "OPTIONS");
    static final String ALLOW = "GET, HEAD, POST, OPTIONS, DELETE";
    /** A PostgreSQL restart or failover takes seconds (docs/postgresql-failover.md). */
    static final String RETRY_AFTER_SECONDS = "5";

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException {
        HttpServletResponse resp = (HttpServletResponse) res;
        resp.setHeader("X-Content-Type-Options", "nosniff");
        String method = ((jakarta.servlet.http.HttpServletRequest) req).getMethod();
        if (!SERVLET_METHODS.contains(method)) {
            // A method HttpServlet does not know gets 501 with an empty body there, and TRACE would echo the request's
            // headers back (cross-site tracing); RFC 9110 §15.5.6: 405 with the methods we use. The servlets answer
            // the standard methods they do not support (PUT, DELETE, ...) with their own 405 and Allow.
            resp.setHeader("Allow", ALLOW);
            Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "use " + ALLOW);
            return;
        }
        try {
            chain.doFilter(new AsSent((jakarta.servlet.http.HttpServletRequest) req), res);
        } catch (org.eclipse.jetty.io.EofException e) {
            // the client went away mid-response: nobody to answer, nothing wrong here
        } catch (ServletException | IOException | RuntimeException e) {
            // IOException too: left to Jetty, it becomes an HTML error page instead of a problem JSON.
            Throwable t = e instanceof ServletException && e.getCause() != null ? e.getCause() : e;
            if (t instanceof org.scepca.ca.store.StoreUnavailableException) {
                // The database is restarting or failing over: not a fault of ours to report as 500, and the client
                // may try again (RFC 9110 §15.6.4); a repeated SCEP message then gets its stored answer.
                LOG.warn("database unavailable on {}: {}", ((jakarta.servlet.http.HttpServletRequest) req).getRequestURI(),
                        t.getMessage());
                resp.setHeader("Retry-After", RETRY_AFTER_SECONDS);
                Problem.send(resp, 503, "database-unavailable", "Service unavailable",
                        "the database cannot be reached; try again shortly");
                return;
            }
            if (t instanceof java.nio.charset.UnsupportedCharsetException
                    || t instanceof java.nio.charset.IllegalCharsetNameException) {
                // Decoding the request in a charset it names that this JVM lacks (a form body, a reader): the client's
                // format, not our fault (RFC 9110 §15.5.16).
                Problem.send(resp, 415, "unsupported-media-type", "Unsupported media type",
                        "the request names a charset this server does not know");
                return;
            }
            if (t instanceof org.eclipse.jetty.http.HttpException bad && bad.getCode() >= 400 && bad.getCode() < 500) {
                Problem.send(resp, bad.getCode(), "bad-request", "Bad request", null);
                return;
            }
            LOG.error("unhandled {} on {}: {}", t.getClass().getSimpleName(),
                    ((jakarta.servlet.http.HttpServletRequest) req).getRequestURI(), t.getMessage());
            Problem.send(resp, 500, "internal", "Internal error", "the server could not complete the request");
        }
    }

    /**
     * The request as the client sent it, to every servlet: Jetty's {@code getContentType()} and
     * {@code getCharacterEncoding()} throw {@code UnsupportedCharsetException} on a charset parameter the JVM does not
     * know ({@code application/jose+json; charset=x}), which escaped as a 500 from each servlet that asked (fuzzing
     * found it in the OCSP responder, the admin API and then ACME). Here the Content-Type is the header itself, and a
     * charset nobody can decode in is no charset: each servlet judges the media type as it does for any other value,
     * and none decodes a body by the client's charset (SCEP, OCSP, ACME and EST bodies are binary or ASCII, JSON is
     * UTF-8 by RFC 8259 §8.1).
     */
    static final class AsSent extends jakarta.servlet.http.HttpServletRequestWrapper {
        AsSent(jakarta.servlet.http.HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getContentType() {
            return getHeader("Content-Type");
        }

        @Override
        public String getCharacterEncoding() {
            try {
                return super.getCharacterEncoding();
            } catch (IllegalArgumentException e) { // UnsupportedCharsetException, IllegalCharsetNameException
                return null;
            }
        }
    }
}
