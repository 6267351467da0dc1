package org.scepca.server.http;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.material.CaLifetime;

/**
 * What {@code /readyz} checks, each by name, so that a 503 says which check failed. Only what a load balancer can act
 * on makes this replica unready: a database it cannot reach, or a CRL past its nextUpdate (relying parties refuse it,
 * and re-signing has evidently failed). An issuing CA near its end is a warning and an expired one makes the replica
 * "degraded", not unready: GetCACert, the CRL and OCSP must stay reachable for the certificates already out there.
 */
public final class Readiness {
    /** Housekeeping re-signs the CRL every 10 minutes once half its lifetime has passed; this much later is late. */
    static final Duration CRL_RESIGN_SLACK = Duration.ofMinutes(30);

    private final CertificateAuthority ca;
    private final Supplier<List<String>> integrationWarnings;

    /** @param integrationWarnings what the MDM integrations report (an unreachable Intune): "degraded" */
    public Readiness(CertificateAuthority ca, Supplier<List<String>> integrationWarnings) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.integrationWarnings = Objects.requireNonNull(integrationWarnings, "integrationWarnings is null");
    }

    /** How one check came out: {@code fail} makes the replica unready, {@code degraded} and {@code warn} do not. */
    public enum Level {
        OK, WARN, DEGRADED, FAIL, SKIPPED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One check: {@code database}, {@code issuing-ca}, {@code crl} or {@code integrations}. */
    public record Check(String name, Level level, String detail) {
        public Check {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(level, "level is null");
            Objects.requireNonNull(detail, "detail is null");
        }
    }

    /** All checks, in a fixed order. */
    public record Report(List<Check> checks) {
        public Report {
            checks = List.copyOf(checks);
        }

        public boolean ready() {
            return checks.stream().noneMatch(c -> c.level() == Level.FAIL);
        }

        /** {@code ok}, {@code degraded} or {@code not-ready}. */
        public String status() {
            if (!ready()) {
                return "not-ready";
            }
            return checks.stream().anyMatch(c -> c.level() == Level.DEGRADED) ? "degraded" : "ok";
        }

        /** The checks that failed, by name. */
        public List<String> failing() {
            return checks.stream().filter(c -> c.level() == Level.FAIL).map(Check::name).toList();
        }

        /** What is not ok but not failing either, in words (the {@code warnings} of earlier releases). */
        public List<String> warnings() {
            List<String> w = new ArrayList<>();
            for (Check c : checks) {
                if (c.level() == Level.WARN || c.level() == Level.DEGRADED) {
                    c.detail().lines().forEach(w::add);
                }
            }
            return w;
        }
    }

    public Report check() {
        Instant now = ca.clock().instant();
        List<Check> checks = new ArrayList<>(4);
        Check database = database();
        checks.add(database);
        checks.add(issuingCa(now));
        checks.add(database.level() == Level.OK ? crl(now)
                : new Check("crl", Level.SKIPPED, "not checked: the database does not answer"));
        List<String> integrations = integrationWarnings.get();
        checks.add(integrations.isEmpty() ? new Check("integrations", Level.OK, "")
                : new Check("integrations", Level.DEGRADED, String.join("\n", integrations)));
        return new Report(checks);
    }

    private Check database() {
        try {
            ca.database().inTransaction(c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
            return new Check("database", Level.OK, "");
        } catch (RuntimeException e) {
            return new Check("database", Level.FAIL, "the database does not answer");
        }
    }

    private Check issuingCa(Instant now) {
        X509Certificate issuing = ca.material().intermediateCertificate();
        if (CaLifetime.expired(issuing, now)) {
            return new Check("issuing-ca", Level.DEGRADED, CaLifetime.warning(issuing, now).orElse("issuing CA expired"));
        }
        return CaLifetime.warning(issuing, now).map(w -> new Check("issuing-ca", Level.WARN, w))
                .orElseGet(() -> new Check("issuing-ca", Level.OK, "valid until "
                        + issuing.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS)));
    }

    /** Fresh: before its nextUpdate, and re-signed when half its lifetime had passed (what housekeeping does). */
    private Check crl(Instant now) {
        X509CRL crl;
        try {
            crl = ca.crls().current().crl();
        } catch (RuntimeException e) {
            return new Check("crl", Level.FAIL, "the current CRL cannot be read: " + e.getClass().getSimpleName());
        }
        Instant thisUpdate = crl.getThisUpdate().toInstant();
        Instant nextUpdate = crl.getNextUpdate().toInstant();
        if (!now.isBefore(nextUpdate)) {
            return new Check("crl", Level.FAIL, "the CRL is past its nextUpdate (" + nextUpdate
                    + "): relying parties refuse it; it should have been re-signed at "
                    + thisUpdate.plus(Duration.between(thisUpdate, nextUpdate).dividedBy(2)));
        }
        Instant due = thisUpdate.plus(Duration.between(thisUpdate, nextUpdate).dividedBy(2));
        if (now.isAfter(due.plus(CRL_RESIGN_SLACK))) {
            return new Check("crl", Level.WARN, "the CRL was due for re-signing at " + due + " and was not;"
                    + " it expires at " + nextUpdate);
        }
        return new Check("crl", Level.OK, "nextUpdate " + nextUpdate);
    }
}
