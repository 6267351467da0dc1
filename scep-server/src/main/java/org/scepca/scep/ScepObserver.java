package org.scepca.scep;

import java.util.Objects;
import java.util.Optional;

import org.scepca.scep.message.FailInfo;

/**
 * Told what each SCEP request came to, after its reply is built: the server's metrics implement it. An interface here,
 * so that the protocol core stays free of any metrics library; implementations must be quick and must not throw (they
 * run on the request's thread, after the reply is ready and before it is sent).
 */
@FunctionalInterface
public interface ScepObserver {
    /** Records nothing (tests, tools). */
    ScepObserver NONE = event -> {
    };

    void observe(Event event);

    /** How a request ended, as the HTTP client saw it. */
    enum Result {
        /** A CertRep SUCCESS, or a GetCACaps/GetCACert/GetNextCACert answer. */
        SUCCESS,
        /** A signed CertRep FAILURE; {@link Event#failInfo()} and {@link Event#refusal()} say which and why. */
        FAILURE,
        /** A CertRep PENDING (manual approval). */
        PENDING,
        /** Not a SCEP message at all, or no operation: an HTTP 4xx problem, no CertRep. */
        MALFORMED,
        /** The database could not be reached: HTTP 503 with Retry-After, no CertRep. */
        UNAVAILABLE
    }

    /**
     * Why an enrollment or other PKIOperation was refused, in a few classes small enough to be a metric label (the
     * audit line has the detail).
     */
    enum Refusal {
        /** The pkiMessage decoded but failed its checks (signature, digest, cipher, a CertRep sent as a request). */
        MESSAGE,
        /** A transactionID reused with another CSR, or a concurrent copy of the same transaction won. */
        TRANSACTION,
        /** A renewal that this endpoint may not grant (not ours, revoked or expired, window not open...). */
        RENEWAL,
        /** No, a wrong, an expired or a used challenge password. */
        CHALLENGE,
        /** Intune refused the request, or could not be asked. */
        INTUNE,
        /** The issuance policy refused the CSR (key, names, algorithm, an expired issuing CA). */
        POLICY,
        /** An operator rejected the pending request. */
        REJECTED,
        /** The certificate of this transaction was revoked. */
        REVOKED,
        /** GetCert, GetCRL or CertPoll for something we do not have. */
        NOT_FOUND,
        /** A fault of ours, answered with a signed FAILURE rather than an HTTP 500. */
        INTERNAL;

        /** The label value: lower case, hyphenated. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One request.
     *
     * @param endpoint  the SCEP endpoint's name ({@code default} for {@code /scep})
     * @param operation GetCACaps, GetCACert, GetNextCACert, or the pkiMessage's type (PKCSReq, RenewalReq, CertPoll,
     *                  GetCert, GetCRL, CertRep); PKIOperation when the message could not be decoded
     * @param renewal   an enrollment authorised by a certificate of ours (RenewalReq, or a PKCSReq signed by one)
     * @param repeat    a retransmission answered from the stored transaction (RFC 8894 §3.2.1.1): nothing new issued
     * @param nanos     how long the server took, decoding to encoded reply
     */
    record Event(String endpoint, String operation, Result result, Optional<FailInfo> failInfo,
            Optional<Refusal> refusal, boolean renewal, boolean repeat, long nanos) {
        public Event {
            Objects.requireNonNull(endpoint, "endpoint is null");
            Objects.requireNonNull(operation, "operation is null");
            Objects.requireNonNull(result, "result is null");
            Objects.requireNonNull(failInfo, "failInfo is null");
            Objects.requireNonNull(refusal, "refusal is null");
            if (failInfo.isPresent() != (result == Result.FAILURE)) {
                throw new IllegalArgumentException("a failInfo goes with a FAILURE and only with one");
            }
        }

        /** A request that ended without a CertRep ({@code MALFORMED}) or with a plain answer ({@code SUCCESS}). */
        public static Event plain(String endpoint, String operation, Result result, long nanos) {
            return new Event(endpoint, operation, result, Optional.empty(), Optional.empty(), false, false, nanos);
        }

        /** An enrollment (PKCSReq or RenewalReq). */
        public boolean enrollment() {
            return operation.equals("PKCSReq") || operation.equals("RenewalReq");
        }
    }
}
