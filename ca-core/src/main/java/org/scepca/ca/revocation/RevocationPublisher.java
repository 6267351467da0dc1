package org.scepca.ca.revocation;

/**
 * Makes revocations that have committed public before the caller answers: every path that revokes (the admin API,
 * the CLI, supersession by a renewal) calls it after its durable commit. The CRL service implements it.
 */
@FunctionalInterface
public interface RevocationPublisher {
    /** Returns once the published CRL includes every revocation committed before the call. */
    void publishCommitted();

    /** For an engine that never supersedes (a one-off CLI engine): superseding through it is a programming error. */
    RevocationPublisher NONE = () -> {
        throw new IllegalStateException("this issuance engine cannot publish revocations");
    };
}
