package org.scepca.ca.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One-time challenges, stored hashed. */
public interface ChallengeStore {
    void insert(ChallengeRecord challenge);

    Optional<ChallengeRecord> findBySecretHash(String secretSha256);

    Optional<ChallengeRecord> findById(String id);

    /** Unconsumed, unexpired challenges, newest first. */
    List<ChallengeRecord> listActive(Instant now, int limit);

    /** How many challenges are unconsumed and unexpired at {@code now}, counted by the store (no row is read). */
    long countActive(Instant now);

    boolean delete(String id);

    /** Consumes a challenge on its own (no certificate yet: a pending request). True if it was usable and is now used. */
    boolean consume(String secretSha256, Instant now);

    /** Deletes challenges that expired or were consumed before {@code cutoff}. */
    int purge(Instant cutoff);
}
