package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The durability promise behind "stored before the CertRep is sent": no caller of {@code afterCommit} goes on before
 * a sync that started after its commit has finished, while concurrent callers share syncs.
 */
class GroupSyncTest {

    /** A stand-in for the disk: a sync makes durable what was committed when it started, and takes a while. */
    private static final class Disk {
        final AtomicLong committed = new AtomicLong();
        final AtomicLong durable = new AtomicLong();
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicBoolean failNext = new AtomicBoolean();

        void sync() {
            long upTo = committed.get();
            syncs.incrementAndGet();
            sleep(2);
            if (failNext.getAndSet(false)) {
                throw new StoreException("disk full", null);
            }
            durable.accumulateAndGet(upTo, Math::max);
        }
    }

    @Test
    void everyCallerReturnsOnlyAfterItsCommitIsSyncedAndSyncsAreShared() throws Exception {
        Disk disk = new Disk();
        GroupSync group = new GroupSync(disk::sync);
        int threads = 16;
        int commitsEach = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                int early = 0;
                for (int i = 0; i < commitsEach; i++) {
                    long mine = disk.committed.incrementAndGet(); // the commit returned
                    group.afterCommit();
                    if (disk.durable.get() < mine) {
                        early++;
                    }
                }
                return early;
            }));
        }
        for (Future<Integer> f : results) {
            assertThat(f.get(60, TimeUnit.SECONDS)).as("callers that went on before their commit was synced").isZero();
        }
        pool.shutdown();
        int commits = threads * commitsEach;
        assertThat(disk.durable.get()).isEqualTo(commits);
        assertThat(disk.syncs.get()).as("syncs for %d concurrent commits", commits).isLessThan(commits / 2);
    }

    @Test
    void aFailedSyncFailsItsCallersAndTheNextCommitSyncsAgain() {
        Disk disk = new Disk();
        GroupSync group = new GroupSync(disk::sync);
        disk.committed.incrementAndGet();
        disk.failNext.set(true);
        assertThatThrownBy(group::afterCommit).isInstanceOf(StoreException.class).hasMessageContaining("disk full");
        assertThat(disk.durable.get()).isZero();
        // A reader must not take the failed commit for durable: it waits for (and runs) a sync that succeeds.
        group.awaitCommitted();
        assertThat(disk.durable.get()).isEqualTo(1);
        assertThat(disk.syncs.get()).isEqualTo(2);
    }

    @Test
    void awaitCommittedReturnsAtOnceWhenNothingIsPending() {
        Disk disk = new Disk();
        GroupSync group = new GroupSync(disk::sync);
        group.awaitCommitted();
        assertThat(disk.syncs.get()).isZero();
        disk.committed.incrementAndGet();
        group.afterCommit();
        group.awaitCommitted();
        assertThat(disk.syncs.get()).isEqualTo(1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
