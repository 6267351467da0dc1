package org.scepca.intune;

import java.util.Objects;

/**
 * Intune could not give an answer: timeout, HTTP 5xx or 429, transport error, token or discovery failure, an answer
 * outside the contract, or the circuit breaker is open. Unlike a refusal ({@link ScepActionResult} not successful),
 * this says nothing about the request: an enrollment must be refused (SCEP FAILURE), the device will try again.
 * The message is short and safe to show in an audit line; it never holds a token, secret or request body.
 */
public final class IntuneUnavailableException extends RuntimeException {
    /** Why, for audit lines and metrics ({@code intune-unavailable:circuit-open}). */
    public enum Kind {
        /** The circuit breaker is open after repeated failures: the call was not attempted. */
        CIRCUIT_OPEN,
        /** No answer within {@code intune.timeout-seconds}. */
        TIMEOUT,
        /** Connection refused or reset, TLS failure, name resolution. */
        TRANSPORT,
        /** An HTTP status that is not an answer (5xx, 429, 401/403/404 after rediscovery, other 4xx). */
        HTTP_STATUS,
        /** Entra refused or failed to issue a token (wrong secret, missing consent, login outage). */
        TOKEN,
        /** Graph did not list the Intune service (wrong permissions or tenant without Intune). */
        DISCOVERY,
        /** A 2xx answer that does not follow the contract (no code, not JSON, too large). */
        PROTOCOL
    }

    private final Kind kind;

    public IntuneUnavailableException(Kind kind, String message) {
        this(kind, message, null);
    }

    public IntuneUnavailableException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind is null");
    }

    public Kind kind() {
        return kind;
    }
}
