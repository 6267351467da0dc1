package org.scepca.ca.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A SCEP transaction (RFC 8894 §3.2.1.1): the transactionID is the idempotency key, the CSR hash tells a repeat of
 * the same request from a different request reusing the id.
 */
public record RequestRecord(String transactionId, String csrSha256, byte[] csrDer, String subjectDn,
        RequestStatus status, Optional<BigInteger> serial, String requester, Optional<String> reason,
        Instant createdAt, Instant updatedAt) {
    public RequestRecord {
        Objects.requireNonNull(transactionId, "transactionId is null");
        Objects.requireNonNull(csrSha256, "csrSha256 is null");
        Objects.requireNonNull(csrDer, "csrDer is null");
        Objects.requireNonNull(subjectDn, "subjectDn is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(serial, "serial is null");
        Objects.requireNonNull(requester, "requester is null");
        Objects.requireNonNull(reason, "reason is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(updatedAt, "updatedAt is null");
        if (transactionId.isEmpty() || transactionId.length() > 128) {
            throw new IllegalArgumentException("transactionId must have 1 to 128 characters");
        }
    }

    public RequestRecord issued(BigInteger serialNumber, Instant at) {
        return new RequestRecord(transactionId, csrSha256, csrDer, subjectDn, RequestStatus.ISSUED,
                Optional.of(serialNumber), requester, reason, createdAt, at);
    }
}
