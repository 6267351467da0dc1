package org.scepca.ca.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A one-time challenge as stored: only the SHA-256 of the secret, never the secret. */
public record ChallengeRecord(String id, String secretSha256, Instant createdAt, Instant expiresAt,
        Optional<Instant> consumedAt, Optional<String> note) {
    public ChallengeRecord {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(secretSha256, "secretSha256 is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(expiresAt, "expiresAt is null");
        Objects.requireNonNull(consumedAt, "consumedAt is null");
        Objects.requireNonNull(note, "note is null");
    }

    public boolean usableAt(Instant now) {
        return consumedAt.isEmpty() && now.isBefore(expiresAt);
    }
}
