package org.scepca.intune;

import java.util.Objects;

/**
 * The outcome of one {@link RevocationRequest}, uploaded with {@code uploadRevocationResults}. As in Microsoft's
 * clients: succeeded goes with {@link CaRequestErrorCode#NONE} and no message, a failure with a code other than NONE.
 *
 * @param errorMessage shown to the Intune administrator; null on success, at most 255 characters
 */
public record RevocationResult(String requestContext, boolean succeeded, CaRequestErrorCode errorCode,
        String errorMessage) {
    static final int MAX_MESSAGE = 255;

    public RevocationResult {
        Objects.requireNonNull(requestContext, "requestContext is null");
        Objects.requireNonNull(errorCode, "errorCode is null");
        if (requestContext.isBlank()) {
            throw new IllegalArgumentException("requestContext is blank");
        }
        if (succeeded != (errorCode == CaRequestErrorCode.NONE)) {
            throw new IllegalArgumentException("errorCode must be NONE exactly when succeeded");
        }
        if (succeeded && errorMessage != null) {
            throw new IllegalArgumentException("a succeeded result has no errorMessage");
        }
        if (errorMessage != null && errorMessage.length() > MAX_MESSAGE) {
            errorMessage = errorMessage.substring(0, MAX_MESSAGE);
        }
    }

    public static RevocationResult succeeded(String requestContext) {
        return new RevocationResult(requestContext, true, CaRequestErrorCode.NONE, null);
    }

    public static RevocationResult failed(String requestContext, CaRequestErrorCode code, String message) {
        return new RevocationResult(requestContext, false, code, Objects.requireNonNull(message, "message is null"));
    }
}
