package org.scepca.server.expiry;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.events.CaEvent;
import org.scepca.ca.events.EventOutbox;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.ExpiryNotices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expiry monitoring: a daily summary line in the audit log, and (when {@code notify.*} asks for them) notices of
 * certificates and CA certificates reaching an expiry threshold, as webhook events and/or one digest e-mail per run.
 *
 * <p>Each notice is recorded in {@code expiry_notices} (serial, threshold, channel) in the transaction that queues its
 * webhook event, or around the sending of the e-mail that carries it: a restart or a second replica never sends it
 * again. A certificate first seen inside several thresholds (the notifier was just turned on, a short-lived
 * certificate) is notified once, at the smallest threshold it is inside. "Inside N days" means fewer than N days
 * left: notAfter before now + N days, like {@code cert expiring --within Nd}.
 */
public final class ExpiryMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryMonitor.class);
    public static final String SUMMARY_JOB = "expiry-summary";
    public static final String WEBHOOK = "webhook";
    public static final String EMAIL = "email";
    /** Certificates notified per threshold band and run; the rest follow in the next run. */
    static final int MAX_PER_BAND = 5000;
    /** Certificate lines in one digest; the rest are counted (the CLI lists them all). */
    static final int MAX_MAIL_LINES = 500;
    /** Notices are kept this long after their certificate expired, then purged. */
    static final Duration KEEP_NOTICES = Duration.ofDays(30);

    private final CertificateAuthority ca;
    private final NotifyConfig config;
    private final Optional<SmtpMailer> mailer;
    private final ExpiryNotices notices;
    private final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();

    public ExpiryMonitor(CertificateAuthority ca, NotifyConfig config, Optional<SmtpMailer> mailer) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.config = Objects.requireNonNull(config, "config is null");
        this.mailer = Objects.requireNonNull(mailer, "mailer is null");
        if (config.smtp().isPresent() != mailer.isPresent()) {
            throw new IllegalArgumentException("a mailer goes with notify.smtp.*, and only with it");
        }
        if (config.webhook() && ca.webhooks().isEmpty()) {
            throw new IllegalArgumentException("notify.webhook needs webhooks configured");
        }
        this.notices = new ExpiryNotices(ca.database());
    }

    /** From the CA's configuration (validated here: an error names the key). */
    public static ExpiryMonitor create(CertificateAuthority ca, Optional<javax.net.ssl.SSLContext> smtpTls) {
        NotifyConfig config = NotifyConfig.from(ca.config().delegatedProperties(), ca.directory().configFile().getParent(),
                ca.webhooks().map(org.scepca.ca.events.Webhooks::config));
        return new ExpiryMonitor(ca, config, config.smtp().map(s -> new SmtpMailer(s, smtpTls)));
    }

    public NotifyConfig config() {
        return config;
    }

    /** The scheduled run: the day's summary (once per day per deployment), then the notices. Never throws. */
    public void run() {
        Instant now = ca.clock().instant();
        try {
            if (dailySummary(now)) {
                int purged = notices.purge(now.minus(KEEP_NOTICES));
                if (purged > 0) {
                    LOG.info("forgot {} expiry notice(s) of certificates expired over {} days ago", purged,
                            KEEP_NOTICES.toDays());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry summary skipped: {}", e.toString());
        }
        if (config.enabled()) {
            try {
                notifyDue(now);
            } catch (RuntimeException e) {
                LOG.warn("expiry notices not sent (retried at the next check): {}", e.toString());
            }
        }
        runs.incrementAndGet();
    }

    /** Scheduled runs this process has completed (for readiness detail and tests). */
    public long completedRuns() {
        return runs.get();
    }

    /** Counts for the summary line. */
    public record Summary(long within7Days, long within30Days, long within90Days, long expiredLastDay,
            long issuingCaDaysLeft, long rootDaysLeft) {
    }

    public Summary summary(Instant now) {
        var store = ca.certificates();
        return new Summary(store.unrevokedExpiringBetween(now, now.plus(Duration.ofDays(7))),
                store.unrevokedExpiringBetween(now, now.plus(Duration.ofDays(30))),
                store.unrevokedExpiringBetween(now, now.plus(Duration.ofDays(90))),
                store.unrevokedExpiringBetween(now.minus(Duration.ofDays(1)), now),
                daysLeft(ca.material().intermediateCertificate().getNotAfter().toInstant(), now),
                daysLeft(ca.material().root().getNotAfter().toInstant(), now));
    }

    /**
     * Writes the day's {@code op=expiry-summary} audit line if no replica has written it today (UTC); true if this
     * call wrote it.
     */
    public boolean dailySummary(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!notices.claimDay(SUMMARY_JOB, day, now)) {
            return false;
        }
        Summary s = summary(now);
        AuditLine.op("expiry-summary").token("txid", "-").token("endpoint", "-").text("subject", "")
                .token("device", "-").token("serial", "-").token("outcome", "ok").token("actor", "scepca:expiry")
                .token("day", day).token("expiring7d", s.within7Days()).token("expiring30d", s.within30Days())
                .token("expiring90d", s.within90Days()).token("expiredLastDay", s.expiredLastDay())
                .token("issuingCaDaysLeft", s.issuingCaDaysLeft()).token("rootDaysLeft", s.rootDaysLeft()).log();
        return true;
    }

    /** A certificate due for a notice at {@code threshold} days. */
    public record Due(CertificateRecord certificate, int threshold) {
    }

    /** A CA certificate due for a notice: {@code which} is "issuing" or "root". */
    public record CaDue(String which, X509Certificate certificate, int threshold) {
    }

    /** What one channel has to send now. */
    public record Plan(List<Due> certificates, List<CaDue> cas) {
        public Plan {
            certificates = List.copyOf(certificates);
            cas = List.copyOf(cas);
        }

        public boolean isEmpty() {
            return certificates.isEmpty() && cas.isEmpty();
        }
    }

    /** What a run sent (or, dry, would send). */
    public record Report(Optional<Plan> webhook, Optional<Plan> email) {
    }

    /** The notices not yet sent on {@code channel}: one range scan per threshold band. */
    public Plan plan(String channel, Instant now) {
        List<Due> due = new ArrayList<>();
        int lower = 0;
        for (int t : ascending(config.thresholds())) {
            Instant from = now.plus(Duration.ofDays(lower));
            for (CertificateRecord r : notices.due(channel, t, from, now.plus(Duration.ofDays(t)), MAX_PER_BAND)) {
                due.add(new Due(r, t));
            }
            lower = t;
        }
        List<CaDue> cas = new ArrayList<>();
        caDue(channel, "issuing", ca.material().intermediateCertificate(), now).ifPresent(cas::add);
        caDue(channel, "root", ca.material().root(), now).ifPresent(cas::add);
        return new Plan(due, cas);
    }

    private Optional<CaDue> caDue(String channel, String which, X509Certificate cert, Instant now) {
        Instant notAfter = cert.getNotAfter().toInstant();
        if (notAfter.isBefore(now)) {
            return Optional.empty(); // expired: readiness and every enrollment say so louder than a notice
        }
        Optional<Integer> t = ascending(config.caThresholds()).stream()
                .filter(d -> notAfter.isBefore(now.plus(Duration.ofDays(d)))).findFirst();
        return t.filter(d -> !notices.notified(channel, cert.getSerialNumber(), d)).map(d -> new CaDue(which, cert, d));
    }

    /**
     * Sends what is due on every configured channel, or only reports it when {@code dryRun}.
     *
     * @throws SmtpMailer.MailException when the relay refused the digest (nothing is recorded for it then)
     */
    public Report notifyDue(Instant now, boolean dryRun) {
        Optional<Plan> webhook = config.webhook() ? Optional.of(plan(WEBHOOK, now)) : Optional.empty();
        Optional<Plan> email = mailer.isPresent() ? Optional.of(plan(EMAIL, now)) : Optional.empty();
        if (dryRun) {
            return new Report(webhook, email);
        }
        Optional<Plan> sentWebhook = webhook.map(p -> sendWebhooks(p, now));
        Optional<Plan> sentEmail = email.map(p -> sendDigest(p, now));
        return new Report(sentWebhook, sentEmail);
    }

    /** {@link #notifyDue(Instant, boolean)}, for real. */
    public Report notifyDue(Instant now) {
        return notifyDue(now, false);
    }

    private Plan sendWebhooks(Plan plan, Instant now) {
        if (plan.isEmpty()) {
            return plan;
        }
        EventOutbox outbox = ca.webhooks().orElseThrow().outbox();
        Plan sent = notices.inTransaction(c -> record(c, WEBHOOK, plan, now,
                d -> outbox.enqueue(c, CaEvent.caExpiring(d.certificate(), d.which(), d.threshold(), now)),
                d -> outbox.enqueue(c, CaEvent.expiring(d.certificate(), d.threshold(), now))));
        audit(WEBHOOK, sent, "queued");
        return sent;
    }

    /**
     * One message for the whole run. The notices are recorded in the transaction that is committed only once the
     * relay has taken the message: a refused or unreachable relay leaves them due for the next run. (A crash between
     * the relay's acceptance and the commit sends that digest again: at least once, like the webhooks.)
     */
    private Plan sendDigest(Plan plan, Instant now) {
        if (plan.isEmpty()) {
            return plan;
        }
        Plan sent = notices.inTransaction(c -> {
            Plan p = record(c, EMAIL, plan, now, d -> { }, d -> { });
            if (!p.isEmpty()) {
                Digest digest = Digest.of(p, ca, now);
                mailer.orElseThrow().send(digest.subject(), digest.body(), now);
            }
            return p;
        });
        audit(EMAIL, sent, "sent");
        return sent;
    }

    /** Something to do in the notice's transaction once its record is written. */
    private interface OnRecord<T> {
        void accept(T due) throws java.sql.SQLException;
    }

    /** Records the plan's notices on {@code channel}; returns those that were not recorded before. */
    private static Plan record(java.sql.Connection c, String channel, Plan plan, Instant now, OnRecord<CaDue> onCa,
            OnRecord<Due> onCertificate) throws java.sql.SQLException {
        List<Due> due = new ArrayList<>();
        List<CaDue> cas = new ArrayList<>();
        for (CaDue d : plan.cas()) {
            if (ExpiryNotices.record(c, channel, d.certificate().getSerialNumber(), d.threshold(),
                    d.certificate().getNotAfter().toInstant(), now)) {
                onCa.accept(d);
                cas.add(d);
            }
        }
        for (Due d : plan.certificates()) {
            if (ExpiryNotices.record(c, channel, d.certificate().serial(), d.threshold(), d.certificate().notAfter(),
                    now)) {
                onCertificate.accept(d);
                due.add(d);
            }
        }
        return new Plan(due, cas);
    }

    private static void audit(String channel, Plan sent, String outcome) {
        if (sent.isEmpty()) {
            return;
        }
        AuditLine.op("expiry-notify").token("txid", "-").token("endpoint", "-").text("subject", "").token("device", "-")
                .token("serial", "-").token("outcome", outcome).token("actor", "scepca:expiry").token("channel", channel)
                .token("certificates", sent.certificates().size()).token("ca", sent.cas().size()).log();
    }

    private static List<Integer> ascending(List<Integer> descending) {
        List<Integer> out = new ArrayList<>(descending);
        java.util.Collections.reverse(out);
        return out;
    }

    /** Whole days from {@code now} to {@code notAfter}, rounded down; negative once expired. */
    public static long daysLeft(Instant notAfter, Instant now) {
        return Math.floorDiv(ChronoUnit.SECONDS.between(now, notAfter), 86_400L);
    }
}
