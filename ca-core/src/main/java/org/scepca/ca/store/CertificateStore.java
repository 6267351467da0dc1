package org.scepca.ca.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.tokens.AdminRole;

/** Issued certificates. Implementations: {@link JdbcCertificateStore} (H2; PostgreSQL-ready SQL). */
public interface CertificateStore {

    /**
     * Stores a newly signed certificate together with its {@link IssuanceEffects}, all or nothing.
     *
     * @throws ConflictException if the challenge is no longer usable, the transaction id is taken, the serial exists,
     *                           or the renewed certificate was already renewed
     */
    void insertIssued(CertificateRecord certificate, IssuanceEffects effects);

    Optional<CertificateRecord> find(BigInteger serial);

    /** An admin client certificate (ADMIN_CLIENT profile) with the name and role it was issued for. */
    Optional<AdminCertificate> findAdmin(BigInteger serial);

    /** Admin client certificates, newest first. */
    java.util.List<AdminCertificate> listAdmins(int limit);

    /** The certificate that renewed {@code serial}, if any (there is at most one). */
    Optional<BigInteger> renewedBy(BigInteger serial);

    Page<CertificateRecord> list(CertificateQuery query, Instant now);

    /**
     * Active certificates (valid, not revoked) whose notAfter is in {@code [now, before)}, soonest first (then by
     * serial): a range scan of the not_after index.
     *
     * @param endpoint only those issued by this endpoint (certificates from before endpoints came through the default)
     */
    java.util.List<CertificateRecord> expiring(Instant now, Instant before, Optional<String> endpoint, int limit);

    /**
     * How many certificates that were never revoked have their notAfter in {@code [from, to)}: with {@code from} now,
     * those about to expire; with {@code to} now, those that expired in that span. Counted from the not_after index
     * and the revocations table, like {@link #counts}.
     */
    long unrevokedExpiringBetween(Instant from, Instant to);

    /**
     * Active device certificates whose record names a device serial number or UDID (Jamf's dynamic challenges), for
     * the Jamf device sync; at most {@code limit}, oldest first.
     */
    java.util.List<CertificateRecord> activeWithDevice(Instant now, int limit);

    /**
     * Marks a certificate revoked.
     *
     * @return the updated record, or empty if no such serial; an already revoked certificate is returned unchanged
     */
    Optional<CertificateRecord> revoke(BigInteger serial, RevocationReason reason, Instant at);

    /** {@link #revoke(BigInteger, RevocationReason, Instant)}, naming who revoked it (for the revocation's webhook). */
    default Optional<CertificateRecord> revoke(BigInteger serial, RevocationReason reason, Instant at, String actor) {
        return revoke(serial, reason, at);
    }

    /**
     * Revokes each of {@code serials} that is valid, in one durable transaction (one commit for a whole selection).
     *
     * @return one entry per serial, in order: its record after the change (empty: never issued) and whether this call
     *         revoked it (false: it was revoked already)
     */
    default java.util.List<BulkRevocation> revokeAll(java.util.List<BigInteger> serials, RevocationReason reason,
            Instant at, String actor) {
        java.util.List<BulkRevocation> out = new java.util.ArrayList<>();
        for (BigInteger s : serials) {
            Optional<CertificateRecord> before = find(s);
            if (before.isEmpty() || before.get().status() == CertificateStatus.REVOKED) {
                out.add(new BulkRevocation(s, before, false));
            } else {
                out.add(new BulkRevocation(s, revoke(s, reason, at, actor), true));
            }
        }
        return out;
    }

    /** What {@link #revokeAll} did to one serial. */
    record BulkRevocation(BigInteger serial, Optional<CertificateRecord> record, boolean changed) {
    }

    /**
     * Active (unrevoked) certificates by week of expiry: entry {@code i} counts those whose notAfter is in
     * {@code [now + i weeks, now + (i + 1) weeks)}, for {@code weeks} weeks.
     */
    long[] expiringPerWeek(Instant now, int weeks);

    /**
     * Streams the revoked certificates issued by {@code issuerDn} (RFC 2253 form) for CRL generation: those whose
     * notAfter is at or after {@code notAfterFrom}, or all of them when it is empty.
     */
    void forEachRevoked(String issuerDn, Optional<Instant> notAfterFrom, Consumer<RevokedEntry> sink);

    /** Every revoked certificate issued by {@code issuerDn}. */
    default void forEachRevoked(String issuerDn, Consumer<RevokedEntry> sink) {
        forEachRevoked(issuerDn, Optional.empty(), sink);
    }

    long count();

    /**
     * How many certificates issued by {@code issuerDn} are revoked, counting those whose notAfter is at or after
     * {@code notAfterFrom} (all when empty): as many entries as a CRL built with that bound has.
     */
    long revokedCount(String issuerDn, Optional<Instant> notAfterFrom);

    default long revokedCount(String issuerDn) {
        return revokedCount(issuerDn, Optional.empty());
    }

    /** Counts by state at {@code now}; {@code expiringBefore} bounds {@link CertificateCounts#expiringSoon()}. */
    CertificateCounts counts(Instant now, Instant expiringBefore);

    record AdminCertificate(CertificateRecord certificate, String name, AdminRole role) {
    }

    record RevokedEntry(BigInteger serial, Instant revokedAt, RevocationReason reason) {
    }
}
