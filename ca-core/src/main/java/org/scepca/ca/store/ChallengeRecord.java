package org.scepca.ca.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.policy.NameBinding;

/**
 * A one-time challenge as stored: only the SHA-256 of the secret, never the secret.
 *
 * @param binding the names a CSR must have to use it; empty: any names the policy allows
 */
public record ChallengeRecord(String id, String secretSha256, Instant createdAt, Instant expiresAt,
        Optional<Instant> consumedAt, Optional<String> note, Optional<NameBinding> binding) {
    public ChallengeRecord {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(secretSha256, "secretSha256 is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(expiresAt, "expiresAt is null");
        Objects.requireNonNull(consumedAt, "consumedAt is null");
        Objects.requireNonNull(note, "note is null");
        Objects.requireNonNull(binding, "binding is null");
    }

    /** An unbound challenge. */
    public ChallengeRecord(String id, String secretSha256, Instant createdAt, Instant expiresAt,
            Optional<Instant> consumedAt, Optional<String> note) {
        this(id, secretSha256, createdAt, expiresAt, consumedAt, note, Optional.empty());
    }

    public boolean usableAt(Instant now) {
        return consumedAt.isEmpty() && now.isBefore(expiresAt);
    }
}
