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
