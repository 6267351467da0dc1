package org.scepca.server.http;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

import org.scepca.server.ocsp.OcspResponder;
import org.scepca.server.ocsp.OcspResult;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * OCSP over HTTP (RFC 6960 appendix A): POST with an {@code application/ocsp-request} body, or GET
 * {@code /ocsp/{url-encoded base64 request}}. Every OCSP answer, errors included, is an
 * {@code application/ocsp-response} with HTTP 200 (OpenSSL's client ignores the body of any other status).
 * Only transport problems get problem JSON: a body over the limit (413), a wrong content type (415), another method
 * (405).
 */
public final class OcspServlet extends HttpServlet {
    public static final String REQUEST_TYPE = "application/ocsp-request";
    public static final String RESPONSE_TYPE = "application/ocsp-response";
    /** An OCSP request for one certificate is about 100 bytes; a signed one with its chain a few KiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024;
    private static final String PATH = "/ocsp";

    private final transient OcspResponder responder;
    private final int maxRequestBytes;
    private final transient java.util.function.Consumer<OcspResult> observer;

    public OcspServlet(OcspResponder responder, int maxRequestBytes) {
        this(responder, maxRequestBytes, r -> {
        });
    }

    /** @param observer told of every OCSP answer (the server's metrics); quick, never throws */
    public OcspServlet(OcspResponder responder, int maxRequestBytes, java.util.function.Consumer<OcspResult> observer) {
        this.observer = Objects.requireNonNull(observer, "observer is null");
        this.responder = Objects.requireNonNull(responder, "responder is null");
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be at least 1024");
        }
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        switch (req.getMethod()) {
            case "GET", "HEAD" -> get(req, resp);
            case "POST" -> post(req, resp);
            default -> {
                resp.setHeader("Allow", "GET, HEAD, POST");
                Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "OCSP uses GET or POST");
            }
        }
    }

    private void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // The raw path: the base64 text may hold '/' and '+', escaped (%2F, %2B) or, from some clients, not.
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + PATH + "/";
        // A responder URL written with a trailing '/' (".../ocsp/") gives ".../ocsp//MEow...": a DER request's
        // base64 starts with 'M', never with '/', so leading slashes are the URL's, not the request's.
        String encoded = uri.startsWith(prefix) ? uri.substring(prefix.length()).replaceFirst("^/+", "") : "";
        // base64 is 4/3 of the DER, and percent-encoding can triple that.
        if (encoded.length() > maxRequestBytes * 4) {
            Problem.send(resp, 414, "request-too-large", "OCSP request too large",
                    "OCSP requests are limited to " + maxRequestBytes + " bytes; use POST");
            return;
        }
        byte[] der;
        try {
            der = Base64Message.decode(encoded);
        } catch (IllegalArgumentException e) {
            der = new byte[0]; // not base64: answered as malformedRequest below
        }
        write(resp, responder.respond(der), true);
    }

    private void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // The raw header: Jetty's getContentType() throws on an unknown charset parameter (a 500, found by fuzzing).
        String type = req.getHeader("Content-Type");
        if (type != null && !mediaType(type).equals(REQUEST_TYPE)) {
            Problem.send(resp, 415, "unsupported-media-type", "Unsupported media type",
                    "POST an OCSP request as " + REQUEST_TYPE);
            return;
        }
        byte[] der;
        try {
            der = Bodies.read(req, maxRequestBytes);
        } catch (Bodies.TooLargeException e) {
            Problem.send(resp, 413, "request-too-large", "OCSP request too large",
                    "OCSP requests are limited to " + maxRequestBytes + " bytes");
            return;
        }
        write(resp, responder.respond(der), false);
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private void write(HttpServletResponse resp, OcspResult result, boolean cacheable) throws IOException {
        observer.accept(result);
        resp.setStatus(200);
        resp.setContentType(RESPONSE_TYPE);
        resp.setContentLength(result.der().length);
        if (cacheable && result.successful()) {
            // RFC 5019 §6.2: let HTTP caches keep a GET answer until its nextUpdate, and not a second longer.
            Instant thisUpdate = result.thisUpdate().orElseThrow();
            Instant nextUpdate = result.nextUpdate().orElseThrow();
            long maxAge = Math.max(0, Duration.between(thisUpdate, nextUpdate).getSeconds());
            resp.setHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
            resp.setHeader("Last-Modified", HttpDates.format(thisUpdate));
            resp.setHeader("Expires", HttpDates.format(nextUpdate));
        } else {
            resp.setHeader("Cache-Control", "no-store");
        }
        resp.getOutputStream().write(result.der());
    }

}
