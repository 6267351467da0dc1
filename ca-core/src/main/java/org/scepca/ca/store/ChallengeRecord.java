package org.scepca.ca.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.policy.NameBinding;

/**
 * A one-time challenge as stored: only the SHA-256 of the secret, never the secret.
 *
 * @param binding the names a CSR must have to use it; empty: any names the policy allows
 * @param origin  the endpoint it is good for, who minted it and for which device
 */
public record ChallengeRecord(String id, String secretSha256, Instant createdAt, Instant expiresAt,
        Optional<Instant> consumedAt, Optional<String> note, Optional<NameBinding> binding, ChallengeOrigin origin) {
    public ChallengeRecord {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(secretSha256, "secretSha256 is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(expiresAt, "expiresAt is null");
        Objects.requireNonNull(consumedAt, "consumedAt is null");
        Objects.requireNonNull(note, "note is null");
        Objects.requireNonNull(binding, "binding is null");
        Objects.requireNonNull(origin, "origin is null");
    }

    /** A challenge for the default endpoint, minted by an operator. */
    public ChallengeRecord(String id, String secretSha256, Instant createdAt, Instant expiresAt,
            Optional<Instant> consumedAt, Optional<String> note, Optional<NameBinding> binding) {
        this(id, secretSha256, createdAt, expiresAt, consumedAt, note, binding, ChallengeOrigin.DEFAULT);
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
