package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.MutableClock;
import org.scepca.ca.testing.PgCluster;

/** The replica registry and job leases on a real PostgreSQL, where replicas share them. */
class ReplicasAndLeasesTest {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    Database db;

    @BeforeEach
    void open() {
        db = Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 8);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void liveReplicasAreThoseThatBeatRecently() {
        Replicas r = new Replicas(db, clock);
        r.register("a", "host-a", "1.0");
        r.register("b", "host-b", "1.0");
        assertThat(r.liveCount()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(20));
        r.heartbeat("a", "host-a", "1.0");
        clock.advance(Duration.ofSeconds(15)); // b silent for 35 s, a for 15 s
        assertThat(r.liveCount()).isEqualTo(1);
        assertThat(r.list()).extracting(Replicas.Replica::id).containsExactlyInAnyOrder("a", "b");
        r.leave("a");
        assertThat(r.liveCount()).as("never below one: the caller runs").isEqualTo(1);
        r.heartbeat("a", "host-a", "1.0"); // forgotten by then: re-added
        assertThat(r.list()).extracting(Replicas.Replica::id).contains("a");
    }

    @Test
    void oneHolderAtATime_untilItsLeaseRunsOut() {
        JobLeases leases = new JobLeases(db, clock);
        assertThat(leases.tryAcquire("sync", "a", Duration.ofMinutes(5))).isTrue();
        assertThat(leases.tryAcquire("sync", "b", Duration.ofMinutes(5))).isFalse();
        clock.advance(Duration.ofMinutes(4));
        assertThat(leases.tryAcquire("sync", "a", Duration.ofMinutes(5))).as("renewed by its holder").isTrue();
        clock.advance(Duration.ofMinutes(4));
        assertThat(leases.tryAcquire("sync", "b", Duration.ofMinutes(5))).as("a renewed 4 min ago").isFalse();
        clock.advance(Duration.ofMinutes(2));
        assertThat(leases.tryAcquire("sync", "b", Duration.ofMinutes(5))).as("a's lease ran out").isTrue();
        assertThat(leases.tryAcquire("sync", "a", Duration.ofMinutes(5))).isFalse();
        leases.release("sync", "b");
        assertThat(leases.tryAcquire("sync", "a", Duration.ofMinutes(5))).as("released").isTrue();
    }

    @Test
    void replicasRacingForANewJob_exactlyOneGetsIt() throws Exception {
        JobLeases leases = new JobLeases(db, clock);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String holder = "replica-" + i;
                tries.add(pool.submit(() -> {
                    go.await();
                    return leases.tryAcquire("new-job", holder, Duration.ofMinutes(1));
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : tries) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
