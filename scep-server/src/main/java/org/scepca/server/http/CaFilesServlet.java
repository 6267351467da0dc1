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
 * CRL responses carry caching headers derived from nextUpdate, so caches never serve a CRL past its life.
 */
public final class CaFilesServlet extends MethodCheckingServlet {
    private final transient CertificateAuthority ca;

    public CaFilesServlet(CertificateAuthority ca) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI();
        var m = ca.material();
        try {
            switch (path) {
                case "/ca/root.pem" -> send(resp, "application/x-pem-file", pem(List.of(m.root())), "max-age=3600");
                case "/ca/root.cer", "/ca/root.crt" -> send(resp, "application/pkix-cert", m.root().getEncoded(), "max-age=3600");
                case "/ca/intermediate.pem" -> send(resp, "application/x-pem-file", pem(List.of(m.intermediateCertificate())),
                        "max-age=3600");
                case "/ca/intermediate.cer", "/ca/intermediate.crt" -> send(resp, "application/pkix-cert",
                        m.intermediateCertificate().getEncoded(), "max-age=3600");
                case "/ca/chain.pem" -> send(resp, "application/x-pem-file", pem(m.chain()), "max-age=3600");
                case "/crl/intermediate.crl", "/crl/current.crl" -> crl(resp, false);
                case "/crl/intermediate.pem", "/crl/current.pem" -> crl(resp, true);
                case "/crl/root.crl" -> file(resp, ca.directory().rootCrl(), "application/pkix-crl");
                case "/crl/crl.pem" -> file(resp, ca.directory().crlPem(), "application/x-pem-file");
                default -> Problem.send(resp, 404, "not-found", "Not found", "no such CA file");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            Problem.send(resp, 500, "internal", "Internal error", null);
        }
    }

    private void crl(HttpServletResponse resp, boolean asPem) throws IOException {
        CrlService.Published p = ca.crls().current();
        Instant next = p.crl().getNextUpdate().toInstant();
        long maxAge = Math.max(0, Math.min(Duration.between(Instant.now(), next).getSeconds(), 3600));
        resp.setHeader("Expires", HttpDates.format(next));
        resp.setHeader("Last-Modified", HttpDates.format(p.crl().getThisUpdate().toInstant()));
        if (asPem) {
            send(resp, "application/x-pem-file", Pem.encode(p.crl()).getBytes(StandardCharsets.US_ASCII), "max-age=" + maxAge);
        } else {
            send(resp, "application/pkix-crl", p.der(), "max-age=" + maxAge);
        }
    }

    private static void file(HttpServletResponse resp, java.nio.file.Path f, String type) throws IOException {
        if (!java.nio.file.Files.exists(f)) {
            Problem.send(resp, 404, "not-found", "Not found", "not published yet");
            return;
        }
        send(resp, type, java.nio.file.Files.readAllBytes(f), "max-age=300");
    }

    private static byte[] pem(List<?> objects) {
        return Pem.encodeAll(objects);
    }

    private static void send(HttpServletResponse resp, String type, byte[] body, String cache) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setContentLength(body.length);
        resp.setHeader("Cache-Control", cache);
        resp.getOutputStream().write(body);
    }
}
