package org.scepca.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.scepca.ca.CertificateAuthority;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code /healthz}: the process answers. {@code /readyz}: the database answers and the CA is in date. */
public final class HealthServlet extends HttpServlet {
    private final transient CertificateAuthority ca;

    public HealthServlet(CertificateAuthority ca) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getRequestURI().equals("/readyz")) {
            try {
                ca.certificates().count();
                if (ca.material().intermediateCertificate().getNotAfter().toInstant().isBefore(ca.clock().instant())) {
                    Problem.send(resp, 503, "not-ready", "Not ready", "the issuing CA has expired");
                    return;
                }
            } catch (RuntimeException e) {
                Problem.send(resp, 503, "not-ready", "Not ready", "the database does not answer");
                return;
            }
        }
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write("{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
    }
}
