package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
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
 * <p>Here each step rewrites some live pages out of sparse chunks, then moves some chunks towards the start of the
 * file so that it can shrink, and gives the lock back between steps: the longest a writer can wait for compaction is
 * one step. How much a step may do is bounded twice:
 * <ul>
 * <li>in bytes: at most {@link #REWRITE_BYTES} rewritten and {@link #MOVE_BYTES} moved;
 * <li>in time, by {@link Pacing}: a step's size follows how long the last one took on this machine now. The first
 * steps are small; the size doubles while steps take under half of {@link Pacing#TARGET_NANOS} and shrinks in
 * proportion when one takes longer. After a step, the next waits at least as long as the step took, so compaction
 * holds the lock for at most half of the time and a waiting writer always gets a turn. A machine whose CPU another
 * job has taken (the same bytes then take a hundred times as long) gets small steps with long pauses between them,
 * instead of 4 MB moves a few milliseconds apart that hold every writer for tens of seconds.
 * </ul>
 * Steps run every {@link #PERIOD_MILLIS} while there is work, up to {@link #STEPS_PER_ROUND} in a row. Full compaction
 * ({@code scepca db compact}: SHUTDOWN COMPACT, which writes a new file) is unaffected.
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
    /** Between two steps of a round, at least: long enough for a waiting writer to take the lock first. */
    static final long PAUSE_MILLIS = 5;

    private final MVStore store;
    private final Pacing pacing = new Pacing();
    private final ScheduledExecutorService timer;
    /** Ends a pause between steps at once when the store closes (an interrupt could land in file I/O instead). */
    private final CountDownLatch closing = new CountDownLatch(1);
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

    /** Up to {@link #STEPS_PER_ROUND} steps, each sized and followed by a pause as {@link Pacing} says. */
    private void round() {
        try {
            for (int i = 0; i < STEPS_PER_ROUND && !closed && pacing.mayStep(System.nanoTime()); i++) {
                int rewrite = pacing.rewriteBytes();
                long move = pacing.moveBytes();
                long t0 = System.nanoTime();
                boolean more = step(store, rewrite, move);
                long t1 = System.nanoTime();
                long pause = pacing.after(t0, t1);
                LOG.debug("H2 compaction step: up to {} KB rewritten and {} KB moved in {} ms, file {} KB; pause {} ms",
                        rewrite >> 10, move >> 10, TimeUnit.NANOSECONDS.toMillis(t1 - t0),
                        store.getFileStore().size() >> 10, pause);
                if (!more || closing.await(pause, TimeUnit.MILLISECONDS)) {
                    break;
                }
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
        return step(store, REWRITE_BYTES, MOVE_BYTES);
    }

    /** A step of at most {@code rewriteBytes} rewritten and {@code moveBytes} moved. */
    static boolean step(MVStore store, int rewriteBytes, long moveBytes) {
        if (store.isClosed()) {
            return false;
        }
        long before = store.getFileStore().size();
        boolean rewrote = store.compact(TARGET_FILL_RATE, rewriteBytes);
        if (store.getFileStore() instanceof RandomAccessStore file && file.getFillRate() < TARGET_FILL_RATE) {
            file.compactMoveChunks(TARGET_FILL_RATE, moveBytes, store);
        }
        return rewrote || store.getFileStore().size() < before;
    }

    /**
     * How much the next step may do, and how long to pause after one, from how long steps take. One compaction
     * thread uses it; not thread-safe.
     */
    static final class Pacing {
        /** What a step should take at most: a writer that arrives during one waits about this long. */
        static final long TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
        /**
         * The smallest step. Part of a step's time does not shrink with its size (three fsyncs, the chunk metadata):
         * steps much smaller than this would spend most of their time on it and fall behind the writes.
         */
        static final long MIN_MOVE_BYTES = 1L << 20;
        static final int MIN_REWRITE_BYTES = 256 << 10;
        /**
         * After a step, the pause before the next is at least this many times what the step took. The pause matters
         * more than the size: with the few milliseconds of pause steps had before, a writer on a starved machine was
         * rarely on a CPU at the moment the lock was free, and waited through step after step.
         */
        static final int PAUSE_PER_STEP_TIME = 1;

        private long moveBytes = MIN_MOVE_BYTES;
        private int rewriteBytes = MIN_REWRITE_BYTES;
        /** No step before this (System.nanoTime): the pause a step earns outlasts the round it ended. */
        private long resumeAt;
        private boolean paused;

        long moveBytes() {
            return moveBytes;
        }

        int rewriteBytes() {
            return rewriteBytes;
        }

        /** Whether a step may start at {@code now}: the pause after the last one is over. */
        boolean mayStep(long now) {
            return !paused || now - resumeAt >= 0;
        }

        /**
         * Records a step that ran from {@code started} to {@code ended}; returns the pause before the next step, in
         * milliseconds.
         */
        long after(long started, long ended) {
            long took = Math.max(0, ended - started);
            if (took > TARGET_NANOS) {
                double share = (double) TARGET_NANOS / took;
                moveBytes = Math.max(MIN_MOVE_BYTES, (long) (moveBytes * share));
                rewriteBytes = (int) Math.max(MIN_REWRITE_BYTES, (long) (rewriteBytes * share));
            } else if (took < TARGET_NANOS / 2) {
                moveBytes = Math.min(MOVE_BYTES, moveBytes * 2);
                rewriteBytes = Math.min(REWRITE_BYTES, rewriteBytes * 2);
            }
            long nanosPerMilli = TimeUnit.MILLISECONDS.toNanos(1);
            long pause = Math.max(PAUSE_MILLIS, (PAUSE_PER_STEP_TIME * took + nanosPerMilli - 1) / nanosPerMilli);
            resumeAt = ended + TimeUnit.MILLISECONDS.toNanos(pause);
            paused = true;
            return pause;
        }
    }

    @Override
    public void close() {
        closed = true;
        closing.countDown();
        // Never interrupt a step: an interrupt during file I/O closes H2's FileChannel and fails the store.
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS); // a step in progress ends before the store closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
