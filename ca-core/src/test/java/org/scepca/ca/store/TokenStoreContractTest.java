package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.ca.tokens.AdminRole;

/** The {@link TokenStore} contract; H2 runs it here, a PostgreSQL implementation extends it. */
public abstract class TokenStoreContractTest {
    protected Database db;
    protected TokenStore tokens;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    protected abstract Database openDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = openDatabase();
        tokens = new JdbcTokenStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private TokenRecord token(String id, String name, String hash, Instant created) {
        return new TokenRecord(id, name, AdminRole.VIEWER, hash, created, Optional.empty(), Optional.empty());
    }

    @Test
    void storesAndFindsByHashAndId() {
        tokens.insert(token("t1", "alice", "a".repeat(64), now));
        assertThat(tokens.findByHash("a".repeat(64))).get().satisfies(t -> {
            assertThat(t.name()).isEqualTo("alice");
            assertThat(t.role()).isEqualTo(AdminRole.VIEWER);
            assertThat(t.createdAt()).isEqualTo(now);
            assertThat(t.revokedAt()).isEmpty();
        });
        assertThat(tokens.find("t1")).isPresent();
        assertThat(tokens.findByHash("b".repeat(64))).isEmpty();
        assertThat(tokens.find("nope")).isEmpty();
    }

    @Test
    void duplicateHash_isRefused() {
        tokens.insert(token("t1", "alice", "a".repeat(64), now));
        assertThatThrownBy(() -> tokens.insert(token("t2", "bob", "a".repeat(64), now))).isInstanceOf(StoreException.class);
    }

    @Test
    void listsNewestFirst_includingRevoked() {
        tokens.insert(token("t1", "old", "1".repeat(64), now.minusSeconds(60)));
        tokens.insert(token("t2", "new", "2".repeat(64), now));
        assertThat(tokens.revoke("t1", now)).isTrue();
        assertThat(tokens.list()).extracting(TokenRecord::name).containsExactly("new", "old");
    }

    @Test
    void revokeOnlyOnce_andTouchRecordsLastUse() {
        tokens.insert(token("t1", "alice", "a".repeat(64), now));
        assertThat(tokens.revoke("t1", now)).isTrue();
        assertThat(tokens.revoke("t1", now.plusSeconds(1))).isFalse();
        assertThat(tokens.revoke("unknown", now)).isFalse();
        assertThat(tokens.find("t1").orElseThrow().revokedAt()).contains(now);
        tokens.touch("t1", now.plusSeconds(5));
        assertThat(tokens.find("t1").orElseThrow().lastUsedAt()).contains(now.plusSeconds(5));
    }
}
