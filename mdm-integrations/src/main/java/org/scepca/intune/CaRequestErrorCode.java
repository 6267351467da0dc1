package org.scepca.intune;

/**
 * Result codes of the PKI connector's CA requests (Microsoft's {@code CARequestErrorCode}): 4000–4007 are final,
 * Intune does not ask again; 4100–4103 may be retried, the request comes back in a later download.
 */
public enum CaRequestErrorCode {
    /** No error (only with succeeded = true). */
    NONE(0),
    /** General non-retryable service error. */
    NON_RETRYABLE_SERVICE_EXCEPTION(4000),
    /** The data failed to deserialize. */
    DATA_SERIALIZATION_ERROR(4001),
    /** The data contained invalid parameters (a serial number that is not hex, for instance). */
    PARAMETER_DATA_INVALID_ERROR(4002),
    /** A cryptography error while fulfilling the request. */
    CRYPTOGRAPHY_ERROR(4003),
    /** The certificate could not be found. */
    CERTIFICATE_NOT_FOUND_ERROR(4004),
    /** Conflict, e.g. revoking an already revoked certificate (we report that as success: see IntuneRevocationSync). */
    CONFLICT_ERROR(4005),
    /** The request is not supported. */
    NOT_SUPPORTED_ERROR(4006),
    /** The request is larger than allowed. */
    PAYLOAD_TOO_LARGE_ERROR(4007),
    /** General retryable service error. */
    RETRYABLE_SERVICE_EXCEPTION(4100),
    /** Service unavailable (retryable). */
    SERVICE_UNAVAILABLE_EXCEPTION(4101),
    /** Service too busy (retryable). */
    SERVICE_TOO_BUSY_EXCEPTION(4102),
    /** Authentication failure (retryable). */
    AUTHENTICATION_EXCEPTION(4103);

    private final int value;

    CaRequestErrorCode(int value) {
        this.value = value;
    }

    /** The number on the wire. */
    public int value() {
        return value;
    }

    /** Intune may send the request again (41xx). */
    public boolean retryable() {
        return value >= 4100;
    }
}
