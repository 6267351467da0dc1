package org.scepca.server.metrics;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.store.CertificateCounts;
import org.scepca.ca.store.StoreStatistics;
import org.scepca.ca.tokens.AdminRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Gauges read from the store (the same on every replica of one database: dashboards take {@code max()} of them), read
 * at most once per {@link #TTL} whatever the number of scrapes, and gauges computed from the CA certificates and the
 * CRL. A store that does not answer leaves the gauges at their last values and sets {@code scepca_store_up} to 0; it
 * never fails the scrape. Only the first reading is made on the scrape's thread; later ones are made in the background
 * when a scrape finds the reading stale, so that a database that hangs (a failover: up to the pool's 10 s connection
 * timeout) never makes a scrape time out just when the metrics matter most.
 */
final class FleetGauges implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetGauges.class);
    /** How long one reading of the store serves the scrapes (every replica reads once per TTL, not per scrape). */
    static final Duration TTL = Duration.ofSeconds(30);
    /** The expiry horizons of {@code scepca_certificates_expiring}. */
    static final List<Integer> EXPIRING_DAYS = List.of(7, 30, 90);

    private final CertificateAuthority ca;
    private final StoreStatistics statistics;
    private final Clock clock;
    private final Duration ttl;
    private Snapshot snapshot;
    private Instant readAt = Instant.MIN;
    private boolean up;
    private boolean reading;
    private final java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "scepca-metrics-store");
                t.setDaemon(true);
                return t;
            });

    /** What one reading found. */
    private record Snapshot(CertificateCounts counts, Map<Integer, Long> expiring, StoreStatistics.ChallengeCounts challenges,
            StoreStatistics.TokenCounts tokens, StoreStatistics.Backlog backlog, Instant crlThisUpdate,
            Instant crlNextUpdate, BigInteger crlNumber) {
    }

    FleetGauges(CertificateAuthority ca, Duration ttl) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.statistics = new StoreStatistics(ca.database());
        this.clock = ca.clock();
        this.ttl = Objects.requireNonNull(ttl, "ttl is null");
    }

    void register(MeterRegistry r) {
        store(r, "scepca.certificates", "Certificates by status (store)", s -> s.counts().active(), "status", "active");
        store(r, "scepca.certificates", "Certificates by status (store)", s -> s.counts().expired(), "status", "expired");
        store(r, "scepca.certificates", "Certificates by status (store)", s -> s.counts().revoked(), "status", "revoked");
        for (int days : EXPIRING_DAYS) {
            store(r, "scepca.certificates.expiring", "Active certificates whose notAfter is within the horizon",
                    s -> s.expiring().get(days), "within", days + "d");
        }
        store(r, "scepca.challenges", "One-time challenges by state (store)", s -> s.challenges().unused(), "state",
                "unused");
        store(r, "scepca.challenges", "One-time challenges by state (store)", s -> s.challenges().used(), "state", "used");
        store(r, "scepca.challenges", "One-time challenges by state (store)", s -> s.challenges().expired(), "state",
                "expired");
        for (AdminRole role : AdminRole.values()) {
            store(r, "scepca.api.tokens", "Admin API tokens: active by role, and revoked",
                    s -> s.tokens().activeByRole().getOrDefault(role.id(), 0L), "state", "active", "role", role.id());
        }
        store(r, "scepca.api.tokens", "Admin API tokens: active by role, and revoked", s -> s.tokens().revoked(),
                "state", "revoked", "role", "any");
        store(r, "scepca.webhook.backlog", "Webhook events waiting for delivery (store)", s -> s.backlog().pending());
        store(r, "scepca.webhook.oldest.pending.age.seconds", "Age of the oldest undelivered webhook event, 0 if none",
                s -> s.backlog().oldest().map(t -> seconds(t, clock.instant())).orElse(0.0));
        store(r, "scepca.crl.age.seconds", "Seconds since the issuing CA's CRL thisUpdate",
                s -> seconds(s.crlThisUpdate(), clock.instant()));
        store(r, "scepca.crl.next.update.seconds", "Seconds until the issuing CA's CRL nextUpdate (negative: past it)",
                s -> seconds(clock.instant(), s.crlNextUpdate()));
        store(r, "scepca.crl.number", "CRL number of the issuing CA's current CRL", s -> s.crlNumber().doubleValue());
        // strongReference everywhere: Micrometer holds a gauge's object weakly.
        Gauge.builder("scepca.store.up", this, g -> {
            g.current();
            synchronized (g) {
                return g.up ? 1 : 0;
            }
        }).description("1 if the last reading of the store's gauges succeeded, 0 if the database did not answer")
                .strongReference(true).register(r);
        // From the certificates in memory: no store involved.
        Gauge.builder("scepca.ca.days.left", ca, c -> days(c.material().intermediateCertificate().getNotAfter()
                .toInstant())).tag("ca", "issuing")
                .description("Days until the CA certificate's notAfter (negative: expired)").strongReference(true)
                .register(r);
        Gauge.builder("scepca.ca.days.left", ca, c -> days(c.material().root().getNotAfter().toInstant()))
                .tag("ca", "root").description("Days until the CA certificate's notAfter (negative: expired)")
                .strongReference(true).register(r);
    }

    private double days(Instant notAfter) {
        return seconds(clock.instant(), notAfter) / 86_400.0;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private void store(MeterRegistry r, String name, String description, ToDoubleFunction<Snapshot> value,
            String... tags) {
        Gauge.builder(name, this, g -> {
            Snapshot s = g.current();
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }).description(description).tags(tags).strongReference(true).register(r);
    }

    /** Reads the store now, on this thread (tests that change the store, then scrape). */
    void invalidate() {
        refresh();
    }

    /** The reading in force; a stale one starts a new reading in the background (the first is made at once). */
    Snapshot current() {
        boolean first;
        synchronized (this) {
            if (reading || readAt.plus(ttl).isAfter(clock.instant())) {
                return snapshot;
            }
            first = readAt.equals(Instant.MIN); // never read yet: the first scrape waits for it
            reading = true;
        }
        if (first) {
            refresh();
        } else {
            try {
                reader.execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                synchronized (this) {
                    reading = false; // closed
                }
            }
        }
        synchronized (this) {
            return snapshot;
        }
    }

    private void refresh() {
        Instant now = clock.instant();
        Snapshot s = null;
        try {
            s = read(now);
        } catch (RuntimeException e) {
            // Last values stay (a gap in the graphs would hide the outage less well than scepca_store_up does).
            LOG.warn("metrics: reading the store failed: {}", e.toString());
        }
        synchronized (this) {
            if (s != null) {
                snapshot = s;
            }
            up = s != null;
            readAt = now;
            reading = false;
        }
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }

    private Snapshot read(Instant now) {
        CertificateCounts counts = ca.certificates().counts(now, now.plus(Duration.ofDays(EXPIRING_DAYS.get(0))));
        Map<Integer, Long> expiring = new java.util.TreeMap<>();
        expiring.put(EXPIRING_DAYS.get(0), counts.expiringSoon());
        for (int days : EXPIRING_DAYS.subList(1, EXPIRING_DAYS.size())) {
            expiring.put(days, ca.certificates().counts(now, now.plus(Duration.ofDays(days))).expiringSoon());
        }
        CrlService.Published crl = ca.crls().current();
        X509CRL x = crl.crl();
        return new Snapshot(counts, expiring, statistics.challenges(now), statistics.tokens(),
                statistics.webhookBacklog(), x.getThisUpdate().toInstant(), x.getNextUpdate().toInstant(),
                CrlService.crlNumber(x));
    }
}
