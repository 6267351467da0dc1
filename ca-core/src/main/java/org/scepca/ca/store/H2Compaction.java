package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the embedded H2 file in small steps, in place of H2's own background compaction, which the store's URL
 * turns off ({@code AUTO_COMPACT_FILL_RATE=0}).
 *
 * <p>Why. H2's background writer compacts while it holds the store lock, and every write (every enrollment, nonce,
 * challenge use) waits for that lock. Its chunk moves are sized from the store's auto-commit memory, not from what
 * a writer can wait: up to 2 × 19 MB per round while writes go on, 8 × 19 MB once the store is idle, each byte read,
 * decrypted, encrypted and written again (XTS-AES in Java). A fuzz soak of the ACME endpoint caught one such round
 * holding every writer for more than 22 s (libFuzzer timeout; the thread dump showed the writer in
 * {@code RandomAccessStore.compactMoveChunks} and the request waiting in {@code MVStore.commit} for the lock) on a
 * machine whose CPU another job had taken. A CA that stops answering for that long makes devices give up.
 *
 * <p>Here each step rewrites at most {@link #REWRITE_BYTES} of live pages out of sparse chunks, then moves at most
 * {@link #MOVE_BYTES} of chunks towards the start of the file so that it can shrink, and gives the lock back between
 * steps: the longest a writer can wait for compaction is one step. Steps run every {@link #PERIOD_MILLIS} while
 * there is work, up to {@link #STEPS_PER_ROUND} in a row. Full compaction ({@code scepca db compact}: SHUTDOWN
 * COMPACT, which writes a new file) is unaffected.
 *
 * <p>Only the process that has the file open compacts; a command that reaches the server's store through AUTO_SERVER
 * holds a remote session and does nothing here.
 */
final class H2Compaction implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);

    /** Chunks whose live share is below this are rewritten; chunks are moved while the file is emptier than this. */
    static final int TARGET_FILL_RATE = 80;
    static final int REWRITE_BYTES = 1 << 20;
    static final long MOVE_BYTES = 4L << 20;
    static final long PERIOD_MILLIS = 2_000;
    static final int STEPS_PER_ROUND = 8;
    /** Between two steps of a round: long enough for a waiting writer to take the lock first. */
    private static final long PAUSE_MILLIS = 5;

    private final MVStore store;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    private H2Compaction(MVStore store) {
        this.store = store;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scepca-h2-compaction");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::round, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts compacting the store {@code owner} belongs to, if this process has the file open itself. */
    static Optional<H2Compaction> start(Connection owner) throws SQLException {
        return H2Durability.localStore(owner).filter(s -> s.getFileStore() instanceof RandomAccessStore).map(H2Compaction::new);
    }

    private void round() {
        try {
            for (int i = 0; i < STEPS_PER_ROUND && !closed && step(store); i++) {
                Thread.sleep(PAUSE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // A closed or failing store: the next round tries again, and a store that failed reports it to writers.
            // An Error too: one escaping would end the periodic task for good, silently.
            LOG.warn("H2 compaction step skipped: {}", e.toString());
        }
    }

    /**
     * One bounded step: rewrite live pages out of sparse chunks, then move chunks into free space nearer the start
     * (truncating the file when its end is free).
     *
     * @return whether it did anything (another step may do more)
     */
    static boolean step(MVStore store) {
        if (store.isClosed()) {
            return false;
        }
        long before = store.getFileStore().size();
        boolean rewrote = store.compact(TARGET_FILL_RATE, REWRITE_BYTES);
        if (store.getFileStore() instanceof RandomAccessStore file && file.getFillRate() < TARGET_FILL_RATE) {
            file.compactMoveChunks(TARGET_FILL_RATE, MOVE_BYTES, store);
        }
        return rewrote || store.getFileStore().size() < before;
    }

    @Override
    public void close() {
        closed = true;
        // Never interrupt a step: an interrupt during file I/O closes H2's FileChannel and fails the store.
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS); // a step in progress ends before the store closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
