package org.scepca.server.http;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.material.CaLifetime;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code /healthz}: the process answers. {@code /readyz}: the database answers; warnings about the issuing CA. */
public final class HealthServlet extends HttpServlet {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final transient CertificateAuthority ca;
    private final transient java.util.function.Supplier<List<String>> integrationWarnings;

    public HealthServlet(CertificateAuthority ca) {
        this(ca, List::of);
    }

    /** @param integrationWarnings what the MDM integrations report (an unreachable Intune): status "degraded" */
    public HealthServlet(CertificateAuthority ca, java.util.function.Supplier<List<String>> integrationWarnings) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.integrationWarnings = Objects.requireNonNull(integrationWarnings, "integrationWarnings is null");
    }

    /**
     * Ready: the database answers. An issuing CA near or past its end is reported in {@code warnings}; an expired one
     * makes the status "degraded", not unready: the CRL, OCSP and GetCACert must stay reachable behind a load balancer.
     */
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String status = "ok";
        List<String> warnings = List.of();
        if (req.getRequestURI().equals("/readyz")) {
            try {
                ca.certificates().count();
            } catch (RuntimeException e) {
                Problem.send(resp, 503, "not-ready", "Not ready", "the database does not answer");
                return;
            }
            X509Certificate issuing = ca.material().intermediateCertificate();
            Instant now = ca.clock().instant();
            List<String> all = new java.util.ArrayList<>();
            CaLifetime.warning(issuing, now).ifPresent(all::add);
            List<String> integrations = integrationWarnings.get();
            all.addAll(integrations);
            warnings = all;
            // Degraded, not unready: the other endpoints, the CRL, OCSP and GetCACert still work.
            status = CaLifetime.expired(issuing, now) || !integrations.isEmpty() ? "degraded" : "ok";
        }
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        if (req.getRequestURI().equals("/readyz")) {
            body.put("warnings", warnings);
        }
        resp.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
