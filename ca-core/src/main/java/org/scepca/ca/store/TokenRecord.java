package org.scepca.ca.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.tokens.AdminRole;

/** An admin API token as stored: its SHA-256, never the token. */
public record TokenRecord(String id, String name, AdminRole role, String tokenSha256, Instant createdAt,
        Optional<Instant> revokedAt, Optional<Instant> lastUsedAt) {
    public TokenRecord {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(role, "role is null");
        Objects.requireNonNull(tokenSha256, "tokenSha256 is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(revokedAt, "revokedAt is null");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt is null");
    }

    public boolean isRevoked() {
        return revokedAt.isPresent();
    }
}
