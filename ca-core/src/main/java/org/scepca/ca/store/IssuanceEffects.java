package org.scepca.ca.store;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * What must happen in the same database transaction as storing a new certificate, so that a crash or a race never
 * leaves a consumed challenge without its certificate, a certificate without its request, or two certificates for
 * one transaction.
 *
 * @param consumeChallengeHash a one-time challenge (by hash) to consume; the issuance fails if it is already used or expired
 * @param request              the SCEP transaction to record as issued (inserted, or moved from approved pending)
 * @param supersede            a certificate to revoke as superseded (renewal)
 */
public record IssuanceEffects(Optional<String> consumeChallengeHash, Optional<RequestRecord> request,
        Optional<BigInteger> supersede) {
    public IssuanceEffects {
        Objects.requireNonNull(consumeChallengeHash, "consumeChallengeHash is null");
        Objects.requireNonNull(request, "request is null");
        Objects.requireNonNull(supersede, "supersede is null");
    }

    public static IssuanceEffects none() {
        return new IssuanceEffects(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
