package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.scepca.ca.store.H2Compaction.Pacing;

/**
 * {@link H2Compaction.Pacing}: steps sized by how long they take, so that a writer's wait behind compaction stays
 * short on a machine whose CPU another job has taken (the starvation finding of docs/fuzzing.md: a writer waited 22 s
 * behind steps bounded in bytes only).
 */
class H2CompactionPacingTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theFirstStepsAreSmall_andDoubleWhileQuick_upToTheByteBounds() {
        Pacing p = new Pacing();
        assertThat(p.moveBytes()).isEqualTo(Pacing.MIN_MOVE_BYTES);
        assertThat(p.rewriteBytes()).isEqualTo(Pacing.MIN_REWRITE_BYTES);
        long t = 0;
        for (int i = 0; i < 12; i++) {
            assertThat(p.after(t, t + MS)).as("pause after a 1 ms step").isEqualTo(H2Compaction.PAUSE_MILLIS);
            t += 10 * MS;
        }
        assertThat(p.moveBytes()).isEqualTo(H2Compaction.MOVE_BYTES);
        assertThat(p.rewriteBytes()).isEqualTo(H2Compaction.REWRITE_BYTES);
    }

    @Test
    void aSlowStepShrinksTheNextInProportion_andEarnsAPauseAsLong() {
        Pacing p = grown();
        long pause = p.after(0, 2 * Pacing.TARGET_NANOS);
        assertThat(p.moveBytes()).isEqualTo(H2Compaction.MOVE_BYTES / 2);
        assertThat(p.rewriteBytes()).isEqualTo(H2Compaction.REWRITE_BYTES / 2);
        assertThat(pause).isEqualTo(TimeUnit.NANOSECONDS.toMillis(2 * Pacing.TARGET_NANOS));
        p.after(0, 100 * Pacing.TARGET_NANOS);
        assertThat(p.moveBytes()).as("never below the smallest step").isEqualTo(Pacing.MIN_MOVE_BYTES);
        assertThat(p.rewriteBytes()).isEqualTo(Pacing.MIN_REWRITE_BYTES);
    }

    @Test
    void aStepNearTheTargetKeepsItsSize() {
        Pacing p = grown();
        p.after(0, Pacing.TARGET_NANOS * 3 / 4);
        assertThat(p.moveBytes()).isEqualTo(H2Compaction.MOVE_BYTES);
        p.after(0, Pacing.TARGET_NANOS);
        assertThat(p.moveBytes()).isEqualTo(H2Compaction.MOVE_BYTES);
    }

    @Test
    void aStarvedStepDropsToTheSmallestStep_andThePauseOutlastsTheRound() {
        Pacing p = grown();
        long start = 1_000 * MS;
        long end = start + 20_000 * MS;
        assertThat(p.mayStep(start)).isTrue();
        long pause = p.after(start, end);
        assertThat(p.moveBytes()).isEqualTo(Pacing.MIN_MOVE_BYTES);
        assertThat(p.rewriteBytes()).isEqualTo(Pacing.MIN_REWRITE_BYTES);
        assertThat(pause).isEqualTo(20_000);
        // The rounds come every PERIOD_MILLIS; those within the pause do nothing.
        assertThat(p.mayStep(end + H2Compaction.PERIOD_MILLIS * MS)).isFalse();
        assertThat(p.mayStep(end + 19_999 * MS)).isFalse();
        assertThat(p.mayStep(end + 20_000 * MS)).isTrue();
    }

    /**
     * A machine that moves 200 MB/s for a while, then 2 MB/s (a build took the CPU), then 200 MB/s again; every step
     * also costs 5 ms that do not depend on its size (fsyncs), 500 ms when slow. Under the byte bounds alone a step
     * would take up to 5 s at 2 MB/s, eight of them 5 ms apart. Paced, only the step that ran into the slowdown is
     * that long, every step after it is the smallest, and compaction holds the lock for at most half of the time.
     */
    @Test
    void throughASlowdown_onlyTheStepThatMetItIsLong_andTheLockIsHeldHalfOfTheTimeAtMost() {
        Pacing p = new Pacing();
        long now = 0;
        long held = 0;
        long longestAfterTheFirstSlowStep = 0;
        for (int step = 0; step < 400; step++) {
            boolean slow = step >= 100 && step < 300;
            long took = took(p.moveBytes(), p.rewriteBytes(), slow);
            if (step == 99) {
                assertThat(p.moveBytes()).as("full steps on the fast machine").isEqualTo(H2Compaction.MOVE_BYTES);
            }
            if (step > 100 && step < 300) {
                longestAfterTheFirstSlowStep = Math.max(longestAfterTheFirstSlowStep, took);
            }
            long pause = p.after(now, now + took);
            assertThat(TimeUnit.MILLISECONDS.toNanos(pause)).isGreaterThanOrEqualTo(took);
            held += took;
            now += took + TimeUnit.MILLISECONDS.toNanos(pause);
        }
        assertThat(longestAfterTheFirstSlowStep).isEqualTo(took(Pacing.MIN_MOVE_BYTES, Pacing.MIN_REWRITE_BYTES, true));
        assertThat((double) held / now).as("share of the time compaction held the lock").isLessThanOrEqualTo(0.5);
        assertThat(p.moveBytes()).as("back to full steps once the machine is fast again").isEqualTo(H2Compaction.MOVE_BYTES);
    }

    /** A step reads and writes its moves, possibly twice (H2 moves past a reserved area), and its rewrites. */
    private static long took(long moveBytes, int rewriteBytes, boolean slow) {
        double bytesPerNano = slow ? 2e6 / 1e9 : 200e6 / 1e9;
        return (slow ? 500 : 5) * MS + (long) ((2 * moveBytes + rewriteBytes) / bytesPerNano);
    }

    private static Pacing grown() {
        Pacing p = new Pacing();
        for (int i = 0; i < 12; i++) {
            p.after(0, MS);
        }
        assertThat(p.moveBytes()).isEqualTo(H2Compaction.MOVE_BYTES);
        return p;
    }
}
