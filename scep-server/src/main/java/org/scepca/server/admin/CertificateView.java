package org.scepca.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;

/**
 * A certificate as the admin API shows it. {@code status} is computed at read time: active, revoked or expired
 * (expiry is not stored, it follows from notAfter). Times are RFC 3339 UTC strings.
 */
public record CertificateView(String serial, String subject, String issuer, List<String> subjectAltNames,
        String notBefore, String notAfter, String status, String revokedAt, String revocationReason, String profile,
        String requester, String transactionId, String issuedAt, String sha256) {

    static CertificateView of(CertificateRecord r, Instant now) {
        return new CertificateView(r.serialHex(), r.subjectDn(), r.issuerDn(), r.subjectAltNames(),
                r.notBefore().toString(), r.notAfter().toString(), status(r, now),
                r.revokedAt().map(Instant::toString).orElse(null),
                r.revocationReason().map(x -> x.rfcName()).orElse(null),
                r.profile().name().toLowerCase(Locale.ROOT), r.requester(), r.transactionId().orElse(null),
                r.issuedAt().toString(), r.sha256());
    }

    static String status(CertificateRecord r, Instant now) {
        if (r.status() == CertificateStatus.REVOKED) {
            return "revoked";
        }
        return r.isExpired(now) ? "expired" : "active";
    }
}
