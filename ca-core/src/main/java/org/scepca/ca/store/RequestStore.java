package org.scepca.ca.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** SCEP transactions: idempotency by transaction id, and requests waiting for an operator. */
public interface RequestStore {
    Optional<RequestRecord> find(String transactionId);

    /**
     * Records a pending request, consuming the one-time challenge that authorised it in the same transaction.
     *
     * @throws ConflictException if the id exists or the challenge is no longer usable
     */
    void insertPending(RequestRecord request, Optional<String> consumeChallengeHash);

    List<RequestRecord> list(Optional<RequestStatus> status, int limit);

    /** How many requests have {@code status}, counted by the store (no row is read). */
    long count(RequestStatus status);

    /** PENDING to REJECTED. False if the request is not pending. */
    boolean reject(String transactionId, String reason, Instant at);
}
