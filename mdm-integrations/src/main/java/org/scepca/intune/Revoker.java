package org.scepca.intune;

import java.math.BigInteger;

/**
 * Revokes one certificate of this CA on Intune's request; the server's implementation calls its RevocationService
 * (reason cessationOfOperation fits a retired or wiped device) and maps its answers. Must be idempotent: a
 * request Intune sends again after a lost upload finds the certificate {@link Outcome#ALREADY_REVOKED}.
 */
@FunctionalInterface
public interface Revoker {
    /** What became of the request. */
    enum Outcome {
        /** Revoked now (durably, before returning). */
        REVOKED,
        /** It was already revoked: Intune's wish holds, reported as success. */
        ALREADY_REVOKED,
        /** This CA never issued that serial. */
        NOT_FOUND,
        /** The request names an issuer that is not this CA. */
        NOT_OURS,
        /** A temporary failure (database busy, ...): Intune will ask again. */
        FAILED_RETRYABLE
    }

    /**
     * @param serial     the certificate's serial number (parsed from Intune's hex)
     * @param issuerName the issuer name Intune gives (what successNotification sent as issuingCertificateAuthority),
     *                   or null if it gave none
     * @return the outcome; a thrown RuntimeException counts as {@link Outcome#FAILED_RETRYABLE}
     */
    Outcome revoke(BigInteger serial, String issuerName);
}
