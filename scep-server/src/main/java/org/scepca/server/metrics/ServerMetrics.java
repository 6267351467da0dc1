package org.scepca.server.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntSupplier;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.scepca.ca.CertificateAuthority;
import org.scepca.scep.ScepObserver;
import org.scepca.server.ocsp.OcspResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;

/**
 * The server's meters in one Prometheus registry (names and labels: docs/monitoring.md). It is the
 * {@link ScepObserver} of every SCEP endpoint and the OCSP servlet's observer, so that the protocol cores know nothing
 * of Micrometer; recording is a map look-up and an atomic add per request.
 */
public final class ServerMetrics implements ScepObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
    /** The Prometheus text exposition format that Prometheus 2.x scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /**
     * Histogram buckets of the request timers: fixed service-level boundaries rather than Micrometer's percentile
     * histogram (about 70 buckets per series), so a scrape stays a few hundred lines. GetCACert answers in well under a
     * millisecond, an enrollment signs in a few; seconds mean a queue or a slow database.
     */
    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private FleetGauges fleet;

    private ServerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The registry with the JVM, process, pool, store and CA meters bound.
     *
     * @param replicas live replicas on this database, as this process last saw them
     */
    public static ServerMetrics create(CertificateAuthority ca, IntSupplier replicas) {
        return create(ca, replicas, FleetGauges.TTL);
    }

    /** @param storeTtl how long one reading of the store serves the scrapes (tests: zero) */
    public static ServerMetrics create(CertificateAuthority ca, IntSupplier replicas, Duration storeTtl) {
        Objects.requireNonNull(ca, "ca is null");
        Objects.requireNonNull(replicas, "replicas is null");
        ServerMetrics m = new ServerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        PrometheusMeterRegistry r = m.registry;
        new ClassLoaderMetrics().bindTo(r);
        new JvmMemoryMetrics().bindTo(r);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        m.binders.add(gc);
        new JvmThreadMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        if (ca.database().dataSource() instanceof HikariDataSource pool) {
            // hikaricp_connections_*{pool=...}; a pool's tracker can be set once, here, while it runs.
            pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(r));
        }
        // One count per audit line: enrollments and renewals of every protocol (SCEP, ACME finalize, EST),
        // revocations, challenges, admin changes. The key is this registry's own, so the audit trail's sink (keyed by
        // the store) still writes each line once.
        m.binders.add(org.scepca.ca.audit.AuditSinks.register("metrics@" + System.identityHashCode(m), m::audited));
        m.fleet = new FleetGauges(ca, storeTtl);
        m.fleet.register(r);
        m.binders.add(m.fleet);
        // Strong reference: Micrometer holds a gauge's object weakly, and nothing else holds this method reference (the
        // gauge read NaN after the first full GC).
        Gauge.builder("scepca.replicas", replicas, s -> s.getAsInt()).strongReference(true)
                .description("Live replicas on this database, as this replica last saw them").register(r);
        return m;
    }

    /**
     * Times every HTTP request of each servlet context of {@code server} (before it starts): a filter ahead of all
     * others, so that it sees the final status of requests the rate limits or the guard answer. Binds Jetty's thread
     * pool and connection meters too.
     */
    public void instrument(Server server) {
        for (ServletContextHandler ctx : server.getDescendants(ServletContextHandler.class)) {
            List<String> hosts = ctx.getVirtualHosts() == null ? List.of() : ctx.getVirtualHosts();
            String connector = hosts.contains("@" + org.scepca.server.app.ScepServer.CONNECTOR) ? "scep" : "admin";
            FilterHolder holder = new FilterHolder(new HttpMetricsFilter(registry, connector));
            holder.setName("metrics-" + connector);
            ctx.getServletHandler().prependFilter(holder);
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName(holder.getName());
            mapping.setPathSpec("/*");
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            ctx.getServletHandler().prependFilterMapping(mapping);
        }
        try {
            new JettyServerThreadPoolMetrics(server.getThreadPool(), List.of()).bindTo(registry);
            JettyConnectionMetrics.addToAllConnectors(server, registry, List.of());
        } catch (LinkageError | RuntimeException e) {
            // Micrometer's Jetty binders are built against Jetty 11; should one stop linking, lose only them.
            LOG.warn("metrics: Jetty meters unavailable: {}", e.toString());
        }
    }

    @Override
    public void observe(Event e) {
        String failInfo = e.failInfo().map(ServerMetrics::failInfoId).orElse("none");
        String outcome = e.result().name().toLowerCase(Locale.ROOT);
        Timer.builder("scepca.scep.requests").description("SCEP requests by endpoint, operation and outcome")
                .tags("scep_endpoint", e.endpoint(), "operation", e.operation(), "outcome", outcome, "fail_info", failInfo)
                .serviceLevelObjectives(BUCKETS).register(registry).record(Duration.ofNanos(e.nanos()));
        if (e.enrollment()) {
            String result = switch (e.result()) {
                case SUCCESS -> e.repeat() ? "repeat" : "issued";
                case PENDING -> e.repeat() ? "repeat" : "pending";
                case FAILURE -> "refused";
                case UNAVAILABLE -> "unavailable";
                case MALFORMED -> "malformed";
            };
            Counter.builder("scepca.scep.enrollments").description("Enrollments and renewals by endpoint and outcome")
                    .tags("scep_endpoint", e.endpoint(), "kind", e.renewal() ? "renewal" : "enrollment", "outcome",
                            result, "fail_info", failInfo, "reason", e.refusal().map(Refusal::id).orElse("none"))
                    .register(registry).increment();
        }
    }

    /** Label values of {@code scepca_audit_operations_total}: the code's own tokens; anything else is "other". */
    private static final java.util.regex.Pattern AUDIT_LABEL = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9_.:/-]{0,47}");

    /** The audit sink: counts the line by op, endpoint and outcome (never by subject, serial or any requester value). */
    void audited(org.scepca.ca.audit.AuditLine line) {
        Counter.builder("scepca.audit.operations")
                .description("Audited operations (one per audit line) by op, endpoint and outcome: enrollments and"
                        + " renewals of every protocol, revocations, challenges, admin changes")
                .tags("op", auditLabel(line.field("op")), "audit_endpoint", auditLabel(line.field("endpoint")),
                        "outcome", auditLabel(line.field("outcome")))
                .register(registry).increment();
    }

    private static String auditLabel(java.util.Optional<String> value) {
        return value.map(v -> AUDIT_LABEL.matcher(v).matches() ? v : "other").orElse("none");
    }

    /** The OCSP servlet's observer: one count per certificate answered, or per error response. */
    public void ocsp(OcspResult result) {
        if (result.successful()) {
            for (OcspResult.CertStatus s : result.answers()) {
                ocspAnswer(s.name().toLowerCase(Locale.ROOT));
            }
        } else {
            ocspAnswer(switch (result.status()) {
                case MALFORMED_REQUEST -> "malformed_request";
                case INTERNAL_ERROR -> "internal_error";
                case TRY_LATER -> "try_later";
                case SIG_REQUIRED -> "sig_required";
                case UNAUTHORIZED -> "unauthorized";
                case SUCCESSFUL -> "successful";
            });
        }
    }

    private void ocspAnswer(String status) {
        Counter.builder("scepca.ocsp.answers")
                .description("OCSP answers: certStatus per certificate (good, revoked, unknown) or the error status")
                .tag("status", status).register(registry).increment();
    }

    /** RFC 8894's spelling (badAlg, badMessageCheck, ...), as clients and the RFC name them. */
    static String failInfoId(org.scepca.scep.message.FailInfo f) {
        String[] words = f.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return b.toString();
    }

    /**
     * The next scrape reads the store's gauges afresh instead of the reading cached for up to 30 s (tests that change
     * the store and then scrape).
     */
    public void refreshStoreGauges() {
        fleet.invalidate();
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception e) {
                LOG.debug("metrics binder close: {}", e.toString());
            }
        }
        registry.close();
    }
}
