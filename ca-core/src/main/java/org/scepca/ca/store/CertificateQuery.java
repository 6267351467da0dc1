package org.scepca.ca.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A filtered, paginated listing. Newest first; {@code cursor} is the opaque value a previous page returned.
 *
 * @param state        which certificates: all, active (valid and unexpired), revoked, expired
 * @param text         case-insensitive substring of the subject or a subjectAltName
 * @param expiringBefore only certificates whose notAfter is before this instant (and still active)
 * @param device       exactly this device serial number, UDID or Intune device id (case-insensitive)
 * @param endpoint     only certificates issued by this enrollment endpoint
 */
public record CertificateQuery(State state, Optional<String> text, Optional<Instant> expiringBefore,
        Optional<Instant> issuedAfter, Optional<Instant> issuedBefore, Optional<String> cursor, int limit,
        Optional<String> device, Optional<String> endpoint) {

    public CertificateQuery(State state, Optional<String> text, Optional<Instant> expiringBefore,
            Optional<Instant> issuedAfter, Optional<Instant> issuedBefore, Optional<String> cursor, int limit) {
        this(state, text, expiringBefore, issuedAfter, issuedBefore, cursor, limit, Optional.empty(), Optional.empty());
    }

    public enum State { ALL, ACTIVE, REVOKED, EXPIRED }

    public static final int MAX_LIMIT = 1000;

    public CertificateQuery {
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(text, "text is null");
        Objects.requireNonNull(expiringBefore, "expiringBefore is null");
        Objects.requireNonNull(issuedAfter, "issuedAfter is null");
        Objects.requireNonNull(issuedBefore, "issuedBefore is null");
        Objects.requireNonNull(cursor, "cursor is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(endpoint, "endpoint is null");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }

    public static CertificateQuery all(int limit) {
        return new CertificateQuery(State.ALL, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), limit);
    }

    public CertificateQuery withCursor(String next) {
        return new CertificateQuery(state, text, expiringBefore, issuedAfter, issuedBefore, Optional.of(next), limit,
                device, endpoint);
    }

    public CertificateQuery withDevice(Optional<String> d) {
        return new CertificateQuery(state, text, expiringBefore, issuedAfter, issuedBefore, cursor, limit, d, endpoint);
    }

    public CertificateQuery withEndpoint(Optional<String> e) {
        return new CertificateQuery(state, text, expiringBefore, issuedAfter, issuedBefore, cursor, limit, device, e);
    }
}
