package org.scepca.server.expiry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.CertificateRecord;

/**
 * The plain-text e-mail of one run: the CA certificates first (they matter most), then the certificates grouped by
 * threshold, soonest first. A fleet enrolled on one day expires on one day: that is one message with one line per
 * certificate (up to {@value ExpiryMonitor#MAX_MAIL_LINES}), not five hundred messages.
 */
record Digest(String subject, String body) {

    static Digest of(ExpiryMonitor.Plan plan, CertificateAuthority ca, Instant now) {
        String caName = ca.material().intermediateCertificate().getSubjectX500Principal().getName();
        StringBuilder subject = new StringBuilder("[scepca] ");
        for (ExpiryMonitor.CaDue d : plan.cas()) {
            subject.append(label(d.which())).append(" certificate expires in ")
                    .append(days(ExpiryMonitor.daysLeft(d.certificate().getNotAfter().toInstant(), now))).append("; ");
        }
        int n = plan.certificates().size();
        if (n > 0) {
            int within = plan.certificates().stream().mapToInt(ExpiryMonitor.Due::threshold).max().orElseThrow();
            subject.append(n).append(n == 1 ? " certificate expires" : " certificates expire").append(" within ")
                    .append(days(within));
        } else {
            subject.setLength(subject.length() - 2);
        }

        StringBuilder b = new StringBuilder();
        b.append("Expiry notice from scepca, issuing CA ").append(caName).append('\n');
        ca.config().publicBaseUrl().ifPresent(u -> b.append("Server: ").append(u).append('\n'));
        b.append("Checked at ").append(now.truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        for (ExpiryMonitor.CaDue d : plan.cas()) {
            Instant notAfter = d.certificate().getNotAfter().toInstant();
            b.append("The ").append(d.which().equals("root") ? "root CA" : "issuing CA").append(" certificate ")
                    .append(d.certificate().getSubjectX500Principal().getName()).append(" (serial ")
                    .append(d.certificate().getSerialNumber().toString(16)).append(") expires on ")
                    .append(notAfter).append(", in ").append(days(ExpiryMonitor.daysLeft(notAfter, now)))
                    .append(" (threshold ").append(days(d.threshold())).append(").\n");
            b.append("  Certificates it signs cannot outlive it: plan the rollover now (scepca ca stage-next;"
                    + " docs/expiry-and-renewal.md).\n\n");
        }
        if (n > 0) {
            b.append(n).append(n == 1 ? " certificate reached" : " certificates reached")
                    .append(" an expiry notification threshold.\n");
            Map<Integer, List<ExpiryMonitor.Due>> byThreshold = new TreeMap<>();
            for (ExpiryMonitor.Due d : plan.certificates()) {
                byThreshold.computeIfAbsent(d.threshold(), k -> new java.util.ArrayList<>()).add(d);
            }
            int lines = 0;
            for (var e : byThreshold.entrySet()) {
                b.append("\nWithin ").append(days(e.getKey())).append(" (").append(e.getValue().size()).append("):\n");
                b.append(String.format("  %-20s  %4s  %-40s  %-12s  %-24s  %s%n", "NOT AFTER", "DAYS", "SERIAL",
                        "ENDPOINT", "DEVICE", "SUBJECT"));
                for (ExpiryMonitor.Due d : e.getValue()) {
                    if (lines++ >= ExpiryMonitor.MAX_MAIL_LINES) {
                        break;
                    }
                    CertificateRecord r = d.certificate();
                    b.append(String.format("  %-20s  %4d  %-40s  %-12s  %-24s  %s%n",
                            r.notAfter().truncatedTo(ChronoUnit.SECONDS), ExpiryMonitor.daysLeft(r.notAfter(), now),
                            r.serialHex(), r.endpointName(), r.issuedFor().device().orElse("-"), r.subjectDn()));
                }
            }
            if (n > ExpiryMonitor.MAX_MAIL_LINES) {
                b.append("\n... and ").append(n - ExpiryMonitor.MAX_MAIL_LINES).append(" more.\n");
            }
            b.append("\nList them all: scepca cert expiring --within ")
                    .append(byThreshold.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow()).append("d\n");
            b.append("Devices renew through their MDM (Intune's renewal threshold; Jamf Pro redistributes the"
                    + " profile); Apple devices do not renew SCEP certificates by themselves. See"
                    + " docs/expiry-and-renewal.md.\n");
        }
        b.append("\nEach certificate is notified once per threshold. Thresholds: notify.thresholds-days,"
                + " notify.ca-thresholds-days.\n");
        return new Digest(subject.toString(), b.toString());
    }

    private static String label(String which) {
        return which.equals("root") ? "Root CA" : "Issuing CA";
    }

    private static String days(long d) {
        return d == 1 ? "1 day" : d + " days";
    }
}
