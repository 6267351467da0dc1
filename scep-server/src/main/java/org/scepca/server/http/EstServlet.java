package org.scepca.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.est.EstCredentials;
import org.scepca.est.EstReply;
import org.scepca.est.EstService;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * EST over HTTPS (RFC 7030 §3.2): {@code /.well-known/est[/LABEL]/OPERATION}, the label being an endpoint's name
 * (none: the default endpoint). Decodes base64 PKCS#10 bodies (line breaks tolerated, RFC 8951 §3.2), takes the HTTP
 * Basic password and the TLS client certificate, and encodes the answers in base64 with the content types of
 * §4.1.3, §4.2.3 and §4.5.2. Refusals are RFC 9457 problem documents; the core's reason is their detail.
 *
 * <p>Served over TLS only: a request that reached the plain-HTTP port is refused (§3.3.1: the client must be able to
 * authenticate the server, and the Basic password would travel in clear text).
 */
public final class EstServlet extends HttpServlet {
    public static final String PATH = "/.well-known/est";
    static final String PKCS7 = "application/pkcs7-mime; smime-type=certs-only";
    static final String CSRATTRS = "application/csrattrs";
    private static final long serialVersionUID = 1L;

    private final transient Map<String, EstService> endpoints;
    private final int maxMessageBytes;

    /** @param endpoints the EST endpoints by name; {@value ChallengeOrigin#DEFAULT_ENDPOINT} serves the unlabelled path */
    public EstServlet(Map<String, EstService> endpoints, int maxMessageBytes) {
        this.endpoints = Map.copyOf(endpoints);
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        if (!req.isSecure()) {
            Bodies.discardRest(req);
            Problem.send(resp, 403, "https-required", "HTTPS required",
                    "EST is served over HTTPS only (RFC 7030 §3.3): use the server's public.tls-port");
            return;
        }
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        String[] parts = info.startsWith("/") ? info.substring(1).split("/", -1) : new String[0];
        String label;
        String op;
        if (parts.length == 1) {
            label = ChallengeOrigin.DEFAULT_ENDPOINT;
            op = parts[0];
        } else if (parts.length == 2 && !parts[0].equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            // The default endpoint has one path (no label): /.well-known/est/default would be a second name for it.
            label = parts[0];
            op = parts[1];
        } else {
            Problem.send(resp, 404, "unknown-endpoint", "Unknown EST endpoint", "no EST endpoint at this path");
            return;
        }
        EstService est = endpoints.get(label);
        if (est == null) {
            Problem.send(resp, 404, "unknown-endpoint", "Unknown EST endpoint", "no EST endpoint at this path");
            return;
        }
        switch (op) {
            case "cacerts" -> {
                if (allowed(req, resp, "GET")) {
                    sendBase64(resp, 200, PKCS7, est.caCerts());
                }
            }
            case "csrattrs" -> {
                if (allowed(req, resp, "GET")) {
                    Optional<byte[]> attrs = est.csrAttrs();
                    if (attrs.isPresent()) {
                        sendBase64(resp, 200, CSRATTRS, attrs.get());
                    } else {
                        resp.setStatus(204); // §4.5.2: no attributes to suggest
                    }
                }
            }
            case "simpleenroll", "simplereenroll" -> {
                if (allowed(req, resp, "POST")) {
                    enroll(req, resp, est, op.equals("simplereenroll"));
                }
            }
            case "serverkeygen", "fullcmc" -> Problem.send(resp, 501, "not-supported", "Not supported",
                    op + " is not offered: keys are made by the client, and full CMC is not implemented");
            default -> Problem.send(resp, 404, "unknown-operation", "Unknown EST operation",
                    "the EST operations are cacerts, simpleenroll, simplereenroll and csrattrs");
        }
    }

    private static boolean allowed(HttpServletRequest req, HttpServletResponse resp, String method) throws IOException {
        if (req.getMethod().equals(method) || (method.equals("GET") && req.getMethod().equals("HEAD"))) {
            return true;
        }
        Bodies.discardRest(req);
        resp.setHeader("Allow", method);
        Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "use " + method);
        return false;
    }

    private void enroll(HttpServletRequest req, HttpServletResponse resp, EstService est, boolean reenroll)
            throws IOException {
        String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/pkcs10")) {
            Bodies.discardRest(req);
            Problem.send(resp, 415, "unsupported-media-type", "Unsupported media type",
                    "send the CSR as application/pkcs10 (base64, RFC 7030 §4.2.1)");
            return;
        }
        byte[] body;
        // Base64 is 4/3 the size of the DER it carries, plus line breaks; the policy bounds the CSR itself.
        int limit = maxMessageBytes * 2;
        try {
            body = Bodies.read(req, limit);
        } catch (Bodies.TooLargeException e) {
            Problem.send(resp, 413, "too-large", "Request too large", "the body may be at most " + limit + " bytes");
            return;
        }
        Optional<byte[]> csr = decode(body);
        if (csr.isEmpty()) {
            Problem.send(resp, 400, "bad-request", "Bad request", "the body is not a base64 PKCS#10 request");
            return;
        }
        EstReply reply = reenroll ? est.simpleReenroll(csr.get(), credentials(req))
                : est.simpleEnroll(csr.get(), credentials(req));
        if (reply instanceof EstReply.Issued issued) {
            sendBase64(resp, 200, PKCS7, issued.pkcs7());
        } else if (reply instanceof EstReply.Pending pending) {
            // §4.2.3: 202 with Retry-After; the client sends the same request again then.
            resp.setStatus(202);
            resp.setHeader("Retry-After", Long.toString(pending.retryAfter().toSeconds()));
            resp.setContentType("text/plain; charset=utf-8");
            resp.getOutputStream().write("the request awaits approval; send it again after Retry-After seconds\n"
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            refuse(resp, (EstReply.Refused) reply);
        }
    }

    private static void refuse(HttpServletResponse resp, EstReply.Refused refused) throws IOException {
        switch (refused.kind()) {
            case UNAUTHORIZED -> {
                // RFC 7030 §3.2.3 and RFC 7617: the challenge password is the Basic password; the user name is free.
                resp.setHeader("WWW-Authenticate", "Basic realm=\"est\", charset=\"UTF-8\"");
                Problem.send(resp, 401, "unauthorized", "Unauthorized", refused.reason());
            }
            case FORBIDDEN -> Problem.send(resp, 403, "forbidden", "Forbidden", refused.reason());
            case BAD_REQUEST -> Problem.send(resp, 400, "bad-request", "Bad request", refused.reason());
            case UNAVAILABLE -> {
                resp.setHeader("Retry-After", GuardFilter.RETRY_AFTER_SECONDS);
                Problem.send(resp, 503, "database-unavailable", "Service unavailable", refused.reason());
            }
            case INTERNAL -> Problem.send(resp, 500, "internal", "Internal error",
                    "the server could not complete the request");
        }
    }

    /**
     * What the client presented: the Basic password (RFC 7617; user name ignored) and the TLS client certificate
     * the handshake validated against this CA's root and issuing CA.
     */
    static EstCredentials credentials(HttpServletRequest req) {
        Optional<String> password = Optional.empty();
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon >= 0) {
                    password = Optional.of(pair.substring(colon + 1));
                }
            } catch (IllegalArgumentException e) {
                // not base64: no password
            }
        }
        Optional<X509Certificate> client = Optional.empty();
        if (req.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain
                && chain.length > 0) {
            client = Optional.of(chain[0]);
        }
        return new EstCredentials(password, client);
    }

    /** Base64 with line breaks and other white space ignored (RFC 7030 §4.2.1, RFC 8951 §3.2). */
    static Optional<byte[]> decode(byte[] body) {
        StringBuilder b = new StringBuilder(body.length);
        for (byte x : body) {
            if (x != ' ' && x != '\r' && x != '\n' && x != '\t') {
                b.append((char) (x & 0xff));
            }
        }
        try {
            byte[] der = Base64.getDecoder().decode(b.toString());
            return der.length == 0 ? Optional.empty() : Optional.of(der);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Base64 in 64-character lines (RFC 7030 §4.1.3: Content-Transfer-Encoding base64; RFC 8951 §3.1: a base64
     * body whatever the header says).
     */
    private static void sendBase64(HttpServletResponse resp, int status, String contentType, byte[] der)
            throws IOException {
        byte[] body = Base64.getMimeEncoder(64, new byte[] {'\r', '\n'}).encode(der);
        resp.setStatus(status);
        resp.setContentType(contentType);
        resp.setHeader("Content-Transfer-Encoding", "base64");
        resp.setContentLength(body.length + 2);
        resp.getOutputStream().write(body);
        resp.getOutputStream().write(new byte[] {'\r', '\n'});
    }
}
