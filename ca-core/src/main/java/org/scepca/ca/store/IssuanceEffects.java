package org.scepca.ca.store;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.tokens.AdminRole;

/**
 * What must happen in the same database transaction as storing a new certificate, so that a crash or a race never
 * leaves a consumed challenge without its certificate, a certificate without its request, or two certificates for
 * one transaction or one renewal.
 *
 * @param consumeChallengeHash a one-time challenge (by hash) to consume; the issuance fails if it is already used or expired
 * @param request              the SCEP transaction to record as issued (inserted, or moved from approved pending)
 * @param supersede            a certificate to revoke as superseded (renewal)
 * @param renews               the certificate this one renews: stored with a unique constraint, so a certificate is
 *                             renewed at most once; a second renewal fails with {@link ConflictException.What#ALREADY_RENEWED}
 * @param replaces             a finished transaction with the same id that {@code request} takes over (a client that
 *                             reuses its transaction id to renew); deleted only if still exactly as seen
 * @param adminGrant           the admin role this certificate carries (ADMIN_CLIENT profile only)
 * @param reportToMdm          an MDM (Intune) must hear of this certificate: a pending report is stored with it, and
 *                             removed once the MDM acknowledged it, so a crash or an outage between issuing and
 *                             reporting never leaves the MDM unaware of a certificate (it could not revoke it)
 * @param andThen              a protocol's own step, run last in the same transaction (an ACME order that becomes
 *                             valid with this certificate): if it throws, nothing is stored
 */
public record IssuanceEffects(Optional<String> consumeChallengeHash, Optional<RequestRecord> request,
        Optional<BigInteger> supersede, Optional<BigInteger> renews, Optional<RequestRecord> replaces,
        Optional<AdminGrant> adminGrant, boolean reportToMdm, Optional<Step> andThen) {
    /**
     * A write of a protocol core's in the transaction that stores {@code cert}. It throws (a
     * {@link ConflictException}, typically) to roll the whole issuance back.
     */
    @FunctionalInterface
    public interface Step {
        void apply(java.sql.Connection c, CertificateRecord cert) throws java.sql.SQLException;
    }

    public IssuanceEffects(Optional<String> consumeChallengeHash, Optional<RequestRecord> request,
            Optional<BigInteger> supersede, Optional<BigInteger> renews, Optional<RequestRecord> replaces,
            Optional<AdminGrant> adminGrant) {
        this(consumeChallengeHash, request, supersede, renews, replaces, adminGrant, false, Optional.empty());
    }

    public IssuanceEffects {
        Objects.requireNonNull(consumeChallengeHash, "consumeChallengeHash is null");
        Objects.requireNonNull(request, "request is null");
        Objects.requireNonNull(supersede, "supersede is null");
        Objects.requireNonNull(renews, "renews is null");
        Objects.requireNonNull(replaces, "replaces is null");
        Objects.requireNonNull(adminGrant, "adminGrant is null");
        Objects.requireNonNull(andThen, "andThen is null");
        if (replaces.isPresent() && (request.isEmpty()
                || !replaces.get().transactionId().equals(request.get().transactionId()))) {
            throw new IllegalArgumentException("replaces must name the transaction id of request");
        }
        if (reportToMdm && request.isEmpty()) {
            throw new IllegalArgumentException("a report to the MDM needs the request (transaction id and CSR)");
        }
        if (supersede.isPresent() && !supersede.equals(renews)) {
            throw new IllegalArgumentException("only the renewed certificate can be superseded");
        }
    }

    public IssuanceEffects(Optional<String> consumeChallengeHash, Optional<RequestRecord> request) {
        this(consumeChallengeHash, request, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static IssuanceEffects none() {
        return new IssuanceEffects(Optional.empty(), Optional.empty());
    }

    /** A renewal of {@code serial}, which is also revoked as superseded when {@code supersede} is true. */
    public IssuanceEffects renewing(BigInteger serial, boolean supersede) {
        return new IssuanceEffects(consumeChallengeHash, request, supersede ? Optional.of(serial) : Optional.empty(),
                Optional.of(serial), replaces, adminGrant, reportToMdm, andThen);
    }

    public IssuanceEffects replacing(RequestRecord finished) {
        return new IssuanceEffects(consumeChallengeHash, request, supersede, renews, Optional.of(finished), adminGrant,
                reportToMdm, andThen);
    }

    public IssuanceEffects granting(AdminGrant grant) {
        return new IssuanceEffects(consumeChallengeHash, request, supersede, renews, replaces, Optional.of(grant),
                reportToMdm, andThen);
    }

    public IssuanceEffects reportingToMdm() {
        return new IssuanceEffects(consumeChallengeHash, request, supersede, renews, replaces, adminGrant, true,
                andThen);
    }

    /** With {@code step} run last in the issuance's transaction (see {@link Step}). */
    public IssuanceEffects andThen(Step step) {
        return new IssuanceEffects(consumeChallengeHash, request, supersede, renews, replaces, adminGrant, reportToMdm,
                Optional.of(step));
    }

    /** The name and role of an admin client certificate, stored beside it. */
    public record AdminGrant(String name, AdminRole role) {
        public AdminGrant {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(role, "role is null");
        }
    }
}
