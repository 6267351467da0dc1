package org.scepca.ca.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A SCEP transaction (RFC 8894 §3.2.1.1): the transactionID is the idempotency key; the CSR hash and the certificate
 * that signed it ({@code renews}: one of ours, for a renewal) tell a repeat of the same message from a different
 * request reusing the id. Clients reuse both id and CSR when they renew (sscep with the same CSR; micromdm's
 * scepclient derives the id from the public key), so a renewal signed by the certificate this transaction issued is
 * a new request, never a repeat.
 *
 * @param renews the serial of our certificate that signed the request (a renewal), empty for a challenge enrollment
 * @param endpoint    the enrollment endpoint it came to (empty: from before endpoints existed, the default one)
 * @param challengeId the one-time challenge that authorised it, if any
 */
public record RequestRecord(String transactionId, String csrSha256, byte[] csrDer, String subjectDn,
        RequestStatus status, Optional<BigInteger> serial, String requester, Optional<String> reason,
        Instant createdAt, Instant updatedAt, Optional<BigInteger> renews, Optional<String> endpoint,
        Optional<String> challengeId) {
    public RequestRecord(String transactionId, String csrSha256, byte[] csrDer, String subjectDn, RequestStatus status,
            Optional<BigInteger> serial, String requester, Optional<String> reason, Instant createdAt, Instant updatedAt,
            Optional<BigInteger> renews) {
        this(transactionId, csrSha256, csrDer, subjectDn, status, serial, requester, reason, createdAt, updatedAt,
                renews, Optional.empty(), Optional.empty());
    }

    /** A challenge enrollment (signed by a throwaway certificate, renews nothing). */
    public RequestRecord(String transactionId, String csrSha256, byte[] csrDer, String subjectDn, RequestStatus status,
            Optional<BigInteger> serial, String requester, Optional<String> reason, Instant createdAt, Instant updatedAt) {
        this(transactionId, csrSha256, csrDer, subjectDn, status, serial, requester, reason, createdAt, updatedAt,
                Optional.empty());
    }

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
        Objects.requireNonNull(renews, "renews is null");
        Objects.requireNonNull(endpoint, "endpoint is null");
        Objects.requireNonNull(challengeId, "challengeId is null");
        if (transactionId.isEmpty() || transactionId.length() > 128) {
            throw new IllegalArgumentException("transactionId must have 1 to 128 characters");
        }
    }

    public RequestRecord issued(BigInteger serialNumber, Instant at) {
        return new RequestRecord(transactionId, csrSha256, csrDer, subjectDn, RequestStatus.ISSUED,
                Optional.of(serialNumber), requester, reason, createdAt, at, renews, endpoint, challengeId);
    }

    /** True if {@code csrHash} signed by our certificate {@code signer} (empty: not ours) is a repeat of this message. */
    public boolean isRepeat(String csrHash, Optional<BigInteger> signer) {
        return csrSha256.equals(csrHash) && renews.equals(signer);
    }
}
