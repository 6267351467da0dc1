package org.scepca.intune;

import java.time.Duration;
import java.util.Optional;

import org.scepca.intune.IntuneUnavailableException.Kind;

/**
 * A failure worth another attempt (5xx, 429, timeout, transport): what the Retry retries. After the last attempt it
 * becomes an {@link IntuneUnavailableException} of the same kind and message.
 */
final class Transient extends RuntimeException {
    private final Kind kind;
    private final Optional<Duration> retryAfter;

    Transient(Kind kind, String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    Transient(Kind kind, String message, Throwable cause) {
        this(kind, message, Optional.empty(), cause);
    }

    /** Retry-After of a 429 or 503, if the service sent one. */
    Optional<Duration> retryAfter() {
        return retryAfter;
    }

    IntuneUnavailableException unavailable() {
        return new IntuneUnavailableException(kind, getMessage(), getCause());
    }
}
