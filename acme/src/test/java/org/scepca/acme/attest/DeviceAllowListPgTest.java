package org.scepca.acme.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;

/**
 * The allow-list on PostgreSQL with two replicas (two pools on one database): V13 migrates there, a change made by
 * one is seen by the other, and both adding the same devices at once lists each device once, without an error
 * (ON CONFLICT DO NOTHING), with each device reported as added by exactly one of them.
 */
class DeviceAllowListPgTest {
    @Test
    void replicasShareTheListAndConcurrentAddsAreIdempotent() throws Exception {
        String url = PgCluster.shared().newDatabase();
        try (Database a = Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2);
                Database b = Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2)) {
            DeviceAllowList one = new DeviceAllowList(a, Clock.systemUTC());
            DeviceAllowList two = new DeviceAllowList(b, Clock.systemUTC());

            assertThat(one.add("ios", List.of(TestAttestations.SERIAL), "cli:ops")).hasSize(1);
            assertThat(two.contains("ios", TestAttestations.SERIAL)).isTrue();
            assertThat(two.remove("ios", List.of(TestAttestations.SERIAL))).hasSize(1);
            assertThat(one.contains("ios", TestAttestations.SERIAL)).isFalse();

            List<String> devices = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                devices.add(String.format("C02TEST%05d", i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<String>>> runs = new ArrayList<>();
                for (DeviceAllowList replica : List.of(one, two)) {
                    Callable<List<String>> add = () -> replica.add("ios", devices, "api:replica");
                    runs.add(pool.submit(add));
                }
                List<String> reported = new ArrayList<>();
                for (Future<List<String>> run : runs) {
                    reported.addAll(run.get());
                }
                assertThat(reported).containsExactlyInAnyOrderElementsOf(devices);
            } finally {
                pool.shutdownNow();
            }
            assertThat(two.list("ios")).hasSize(50);

            // The Jamf feed on PostgreSQL: the replica-added entries are someone else's and stay; its own follow.
            assertThat(one.mirror("ios", List.of("C02TEST00000", "JAMFONLY001"), "jamf-sync"))
                    .isEqualTo(new DeviceAllowList.Mirrored(1, 0, 0));
            assertThat(two.mirror("ios", List.of(), "jamf-sync")).isEqualTo(new DeviceAllowList.Mirrored(0, 1, 0));
            assertThat(one.list("ios")).hasSize(50);
        }
    }
}
