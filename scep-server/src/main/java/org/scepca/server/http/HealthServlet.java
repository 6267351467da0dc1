package org.scepca.server.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.scepca.ca.CertificateAuthority;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /healthz}: the process answers. {@code /readyz}: the {@link Readiness} checks, each by name; 503 (problem
 * JSON, type {@code not-ready}) naming the failing checks when one fails, else 200 with status {@code ok} or
 * {@code degraded}, the warnings and every check.
 */
public final class HealthServlet extends MethodCheckingServlet {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final transient Readiness readiness;

    public HealthServlet(CertificateAuthority ca) {
        this(ca, List::of);
    }

    /** @param integrationWarnings what the MDM integrations report (an unreachable Intune): status "degraded" */
    public HealthServlet(CertificateAuthority ca, java.util.function.Supplier<List<String>> integrationWarnings) {
        this.readiness = new Readiness(ca, integrationWarnings);
    }

    public HealthServlet(Readiness readiness) {
        this.readiness = Objects.requireNonNull(readiness, "readiness is null");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        Map<String, Object> body = new LinkedHashMap<>();
        if (req.getRequestURI().equals("/readyz")) {
            Readiness.Report report = readiness.check();
            List<Map<String, String>> checks = report.checks().stream().map(c -> {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("status", c.level().id());
                if (!c.detail().isEmpty()) {
                    m.put("detail", c.detail());
                }
                return m;
            }).toList();
            if (!report.ready()) {
                List<String> failing = report.failing();
                String detail = "not ready: " + String.join(", ", report.checks().stream()
                        .filter(c -> c.level() == Readiness.Level.FAIL).map(c -> c.name() + " (" + c.detail() + ")")
                        .toList());
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("failing", failing);
                extra.put("checks", checks);
                Problem.send(resp, 503, "not-ready", "Not ready", detail, extra);
                return;
            }
            body.put("status", report.status());
            body.put("warnings", report.warnings());
            body.put("checks", checks);
        } else {
            body.put("status", "ok");
        }
        resp.setContentType("application/json");
        resp.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
