package org.scepca.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.pem.Pem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Public CA material for devices and relying parties: certificates under {@code /ca/}, CRLs under {@code /crl/}.
 * CRL responses carry caching headers derived from nextUpdate, so caches never serve a CRL past its life. Every file
 * has a strong ETag: a GET with {@code If-None-Match} for the bytes the client holds is answered 304.
 */
public final class CaFilesServlet extends MethodCheckingServlet {
    private final transient CertificateAuthority ca;
    private transient volatile Encoded encoded;

    public CaFilesServlet(CertificateAuthority ca) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI();
        var m = ca.material();
        try {
            switch (path) {
                case "/ca/root.pem" -> send(req, resp, "application/x-pem-file", pem(List.of(m.root())), "max-age=3600");
                case "/ca/root.cer", "/ca/root.crt" -> send(req, resp, "application/pkix-cert", m.root().getEncoded(),
                        "max-age=3600");
                case "/ca/intermediate.pem" -> send(req, resp, "application/x-pem-file",
                        pem(List.of(m.intermediateCertificate())), "max-age=3600");
                case "/ca/intermediate.cer", "/ca/intermediate.crt" -> send(req, resp, "application/pkix-cert",
                        m.intermediateCertificate().getEncoded(), "max-age=3600");
                case "/ca/chain.pem" -> send(req, resp, "application/x-pem-file", pem(m.chain()), "max-age=3600");
                case "/crl/intermediate.crl", "/crl/current.crl" -> crl(req, resp, false);
                case "/crl/intermediate.pem", "/crl/current.pem" -> crl(req, resp, true);
                case "/crl/root.crl" -> file(req, resp, ca.directory().rootCrl(), "application/pkix-crl");
                case "/crl/crl.pem" -> file(req, resp, ca.directory().crlPem(), "application/x-pem-file");
                default -> Problem.send(resp, 404, "not-found", "Not found", "no such CA file");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            Problem.send(resp, 500, "internal", "Internal error", null);
        }
    }

    /** The CRL in both encodings with their entity tags, made once per published CRL rather than per request. */
    private record Encoded(CrlService.Published published, String derTag, byte[] pem, String pemTag) {
        static Encoded of(CrlService.Published p) {
            byte[] pem = Pem.encode(p.crl()).getBytes(StandardCharsets.US_ASCII);
            return new Encoded(p, ConditionalGet.etag(p.der()), pem, ConditionalGet.etag(pem));
        }
    }

    private void crl(HttpServletRequest req, HttpServletResponse resp, boolean asPem) throws IOException {
        CrlService.Published p = ca.crls().current();
        Encoded e = encoded;
        if (e == null || e.published() != p) {
            e = Encoded.of(p);
            encoded = e;
        }
        Instant next = p.crl().getNextUpdate().toInstant();
        long maxAge = Math.max(0, Math.min(Duration.between(Instant.now(), next).getSeconds(), 3600));
        resp.setHeader("Expires", HttpDates.format(next));
        resp.setHeader("Last-Modified", HttpDates.format(p.crl().getThisUpdate().toInstant()));
        if (asPem) {
            send(req, resp, "application/x-pem-file", e.pem(), e.pemTag(), "max-age=" + maxAge);
        } else {
            send(req, resp, "application/pkix-crl", p.der(), e.derTag(), "max-age=" + maxAge);
        }
    }

    private static void file(HttpServletRequest req, HttpServletResponse resp, java.nio.file.Path f, String type)
            throws IOException {
        byte[] body;
        try {
            body = java.nio.file.Files.readAllBytes(f);
        } catch (java.nio.file.NoSuchFileException e) {
            Problem.send(resp, 404, "not-found", "Not found", "not published yet");
            return;
        }
        send(req, resp, type, body, "max-age=300");
    }

    private static byte[] pem(List<?> objects) {
        return Pem.encodeAll(objects);
    }

    private static void send(HttpServletRequest req, HttpServletResponse resp, String type, byte[] body, String cache)
            throws IOException {
        send(req, resp, type, body, ConditionalGet.etag(body), cache);
    }

    /**
     * A 200 with the body, or a 304 without it when the client already holds these bytes (RFC 9110 §15.4.5: a 304
     * carries the ETag, Cache-Control, Expires and Last-Modified the 200 would have).
     */
    private static void send(HttpServletRequest req, HttpServletResponse resp, String type, byte[] body, String etag,
            String cache) throws IOException {
        resp.setHeader("Cache-Control", cache);
        resp.setHeader("ETag", etag);
        if (ConditionalGet.notModified(req, etag)) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
