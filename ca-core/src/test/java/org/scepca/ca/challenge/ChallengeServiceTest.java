package org.scepca.ca.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.JdbcChallengeStore;
import org.scepca.ca.testing.MutableClock;

class ChallengeServiceTest {
    @TempDir
    Path dir;
    Database db;
    JdbcChallengeStore store;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void open() {
        db = Database.openH2(dir, dir.resolve("pw"), 2);
        store = new JdbcChallengeStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void mintedChallengeIsStoredOnlyAsAHash() {
        var svc = new ChallengeService(store, Optional.empty(), clock, new SecureRandom());
        var minted = svc.mint(Duration.ofMinutes(60), Optional.of("for mac-17"));
        assertThat(minted.secret()).hasSize(32);
        assertThat(minted.toString()).doesNotContain(minted.secret());
        var stored = store.listActive(clock.instant(), 10);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).secretSha256()).isNotEqualTo(minted.secret()).isEqualTo(ChallengeService.hashHex(minted.secret()));
        assertThat(svc.check(minted.secret())).get().extracting(ChallengeService.ChallengeGrant::kind)
                .isEqualTo(ChallengeService.ChallengeGrant.Kind.ONE_TIME);
    }

    @Test
    void expiredAndConsumedChallengesFail() {
        var svc = new ChallengeService(store, Optional.empty(), clock, new SecureRandom());
        var minted = svc.mint(Duration.ofMinutes(5), Optional.empty());
        var grant = svc.check(minted.secret()).orElseThrow();
        assertThat(store.consume(grant.oneTimeHash().orElseThrow(), clock.instant())).isTrue();
        assertThat(svc.check(minted.secret())).isEmpty();
        var other = svc.mint(Duration.ofMinutes(5), Optional.empty());
        clock.advance(Duration.ofMinutes(6));
        assertThat(svc.check(other.secret())).isEmpty();
    }

    @Test
    void staticChallengeMatchesExactly() {
        var svc = new ChallengeService(store, Optional.of("static-secret-0123456789"), clock, new SecureRandom());
        assertThat(svc.check("static-secret-0123456789")).get().extracting(ChallengeService.ChallengeGrant::kind)
                .isEqualTo(ChallengeService.ChallengeGrant.Kind.STATIC);
        assertThat(svc.check("static-secret-012345678")).isEmpty();
        assertThat(svc.check("")).isEmpty();
        assertThat(svc.check(null)).isEmpty();
    }

    @Test
    void purgeRemovesOnlyLongExpiredChallenges() {
        var svc = new ChallengeService(store, Optional.empty(), clock, new SecureRandom());
        svc.mint(Duration.ofMinutes(5), Optional.of("old"));
        clock.advance(Duration.ofDays(8));
        var fresh = svc.mint(Duration.ofMinutes(5), Optional.of("fresh"));
        assertThat(svc.purge(Duration.ofDays(7))).isEqualTo(1);
        assertThat(svc.check(fresh.secret())).isPresent();
    }

    @Test
    void ttlIsBounded() {
        var svc = new ChallengeService(store, Optional.empty(), clock, new SecureRandom());
        assertThatThrownBy(() -> svc.mint(Duration.ofDays(31), Optional.empty())).hasMessageContaining("ttl");
    }
}
