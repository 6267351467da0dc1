package org.scepca.ca.events;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.scepca.ca.store.Database;

/**
 * Outbound webhooks assembled from configuration: the {@link EventOutbox} that the certificate store writes to in its
 * transactions, the asynchronous refusal path, and the {@link WebhookDispatcher}. Every process that changes
 * certificates (server, CLI) queues events; only the server {@link #start() starts} delivery, so that what a CLI
 * command revokes is sent by the running server.
 */
public final class Webhooks implements AutoCloseable {
    private final WebhookConfig config;
    private final EventOutbox outbox;
    private final RefusalPublisher refusals;
    private final WebhookDispatcher dispatcher;

    public Webhooks(WebhookConfig config, Database db, Clock clock) {
        this.config = Objects.requireNonNull(config, "config is null");
        this.outbox = new EventOutbox(config.events());
        this.refusals = new RefusalPublisher(db, outbox, RefusalPublisher.CAPACITY);
        this.dispatcher = new WebhookDispatcher(config, db, clock);
    }

    /**
     * Webhooks as {@code scepca.properties} configures them, or empty when it has no {@code webhook.*} key.
     *
     * @param configDir the folder of {@code scepca.properties} (a relative {@code webhook.secret-file} is read there)
     * @throws org.scepca.ca.config.CaConfig.InvalidConfigException naming the offending key
     */
    public static Optional<Webhooks> from(Properties p, Path configDir, Database db, Clock clock) {
        return WebhookConfig.from(p, configDir).map(c -> new Webhooks(c, db, clock));
    }

    public WebhookConfig config() {
        return config;
    }

    /** For {@code new JdbcCertificateStore(db, Optional.of(webhooks.outbox()))}, and for other transactions' events. */
    public EventOutbox outbox() {
        return outbox;
    }

    public WebhookDispatcher dispatcher() {
        return dispatcher;
    }

    /** Starts delivery (the server, once). */
    public void start() {
        dispatcher.start();
    }

    /**
     * Queues a {@link CaEvent.Type#REFUSED} event without waiting for anything: call it from the refusing thread,
     * after the FAILURE reply is decided. Dropped (and counted) if the queue is full.
     */
    public void publishRefusal(CaEvent refusal) {
        refusals.publish(refusal);
    }

    /** Counters of this process and the queue's current size (one small query). */
    public WebhookStats stats() {
        OutboxRows.Backlog b = dispatcher.rows().backlog();
        return new WebhookStats(dispatcher.delivered(), dispatcher.failedAttempts(), dispatcher.dead(),
                refusals.dropped(), b.pending(), b.dead());
    }

    /** Stops delivery and writes the refusals still queued; call before closing the database. */
    @Override
    public void close() {
        dispatcher.close();
        refusals.close();
    }
}
