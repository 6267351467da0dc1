package org.scepca.server.app;

import java.time.Duration;
import java.time.Instant;

import org.scepca.acme.AcmePurge;
import org.scepca.ca.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once a day (housekeeping runs every 10 minutes; the first run is 10 minutes after start): deletes the searchable
 * audit trail's rows older than {@code audit.retention-days}, and ACME orders that expired over
 * {@link #ACME_ORDERS_KEPT} ago without a certificate, with their authorizations and challenges. Every replica runs
 * it: a delete by age is idempotent, the later ones find nothing. The log files are not touched. A failed purge is
 * logged and tried again at the next day's run; it never stops the housekeeping beat it runs on.
 */
final class DailyPurges implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DailyPurges.class);
    /** Unfinished ACME orders are kept this long past their expiry, for troubleshooting. */
    static final Duration ACME_ORDERS_KEPT = Duration.ofDays(30);
    private final CertificateAuthority ca;
    private Instant lastRun = Instant.MIN;

    DailyPurges(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public void run() {
        Instant now = ca.clock().instant();
        if (lastRun.plus(Duration.ofDays(1)).isAfter(now)) {
            return;
        }
        lastRun = now;
        int days = ca.config().audit().retentionDays();
        try {
            int n = ca.auditTrail().purge(Duration.ofDays(days));
            if (n > 0) {
                LOG.info("audit trail: {} row(s) older than {} days purged", n, days);
            }
        } catch (RuntimeException e) {
            LOG.warn("audit trail purge failed: {}", e.toString());
        }
        try {
            int n = new AcmePurge(ca.database()).purge(now.minus(ACME_ORDERS_KEPT));
            if (n > 0) {
                LOG.info("acme: {} order(s) that expired over {} days ago without a certificate purged", n,
                        ACME_ORDERS_KEPT.toDays());
            }
        } catch (RuntimeException e) {
            LOG.warn("acme order purge failed: {}", e.toString());
        }
    }
}
