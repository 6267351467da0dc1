package org.scepca.ca.events;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.scepca.ca.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued events: a single background thread polls {@code event_outbox} for due rows, claims each one (see
 * {@link OutboxRows#claim}), POSTs it signed, and records the outcome. A 2xx answer is delivery; anything else, a
 * timeout or a connection error is a failed attempt, retried after an exponential backoff with jitter (10 s, 20 s,
 * 40 s, ... capped at {@link WebhookConfig#maxBackoff()}), until {@link WebhookConfig#maxAttempts()} or
 * {@link WebhookConfig#maxAge()} is reached: the event is then dead, kept in the table, logged and counted.
 *
 * <p>Delivery is at least once: a crash or an expired lease after the receiver took an event but before it was marked
 * delivered sends it again, with the same {@code X-Scepca-Delivery} id. No enrollment ever waits for it: enrollments
 * only insert rows, and this thread holds no transaction open while it talks to the receiver.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final Duration BASE_BACKOFF = Duration.ofSeconds(10);
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    static final int BATCH = 50;
    static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** Dead events are kept at least this long (or the delivered retention if longer), for an operator to look at. */
    static final Duration DEAD_RETENTION = Duration.ofDays(30);
    private static final int MAX_ERROR = 500;

    private final WebhookConfig config;
    private final OutboxRows rows;
    private final Clock clock;
    private final DoubleSupplier jitter;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final Object lifecycle = new Object();
    private ScheduledExecutorService scheduler;
    private ExecutorService httpExecutor;
    private HttpClient client;
    private volatile boolean closed;
    private Instant nextPurge = Instant.MIN;

    public WebhookDispatcher(WebhookConfig config, Database db, Clock clock) {
        this(config, db, clock, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param jitter values in [0, 1): where in [backoff/2, backoff] the next attempt falls */
    WebhookDispatcher(WebhookConfig config, Database db, Clock clock, DoubleSupplier jitter) {
        this.config = Objects.requireNonNull(config, "config is null");
        this.rows = new OutboxRows(db);
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.jitter = Objects.requireNonNull(jitter, "jitter is null");
    }

    /** Starts the background thread (once; a closed dispatcher does not start again). */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the webhook dispatcher is closed");
            }
            if (scheduler != null) {
                return;
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scepca-webhooks"));
            scheduler.scheduleWithFixedDelay(this::tick, 0, POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("webhooks: delivering {} events to {}", config.events().size(), config.target());
        }
    }

    private void tick() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // Never let it escape: a scheduled task that throws is never run again.
            LOG.warn("webhooks: cannot read the event queue: {}", e.getMessage());
        }
    }

    /**
     * Delivers what is due now, batch after batch, and purges old rows once an hour.
     *
     * @return how many attempts were made
     */
    public int runOnce() {
        int attempts = 0;
        while (!closed) {
            List<OutboxRows.Pending> due = rows.due(clock.instant(), BATCH);
            int made = 0;
            for (OutboxRows.Pending p : due) {
                if (closed || Thread.currentThread().isInterrupted()) {
                    return attempts;
                }
                if (attempt(p)) {
                    made++;
                }
            }
            attempts += made;
            if (due.size() < BATCH || made == 0) {
                break; // a full batch that another dispatcher took entirely: theirs to deliver
            }
        }
        purgeIfDue();
        return attempts;
    }

    private boolean attempt(OutboxRows.Pending p) {
        Instant start = clock.instant();
        // The lease outlasts the attempt's bound (see send), so it only runs out if this process died meanwhile.
        if (!rows.claim(p, start.plus(config.timeout().multipliedBy(2)).plusSeconds(30))) {
            return false;
        }
        int attempt = p.attempts() + 1;
        String error;
        try {
            error = send(p);
        } catch (InterruptedException e) {
            // Shutting down: the row stays claimed and is due again when its lease runs out.
            Thread.currentThread().interrupt();
            return true;
        }
        Instant now = clock.instant();
        if (error == null) {
            rows.delivered(p.id(), now);
            delivered.incrementAndGet();
            LOG.debug("webhooks: delivered {} event {} (attempt {})", p.type().wireName(), p.id(), attempt);
        } else {
            failedAttempts.incrementAndGet();
            if (attempt >= config.maxAttempts() || !p.createdAt().plus(config.maxAge()).isAfter(now)) {
                rows.dead(p.id(), attempt, now, error);
                dead.incrementAndGet();
                LOG.error("webhooks: gave up on {} event {} after {} attempts over {}: {}; it stays in event_outbox"
                        + " (dead_at set)", p.type().wireName(), p.id(), attempt,
                        Duration.between(p.createdAt(), now).withNanos(0), error);
            } else {
                Instant next = now.plus(backoff(attempt));
                rows.retryAt(p.id(), attempt, next, error);
                LOG.warn("webhooks: {} event {} attempt {} to {} failed: {}; next attempt at {}", p.type().wireName(),
                        p.id(), attempt, config.target(), error, next);
            }
        }
        return true;
    }

    /** Before attempt {@code failed + 1}: BASE × 2^(failed-1), capped, then a random point in its upper half. */
    Duration backoff(int failed) {
        long cap = config.maxBackoff().toMillis();
        long full = BASE_BACKOFF.toMillis() << Math.min(failed - 1, 30);
        long d = Math.min(cap, full);
        return Duration.ofMillis(d / 2 + (long) (jitter.getAsDouble() * (d - d / 2)));
    }

    /** @return null on a 2xx, else why the attempt failed (no secret, no body) */
    private String send(OutboxRows.Pending p) throws InterruptedException {
        byte[] body = p.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(config.url())
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "scepca-webhooks/1")
                .header("X-Scepca-Event", p.type().wireName())
                .header("X-Scepca-Delivery", p.id())
                .header("X-Scepca-Timestamp", Long.toString(timestamp))
                .header("X-Scepca-Signature", config.signer().signature(timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Void>> future = client().sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            // The request timeout bounds the wait for the response head; this bounds a body that never ends too.
            int status = future.get(config.timeout().toMillis() * 2, TimeUnit.MILLISECONDS).statusCode();
            return status / 100 == 2 ? null : "HTTP " + status;
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            return "timeout after " + config.timeout().multipliedBy(2).toSeconds() + " s";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return "timeout after " + config.timeout().toSeconds() + " s";
            }
            String m = cause.getMessage();
            String text = cause.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
            return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
        }
    }

    private HttpClient client() {
        synchronized (lifecycle) {
            if (client == null) {
                httpExecutor = Executors.newCachedThreadPool(r -> daemon(r, "scepca-webhooks-http"));
                client = HttpClient.newBuilder()
                        .connectTimeout(config.timeout())
                        // A redirect could lead anywhere (http included); receivers answer where they are configured.
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1)
                        .executor(httpExecutor)
                        .build();
            }
            return client;
        }
    }

    private void purgeIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_INTERVAL);
        Duration deadKept = config.retention().compareTo(DEAD_RETENTION) > 0 ? config.retention() : DEAD_RETENTION;
        int n = rows.purge(now.minus(config.retention()), now.minus(deadKept));
        if (n > 0) {
            LOG.info("webhooks: purged {} old events from event_outbox", n);
        }
    }

    /** Counters since this dispatcher was made. */
    public long delivered() {
        return delivered.get();
    }

    public long failedAttempts() {
        return failedAttempts.get();
    }

    public long dead() {
        return dead.get();
    }

    OutboxRows rows() {
        return rows;
    }

    /** Stops the thread; an attempt in flight is abandoned and its event sent again later (at least once). */
    @Override
    public void close() {
        ScheduledExecutorService s;
        ExecutorService h;
        synchronized (lifecycle) {
            closed = true;
            s = scheduler;
            h = httpExecutor;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("webhooks: the dispatcher thread did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (h != null) {
            h.shutdownNow();
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
