package org.scepca.ca.store;

import java.util.Objects;

/**
 * Group commit: makes committed transactions durable (fsync) before their callers go on, with one sync covering
 * every transaction that committed before it started.
 *
 * <p>A committer takes a ticket after its commit returns. If no sync is running, it runs one itself, covering every
 * ticket handed out so far; otherwise it waits, and runs the next one if the running sync started before its ticket.
 * With 5 ms per fsync on a virtual disk, one sync per enrollment would cap a server near 200 enrollments/s; grouped,
 * dozens of concurrent enrollments share each fsync. Thread-safe.
 */
final class GroupSync {
    /** The action that forces everything committed so far to stable storage. */
    @FunctionalInterface
    interface SyncAction {
        void sync();
    }

    private final SyncAction action;
    private final Object lock = new Object();
    private long issued;      // tickets handed out
    private long durable;     // every ticket <= durable is on stable storage
    private boolean running;

    GroupSync(SyncAction action) {
        this.action = Objects.requireNonNull(action, "action is null");
    }

    /** Call after a commit has returned: blocks until that commit is on stable storage. */
    void afterCommit() {
        long ticket;
        synchronized (lock) {
            ticket = ++issued;
        }
        await(ticket);
    }

    /** Blocks until every commit that returned before this call is on stable storage; immediate when none is pending. */
    void awaitCommitted() {
        long ticket;
        synchronized (lock) {
            if (durable >= issued) {
                return;
            }
            ticket = issued;
        }
        await(ticket);
    }

    private void await(long ticket) {
        while (true) {
            long target;
            synchronized (lock) {
                while (durable < ticket && running) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StoreException("interrupted while waiting for a durable commit", e);
                    }
                }
                if (durable >= ticket) {
                    return;
                }
                running = true;
                target = issued;
            }
            boolean synced = false;
            try {
                action.sync();
                synced = true;
            } finally {
                synchronized (lock) {
                    running = false;
                    if (synced) {
                        durable = Math.max(durable, target);
                    }
                    lock.notifyAll();
                }
            }
        }
    }
}
