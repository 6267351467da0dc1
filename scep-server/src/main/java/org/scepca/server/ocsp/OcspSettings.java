package org.scepca.server.ocsp;

import java.time.Duration;
import java.util.Objects;

/**
 * How the responder answers.
 *
 * @param responseValidity        nextUpdate − thisUpdate of each answer; also the HTTP cache lifetime of GET answers,
 *                                so a revocation reaches caching clients within this time (clients that send a nonce
 *                                see it at once)
 * @param signerValidity          lifetime of the delegated responder certificate; it is renewed after half of it
 * @param maxCertificatesPerRequest CertIDs accepted in one request (RFC 5019 clients send one)
 */
public record OcspSettings(Duration responseValidity, Duration signerValidity, int maxCertificatesPerRequest) {
    public OcspSettings {
        Objects.requireNonNull(responseValidity, "responseValidity is null");
        Objects.requireNonNull(signerValidity, "signerValidity is null");
        if (responseValidity.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("responseValidity must be at least one minute");
        }
        if (signerValidity.compareTo(Duration.ofHours(2)) < 0) {
            throw new IllegalArgumentException("signerValidity must be at least two hours");
        }
        if (maxCertificatesPerRequest < 1) {
            throw new IllegalArgumentException("maxCertificatesPerRequest must be at least 1");
        }
    }

    /** One-hour answers, a responder certificate valid for a week (renewed every few days), up to 16 CertIDs. */
    public static OcspSettings defaults() {
        return new OcspSettings(Duration.ofHours(1), Duration.ofDays(7), 16);
    }
}
