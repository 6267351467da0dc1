package org.scepca.server.app;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.scepca.ca.store.Replicas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's row among the replicas on the database: registered at start, refreshed every
 * {@link Replicas#HEARTBEAT}, removed on a clean stop. {@link #liveReplicas()} is the count seen at the last beat: the
 * per-source rate limits are divided by it, so a source spread over N replicas by a load balancer gets the configured
 * budget in all, not N times it.
 */
final class Membership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final Replicas replicas;
    private final String id = Replicas.THIS_PROCESS;
    private final String host = Replicas.hostName();
    private final String version;
    private final AtomicInteger live = new AtomicInteger(1);

    private Membership(Replicas replicas, String version) {
        this.replicas = Objects.requireNonNull(replicas, "replicas is null");
        this.version = version;
    }

    static Membership start(Replicas replicas, ScheduledExecutorService scheduler) {
        String version = Objects.requireNonNullElse(Membership.class.getPackage().getImplementationVersion(), "dev");
        Membership m = new Membership(replicas, version);
        replicas.register(m.id, m.host, version);
        m.live.set(replicas.liveCount());
        long beat = Replicas.HEARTBEAT.toMillis();
        scheduler.scheduleWithFixedDelay(m::beat, beat, beat, TimeUnit.MILLISECONDS);
        return m;
    }

    private void beat() {
        try {
            replicas.heartbeat(id, host, version);
            int n = replicas.liveCount();
            int before = live.getAndSet(n);
            if (n != before) {
                LOG.info("{} replica(s) live on this database (was {}); per-source rate limits are divided among them",
                        n, before);
            }
        } catch (RuntimeException e) {
            LOG.warn("replica heartbeat failed: {}", e.toString());
        }
    }

    String id() {
        return id;
    }

    /** Live replicas at the last beat, this one included (at least 1). */
    int liveReplicas() {
        return live.get();
    }

    @Override
    public void close() {
        try {
            replicas.leave(id);
        } catch (RuntimeException e) {
            LOG.debug("could not remove this replica's row: {}", e.toString());
        }
    }
}
