package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;

/**
 * The nonce store on PostgreSQL with two replicas (two pools on one database): a nonce issued by one is accepted
 * once by either, and expired nonces are refused and purged. The V12 schema migrates on PostgreSQL.
 */
class NonceStorePgTest {
    @Test
    void replicasShareNoncesAndEachIsUsedOnce() throws Exception {
        String url = PgCluster.shared().newDatabase();
        try (Database a = Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2);
                Database b = Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2)) {
            NonceStore one = new NonceStore(a, Clock.systemUTC(), Duration.ofMinutes(10), new SecureRandom());
            NonceStore two = new NonceStore(b, Clock.systemUTC(), Duration.ofMinutes(10), new SecureRandom());

            String nonce = one.issue();
            assertThat(two.consume(nonce)).isTrue();
            assertThat(one.consume(nonce)).isFalse();
            assertThat(two.consume(nonce)).isFalse();

            Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
            String stale = new NonceStore(a, past, Duration.ofMinutes(10), new SecureRandom()).issue();
            assertThat(two.consume(stale)).isFalse();
            one.issue(); // purges the expired row
            long left = a.inTransaction(c -> {
                try (var s = c.prepareStatement("SELECT COUNT(*) FROM acme_nonces WHERE nonce = ?")) {
                    s.setString(1, stale);
                    try (var rs = s.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            assertThat(left).isZero();
        }
    }
}
