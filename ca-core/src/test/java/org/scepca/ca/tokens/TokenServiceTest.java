package org.scepca.ca.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.JdbcTokenStore;
import org.scepca.ca.store.TokenRecord;

class TokenServiceTest {
    @TempDir
    Path dir;
    private Database db;
    private TokenService tokens;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void open() {
        db = Database.openH2(dir.resolve("db"), dir.resolve("db-password"), 2);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        tokens = new TokenService(new JdbcTokenStore(db), clock, new SecureRandom());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void createdToken_authenticates_andIsStoredOnlyAsItsHash() {
        var minted = tokens.create("alice", AdminRole.ADMIN);
        assertThat(minted.token()).startsWith("scepca_").hasSize(7 + 43);
        assertThat(minted.toString()).doesNotContain(minted.token());
        assertThat(minted.record().tokenSha256()).isEqualTo(Pem.sha256Hex(minted.token().getBytes()));
        assertThat(tokens.list()).extracting(TokenRecord::tokenSha256).doesNotContain(minted.token());
        assertThat(tokens.authenticate(minted.token())).get().extracting(TokenRecord::name).isEqualTo("alice");
    }

    @Test
    void wrongOrMalformedToken_doesNotAuthenticate() {
        var minted = tokens.create("alice", AdminRole.VIEWER);
        String last = minted.token().substring(minted.token().length() - 1);
        String flipped = minted.token().substring(0, minted.token().length() - 1) + (last.equals("A") ? "B" : "A");
        assertThat(tokens.authenticate(flipped)).isEmpty();
        assertThat(tokens.authenticate(minted.token().substring(7))).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(tokens.authenticate("scepca_" + "x".repeat(500))).isEmpty();
    }

    @Test
    void revokedToken_stopsWorking_byIdOrName() {
        var a = tokens.create("alice", AdminRole.ADMIN);
        var b = tokens.create("bob", AdminRole.ADMIN);
        tokens.revoke(a.record().id());
        tokens.revoke("bob");
        assertThat(tokens.authenticate(a.token())).isEmpty();
        assertThat(tokens.authenticate(b.token())).isEmpty();
        assertThatThrownBy(() -> tokens.revoke("bob")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.revoke(a.record().id())).hasMessageContaining("already revoked");
    }

    @Test
    void ambiguousName_mustBeRevokedById() {
        tokens.create("ci", AdminRole.VIEWER);
        tokens.create("ci", AdminRole.VIEWER);
        assertThatThrownBy(() -> tokens.revoke("ci")).hasMessageContaining("revoke by id");
    }

    @Test
    void lastUse_isRecordedAtMostOncePerMinute() {
        var minted = tokens.create("alice", AdminRole.VIEWER);
        Instant t0 = now.get();
        tokens.authenticate(minted.token());
        now.set(t0.plusSeconds(30));
        tokens.authenticate(minted.token());
        assertThat(tokens.list().get(0).lastUsedAt()).contains(t0);
        now.set(t0.plus(Duration.ofMinutes(2)));
        tokens.authenticate(minted.token());
        assertThat(tokens.list().get(0).lastUsedAt()).contains(t0.plus(Duration.ofMinutes(2)));
    }

    @Test
    void badNamesAndRoles_areRefused() {
        assertThatThrownBy(() -> tokens.create("", AdminRole.ADMIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.create("a b", AdminRole.ADMIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.create("x".repeat(65), AdminRole.ADMIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AdminRole.parse("root")).hasMessageContaining("admin, viewer or enroller");
        assertThat(AdminRole.parse(" Viewer ")).isEqualTo(AdminRole.VIEWER);
        assertThat(AdminRole.ADMIN.includes(AdminRole.VIEWER)).isTrue();
        assertThat(AdminRole.VIEWER.includes(AdminRole.ADMIN)).isFalse();
        // An enroller (an MDM's webhook token) can only mint challenges; an admin can do that too.
        assertThat(AdminRole.ADMIN.includes(AdminRole.ENROLLER)).isTrue();
        assertThat(AdminRole.ENROLLER.includes(AdminRole.VIEWER)).isFalse();
        assertThat(AdminRole.VIEWER.includes(AdminRole.ENROLLER)).isFalse();
    }
}
