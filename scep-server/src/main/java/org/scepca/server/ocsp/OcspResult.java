package org.scepca.server.ocsp;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An encoded OCSPResponse and what the transport needs to know about it.
 *
 * @param der        the DER OCSPResponse, sent as {@code application/ocsp-response}
 * @param status     its responseStatus (RFC 6960 §4.2.1)
 * @param thisUpdate when the answered statuses were read (successful responses only)
 * @param nextUpdate until when the answer may be cached (successful responses only)
 * @param answers    the certStatus of each SingleResponse, in order (successful responses only), for the metrics
 */
public record OcspResult(byte[] der, Status status, Optional<Instant> thisUpdate, Optional<Instant> nextUpdate,
        java.util.List<CertStatus> answers) {
    public OcspResult {
        Objects.requireNonNull(der, "der is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(thisUpdate, "thisUpdate is null");
        Objects.requireNonNull(nextUpdate, "nextUpdate is null");
        answers = java.util.List.copyOf(answers);
        if (!answers.isEmpty() && status != Status.SUCCESSFUL) {
            throw new IllegalArgumentException("only a successful response answers for certificates");
        }
    }

    /** An answer that carries no certificate statuses. */
    public OcspResult(byte[] der, Status status, Optional<Instant> thisUpdate, Optional<Instant> nextUpdate) {
        this(der, status, thisUpdate, nextUpdate, java.util.List.of());
    }

    /** certStatus of a SingleResponse (RFC 6960 §4.2.1). */
    public enum CertStatus {
        GOOD, REVOKED, UNKNOWN
    }

    public boolean successful() {
        return status == Status.SUCCESSFUL;
    }

    /** OCSPResponseStatus (RFC 6960 §4.2.1); 4 is unused. */
    public enum Status {
        SUCCESSFUL(0), MALFORMED_REQUEST(1), INTERNAL_ERROR(2), TRY_LATER(3), SIG_REQUIRED(5), UNAUTHORIZED(6);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
