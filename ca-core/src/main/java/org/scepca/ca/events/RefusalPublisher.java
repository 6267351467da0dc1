package org.scepca.ca.events;

import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.scepca.ca.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues refusal events from the thread that refuses, without waiting: a refusal has no store transaction to ride in,
 * so its event is written by one background thread in a short transaction of its own. When that thread falls behind
 * (a flood of bad requests, a slow database) and its bounded queue is full, events are dropped and counted: a refusal
 * must never wait on the database, and an attacker must not turn refusals into memory or database load.
 *
 * <p>These transactions are not synced before going on (nobody is told "stored"); the next synced commit, or a clean
 * shutdown, takes them to disk.
 */
final class RefusalPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalPublisher.class);
    static final int CAPACITY = 1000;

    private final Database db;
    private final EventOutbox outbox;
    private final ThreadPoolExecutor executor;
    private final AtomicLong dropped = new AtomicLong();

    RefusalPublisher(Database db, EventOutbox outbox, int capacity) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.outbox = Objects.requireNonNull(outbox, "outbox is null");
        // One thread: the order of refusals is kept, and a burst costs one connection of the pool, not many.
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity),
                r -> WebhookDispatcher.daemon(r, "scepca-webhook-refusals"), new ThreadPoolExecutor.AbortPolicy());
    }

    /** Returns at once; the event is written later, or dropped (counted, logged) if the queue is full or closed. */
    void publish(CaEvent e) {
        Objects.requireNonNull(e, "e is null");
        if (e.type() != CaEvent.Type.REFUSED) {
            throw new IllegalArgumentException("only refusals are published here; the store queues the rest");
        }
        if (!outbox.wants(e.type())) {
            return;
        }
        try {
            executor.execute(() -> write(e));
        } catch (RejectedExecutionException full) {
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: visible without flooding the log
                LOG.warn("webhooks: the refusal event queue is full; {} refusal events dropped so far", n);
            }
        }
    }

    private void write(CaEvent e) {
        try {
            db.inTransaction(c -> {
                outbox.enqueue(c, e);
                return null;
            });
        } catch (RuntimeException ex) {
            dropped.incrementAndGet();
            LOG.warn("webhooks: cannot queue refusal event {}: {}", e.id(), ex.getMessage());
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Writes what is queued (for up to 10 s), then stops. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                long lost = executor.shutdownNow().size();
                dropped.addAndGet(lost);
                LOG.warn("webhooks: {} refusal events not queued at shutdown", lost);
            }
        } catch (InterruptedException ex) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
