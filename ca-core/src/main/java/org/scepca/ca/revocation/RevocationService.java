package org.scepca.ca.revocation;

import java.math.BigInteger;
import java.time.Clock;
import java.util.Objects;

import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.CertificateStore;

/**
 * Revokes a certificate and republishes the CRL before returning, so relying parties can pick it up on their next
 * reload: the revocation is durable first, then {@link CrlService#publishCommitted} waits until a CRL holding it is on
 * disk. An already revoked certificate is published again too: a crash between an earlier commit and its CRL must
 * not leave a revocation that no CRL shows.
 */
public final class RevocationService {
    private final CertificateStore store;
    private final CrlService crls;
    private final Clock clock;

    public RevocationService(CertificateStore store, CrlService crls, Clock clock) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.crls = Objects.requireNonNull(crls, "crls is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /**
     * @throws UnknownCertificateException if we never issued that serial
     */
    public Outcome revoke(BigInteger serial, RevocationReason reason, String actor) {
        return revoke(serial, reason, actor, "-");
    }

    /**
     * As {@link #revoke(BigInteger, RevocationReason, String)}, naming in the audit line the device the revocation is
     * about (the Jamf device sync revokes the certificates of a device deleted from Jamf: its serial number or UDID).
     */
    public Outcome revoke(BigInteger serial, RevocationReason reason, String actor, String device) {
        Objects.requireNonNull(reason, "reason is null");
        CertificateRecord before = store.find(serial).orElseThrow(() -> {
            line(serial.toString(16), "", "-", actor, "unknown-serial", device).log();
            return new UnknownCertificateException(serial);
        });
        if (before.status() == CertificateStatus.REVOKED) {
            crls.publishCommitted();
            line(before.serialHex(), before.subjectDn(), "-", actor, "already-revoked", device).log();
            return new Outcome(before, false);
        }
        CertificateRecord after = store.revoke(serial, reason, clock.instant(), actor).orElseThrow();
        crls.publishCommitted();
        line(after.serialHex(), after.subjectDn(), reason.rfcName(), actor, "revoked", device).log();
        return new Outcome(after, true);
    }

    /** Most serials one {@link #revokeAll} takes: one transaction, one CRL, a bounded request. */
    public static final int MAX_BULK = 1000;

    /**
     * Revokes many certificates with one reason: the valid ones in one durable transaction, then one CRL published
     * before returning (rather than one per certificate), then one audit line per serial.
     *
     * @return one outcome per serial, in the order given (duplicates removed)
     */
    public java.util.List<BulkOutcome> revokeAll(java.util.List<BigInteger> serials, RevocationReason reason,
            String actor) {
        Objects.requireNonNull(reason, "reason is null");
        java.util.List<BigInteger> distinct = serials.stream().distinct().toList();
        if (distinct.isEmpty() || distinct.size() > MAX_BULK) {
            throw new IllegalArgumentException("between 1 and " + MAX_BULK + " serials");
        }
        var results = store.revokeAll(distinct, reason, clock.instant(), actor);
        crls.publishCommitted(); // also for only already-revoked ones: see the class comment
        java.util.List<BulkOutcome> out = new java.util.ArrayList<>(results.size());
        for (var r : results) {
            if (r.record().isEmpty()) {
                line(r.serial().toString(16), "", "-", actor, "unknown-serial", "-").log();
                out.add(new BulkOutcome(r.serial(), java.util.Optional.empty(), "unknown-serial"));
            } else {
                CertificateRecord c = r.record().get();
                String outcome = r.changed() ? "revoked" : "already-revoked";
                line(c.serialHex(), c.subjectDn(), r.changed() ? reason.rfcName() : "-", actor, outcome, "-").log();
                out.add(new BulkOutcome(r.serial(), r.record(), outcome));
            }
        }
        return out;
    }

    /** @param outcome revoked, already-revoked or unknown-serial (the audit line's outcome) */
    public record BulkOutcome(BigInteger serial, java.util.Optional<CertificateRecord> certificate, String outcome) {
    }

    private static AuditLine line(String serial, String subject, String reason, String actor, String outcome,
            String device) {
        return AuditLine.op("revoke").token("serial", serial).text("subject", subject).token("reason", reason)
                .token("actor", actor).token("outcome", outcome).token("txid", "-")
                .token("endpoint", AuditLine.endpointOf(actor)).token("device", device == null ? "-" : device);
    }

    public record Outcome(CertificateRecord certificate, boolean changed) {
    }

    public static final class UnknownCertificateException extends RuntimeException {
        public UnknownCertificateException(BigInteger serial) {
            super("no certificate with serial " + serial.toString(16));
        }
    }
}
