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
        String requester, String transactionId, String issuedAt, String sha256, IssuedForView issuedFor) {

    /** Whom the certificate was issued for (null fields: not known). */
    public record IssuedForView(String endpoint, String challengeId, String note, String deviceSerial, String deviceUdid,
            String intuneDeviceId) {
        static IssuedForView of(CertificateRecord r) {
            var f = r.issuedFor();
            return new IssuedForView(r.profile() == org.scepca.ca.policy.CertificateProfile.CLIENT ? r.endpointName()
                    : f.endpoint().orElse(null), f.challengeId().orElse(null), f.note().orElse(null),
                    f.deviceSerial().orElse(null), f.deviceUdid().orElse(null), f.intuneDeviceId().orElse(null));
        }
    }

    public static CertificateView of(CertificateRecord r, Instant now) {
        return new CertificateView(r.serialHex(), r.subjectDn(), r.issuerDn(), r.subjectAltNames(),
                r.notBefore().toString(), r.notAfter().toString(), status(r, now),
                r.revokedAt().map(Instant::toString).orElse(null),
                r.revocationReason().map(x -> x.rfcName()).orElse(null),
                r.profile().name().toLowerCase(Locale.ROOT), r.requester(), r.transactionId().orElse(null),
                r.issuedAt().toString(), r.sha256(), IssuedForView.of(r));
    }

    /** The one vocabulary for a certificate's state, in the API, the console and the CLI: active, revoked, expired. */
    public static String status(CertificateRecord r, Instant now) {
        if (r.status() == CertificateStatus.REVOKED) {
            return "revoked";
        }
        return r.isExpired(now) ? "expired" : "active";
    }
}
