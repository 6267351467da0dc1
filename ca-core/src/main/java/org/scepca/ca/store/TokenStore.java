package org.scepca.ca.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Admin API tokens, stored hashed. Implementation: {@link JdbcTokenStore}. */
public interface TokenStore {
    void insert(TokenRecord token);

    Optional<TokenRecord> findByHash(String tokenSha256);

    Optional<TokenRecord> find(String id);

    /** Every token, revoked ones included, newest first. */
    List<TokenRecord> list();

    /** Marks a token revoked. False if there is no such token or it was already revoked. */
    boolean revoke(String id, Instant at);

    /** Records that a token was just used (for spotting stale tokens in {@code admin token list}). */
    void touch(String id, Instant at);
}
