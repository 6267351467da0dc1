package org.scepca.server.http;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.scepca.acme.AcmeProblem;
import org.scepca.acme.AcmeResponse;
import org.scepca.acme.AcmeService;

/**
 * The HTTP adapter of the ACME endpoints: {@code /acme/NAME/...} to the endpoint's {@link AcmeService}, whose answer
 * (status, headers, body) goes out unchanged. Bodies are bounded; POST bodies must be {@code application/jose+json}
 * (RFC 8555 section 6.2). Problems are RFC 7807 documents with ACME error types, written by the core.
 */
public final class AcmeServlet extends HttpServlet {
    /** A JWS with a CSR is a few KiB; device-attest-01's attestation object (certificate chain, CBOR) stays well under. */
    public static final int MAX_BODY = 64 * 1024;

    private final transient Map<String, AcmeService> endpoints;

    public AcmeServlet(Map<String, AcmeService> endpoints) {
        this.endpoints = Map.copyOf(endpoints);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String rest = Optional.ofNullable(req.getPathInfo()).orElse("");
        int slash = rest.indexOf('/', 1);
        AcmeService acme = slash < 0 ? null : endpoints.get(rest.substring(1, slash));
        if (acme == null) {
            Problem.send(resp, 404, "not-found", "Not found", "no ACME endpoint here");
            return;
        }
        String path = rest.substring(slash + 1);
        String method = req.getMethod();
        byte[] body = new byte[0];
        if (method.equals("POST")) {
            String type = Optional.ofNullable(req.getContentType()).orElse("").toLowerCase(Locale.ROOT);
            if (!type.startsWith("application/jose+json")) {
                Bodies.discardRest(req);
                write(resp, acme.handleProblem(new AcmeProblem(AcmeProblem.Type.MALFORMED,
                        "ACME requests are application/jose+json (RFC 8555 section 6.2)", 415, Map.of())));
                return;
            }
            try {
                body = Bodies.read(req, MAX_BODY);
            } catch (Bodies.TooLargeException e) {
                write(resp, acme.handleProblem(new AcmeProblem(AcmeProblem.Type.MALFORMED, "the request body exceeds "
                        + MAX_BODY + " bytes", 413, Map.of())));
                return;
            }
        }
        write(resp, acme.handle(method, path, body));
    }

    private static void write(HttpServletResponse resp, AcmeResponse r) throws IOException {
        resp.setStatus(r.status());
        r.headers().forEach(resp::setHeader);
        if (!r.headers().containsKey("Cache-Control")) {
            resp.setHeader("Cache-Control", "no-store");
        }
        resp.setContentLength(r.body().length);
        resp.getOutputStream().write(r.body());
    }
}
