package org.scepca.server.integrations;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.endpoint.AcmeOptions;
import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.events.Webhooks;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.intune.IntuneClient;
import org.scepca.intune.IntuneConfig;
import org.scepca.intune.IntuneRevocationSync;
import org.scepca.intune.Revoker;
import org.scepca.jamf.JamfClient;
import org.scepca.jamf.JamfConfig;
import org.scepca.jamf.JamfDeviceSync;
import org.scepca.scep.RequestValidator;
import org.scepca.server.expiry.ExpiryMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MDM integrations the configuration asks for, built once at start-up and stopped with the server: Intune's
 * validation for each Intune endpoint, Intune's revocation requests, the Jamf device sync, outbound webhooks. The
 * polling jobs run on their own scheduler, so a slow Intune or Jamf never holds up the CRL housekeeping.
 */
public final class Integrations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Integrations.class);
    /** Revocation requests fetched per PKI connector call (Intune allows 1..500). */
    static final int INTUNE_REVOCATION_BATCH = 100;
    /** How often Intune's reachability is checked for readiness. */
    static final Duration INTUNE_CHECK_INTERVAL = Duration.ofMinutes(5);

    private final Optional<IntuneClient> intune;
    private final Map<String, IntuneRequestValidator> validators;
    private final ScheduledExecutorService scheduler;
    private final Optional<Webhooks> webhooks;
    private final CertificateAuthority ca;
    private final ExpiryMonitor expiry;
    private volatile Optional<String> intuneProblem = Optional.empty();

    private Integrations(Optional<IntuneClient> intune, Map<String, IntuneRequestValidator> validators,
            ScheduledExecutorService scheduler, Optional<Webhooks> webhooks, CertificateAuthority ca,
            ExpiryMonitor expiry) {
        this.ca = ca;
        this.expiry = expiry;
        this.intune = intune;
        this.validators = Map.copyOf(validators);
        this.scheduler = scheduler;
        this.webhooks = webhooks;
    }

    /**
     * @param intuneTls          trust for a local Intune fake (tests)
     * @param jamfTls            trust for a local Jamf fake (tests)
     * @param maxPkiOperations   the server's cap on PKIOperations in progress: Intune may hold a quarter of it
     */
    public record Options(Optional<SSLContext> intuneTls, Optional<SSLContext> jamfTls, int maxPkiOperations,
            Optional<SSLContext> smtpTls, Duration expiryFirstRun) {
        /** The first expiry check a minute after start: the server is up and serving by then. */
        public static final Options DEFAULT = new Options(Optional.empty(), Optional.empty(), 32);

        public Options(Optional<SSLContext> intuneTls, Optional<SSLContext> jamfTls) {
            this(intuneTls, jamfTls, 32);
        }

        public Options(Optional<SSLContext> intuneTls, Optional<SSLContext> jamfTls, int maxPkiOperations) {
            this(intuneTls, jamfTls, maxPkiOperations, Optional.empty(), Duration.ofMinutes(1));
        }

        public Options withMaxPkiOperations(int max) {
            return new Options(intuneTls, jamfTls, max, smtpTls, expiryFirstRun);
        }

        /** @param tls trust for a test relay's certificate; @param firstRun delay of the first expiry check */
        public Options withExpiry(Optional<SSLContext> tls, Duration firstRun) {
            return new Options(intuneTls, jamfTls, maxPkiOperations, tls, firstRun);
        }
    }

    /**
     * Builds and starts what the configuration names.
     *
     * @throws InvalidConfigException naming the key when an Intune endpoint has no intune.* configuration
     */
    public static Integrations start(CertificateAuthority ca, Optional<JamfConfig> jamf, Options options) {
        Clock clock = ca.clock();
        Optional<IntuneConfig> intuneConfig = IntuneConfig.from(ca.config().delegatedProperties(), ca.config().configDir());
        List<EnrollmentEndpoint> intuneEndpoints = ca.endpoints().all().stream()
                .filter(e -> e.allows(Authorization.INTUNE)).toList();
        if (!intuneEndpoints.isEmpty() && intuneConfig.isEmpty()) {
            throw new InvalidConfigException("endpoint." + intuneEndpoints.get(0).name() + ".auth = intune needs"
                    + " intune.tenant-id, intune.client-id and intune.client-secret-file (or a client certificate)");
        }
        List<String> jamfFed = jamfFedDeviceLists(ca);
        if (!jamfFed.isEmpty() && jamf.flatMap(JamfConfig::api).flatMap(JamfConfig.Api::deviceSyncInterval).isEmpty()) {
            throw new InvalidConfigException("endpoint." + jamfFed.get(0) + ".acme-device-list-from = jamf needs the"
                    + " Jamf Pro API (jamf.url, jamf.client-id, jamf.client-secret-file) and jamf.device-sync-interval:"
                    + " the device sync is what reads the inventory");
        }
        // Validated before anything starts: a bad notify.* key stops the server with an error naming it.
        ExpiryMonitor expiry = ExpiryMonitor.create(ca, options.smtpTls());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scepca-integrations");
            t.setDaemon(true);
            return t;
        });
        Optional<IntuneClient> client = intuneConfig.map(c -> {
            IntuneClient.Builder b = IntuneClient.builder(c).clock(clock);
            options.intuneTls().ifPresent(b::sslContext);
            return b.build();
        });
        Map<String, IntuneRequestValidator> validators = new LinkedHashMap<>();
        String issuer = ca.material().intermediateCertificate().getSubjectX500Principal().getName();
        String caName = commonName(ca.material().intermediateCertificate().getSubjectX500Principal()).orElse(issuer);
        for (EnrollmentEndpoint e : intuneEndpoints) {
            // Intune may hold at most a quarter of the server's PKIOperation slots: a slow Intune never stalls the
            // other endpoints.
            validators.put(e.name(), new IntuneRequestValidator(client.orElseThrow(), "scepca/" + e.name(), issuer,
                    "scepca:" + e.path(), caName, Math.max(1, options.maxPkiOperations() / 4)));
        }
        Integrations it = new Integrations(client, validators, scheduler, ca.webhooks(), ca, expiry);
        // Replicas on one database: each background job runs on one of them at a time (the others skip their runs
        // while its lease lasts), so Intune and Jamf Pro are not polled, and results not reported, twice.
        org.scepca.ca.store.JobLeases leases = new org.scepca.ca.store.JobLeases(ca.database(), clock);
        if (client.isPresent()) {
            if (intuneEndpoints.isEmpty()) {
                LOG.warn("intune.* is configured but no endpoint has auth = intune; Intune validates nothing");
            }
            // At start and then every few minutes, in the background: an unreachable Intune is a readiness detail
            // (its enrollments are refused), never a start-up failure for the other endpoints.
            scheduler.scheduleWithFixedDelay(it::checkIntune, 0, INTUNE_CHECK_INTERVAL.toSeconds(), TimeUnit.SECONDS);
            // Success notifications Intune has not acknowledged (an outage, a crash between issuing and reporting).
            scheduler.scheduleWithFixedDelay(leased(leases, "intune-report-retry", java.time.Duration.ofMinutes(3),
                    () -> it.retryReports(clock.instant())), 60, 60, TimeUnit.SECONDS);
            intuneConfig.get().revocationSyncInterval().ifPresent(every -> {
                IntuneRevocationSync sync = new IntuneRevocationSync(client.get(), intuneRevoker(ca, issuer), issuer,
                        INTUNE_REVOCATION_BATCH);
                scheduler.scheduleWithFixedDelay(leased(leases, "intune-revocation-sync", every.multipliedBy(3), sync), 30,
                        every.toSeconds(), TimeUnit.SECONDS);
                LOG.info("Intune revocation requests are polled every {}", every);
            });
        }
        jamf.flatMap(JamfConfig::api).ifPresent(api -> api.deviceSyncInterval().ifPresent(every -> {
            JamfClient jamfClient = new JamfClient(api.url(), api.clientId(), api.clientSecret(), options.jamfTls(), clock,
                    JamfClient.DEFAULT_PAGE_SIZE);
            JamfDeviceSync sync = new JamfDeviceSync(jamfClient, () -> activeJamfCertificates(ca),
                    (s, r, a, d) -> ca.revocation().revoke(s, r, a, d).changed(), api.maxRevocationsPerRun(),
                    jamfFed.isEmpty() ? Optional.empty() : Optional.of(deviceListFeed(ca, jamfFed)));
            scheduler.scheduleWithFixedDelay(leased(leases, "jamf-device-sync", every.multipliedBy(3), sync), 60,
                    every.toSeconds(), TimeUnit.SECONDS);
            LOG.info("Jamf Pro device sync every {}", every);
        }));
        // The daily audit summary and the expiry notices: one replica at a time; the rows of expiry_notices and
        // daily_runs make each notice and each day's summary once, across restarts and replicas.
        Duration every = expiry.config().interval();
        scheduler.scheduleWithFixedDelay(leased(leases, "expiry-check", every.multipliedBy(3), expiry::run),
                options.expiryFirstRun().toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        if (expiry.config().enabled()) {
            LOG.info("expiry notices ({}{}) checked every {}", expiry.config().webhook() ? "webhook" : "",
                    expiry.config().smtp().map(s -> (expiry.config().webhook() ? ", " : "") + "e-mail to "
                            + s.to()).orElse(""), every);
        }
        ca.webhooks().ifPresent(Webhooks::start);
        return it;
    }

    /** Runs {@code work} when this replica holds (or takes) the job's lease; never throws (it runs on a schedule). */
    static Runnable leased(org.scepca.ca.store.JobLeases leases, String job, java.time.Duration lease, Runnable work) {
        return () -> {
            try {
                if (leases.tryAcquire(job, org.scepca.ca.store.Replicas.THIS_PROCESS, lease)) {
                    work.run();
                }
            } catch (RuntimeException e) {
                LOG.warn("{} skipped: {}", job, e.toString());
            }
        };
    }

    /**
     * Sends the success notifications still owed, each once more; returns how many Intune acknowledged. Never throws
     * (it runs on a schedule).
     */
    public int retryReports(java.time.Instant now) {
        int done = 0;
        try {
            for (org.scepca.ca.store.MdmReports.Pending p : ca.mdmReports().due(now, 100)) {
                IntuneRequestValidator v = validators.get(p.endpoint());
                Optional<CertificateRecord> cert = ca.certificates().find(p.serial());
                if (v == null || cert.isEmpty()) {
                    ca.mdmReports().failed(p, ca.clock().instant(), v == null ? "endpoint " + p.endpoint()
                            + " is no longer an Intune endpoint" : "certificate not found");
                    continue;
                }
                if (v.reportSuccess(p.transactionId(), p.csrDer(), org.scepca.ca.pem.Pem.certificate(cert.get().der()))) {
                    ca.mdmReports().done(p.serial());
                    done++;
                    org.scepca.ca.audit.AuditLine.op("intune-report").token("txid", p.transactionId())
                            .token("serial", cert.get().serialHex()).token("outcome", "reported")
                            .token("attempts", p.attempts() + 1).token("endpoint", "scep/" + p.endpoint()).log();
                } else {
                    ca.mdmReports().failed(p, ca.clock().instant(), "Intune did not acknowledge the report");
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("retrying Intune reports failed: {}", e.toString());
        }
        return done;
    }

    /** The validator of an Intune endpoint (none for the others). */
    public Optional<RequestValidator> validatorFor(EnrollmentEndpoint e) {
        return Optional.ofNullable(validators.get(e.name()));
    }

    /** Readiness details: an unreachable Intune, an open circuit. Empty when all is well. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        intune.ifPresent(c -> {
            if (c.validationCircuitOpen()) {
                out.add("intune: circuit open after repeated failures; Intune enrollments are refused until it answers");
            }
        });
        intuneProblem.ifPresent(p -> out.add("intune: " + p));
        if (intune.isPresent()) {
            long owed = ca.mdmReports().count();
            if (owed > 0) {
                out.add("intune: " + owed + " issued certificate(s) not yet acknowledged by Intune (retried with backoff)");
            }
        }
        return out;
    }

    private void checkIntune() {
        try {
            intune.orElseThrow().checkReachable();
            if (intuneProblem.isPresent()) {
                LOG.info("Intune is reachable again");
            }
            intuneProblem = Optional.empty();
        } catch (RuntimeException e) {
            // The reason goes to the log only: /readyz is on the public port, and an exception's text is no business
            // of whoever asks there.
            String msg = "unreachable or refusing our credentials (reason in the server log)";
            if (intuneProblem.isEmpty()) {
                LOG.warn("Intune: unreachable or refusing our credentials: {}", e.getMessage());
            }
            intuneProblem = Optional.of(msg);
        }
    }

    /**
     * Intune's revocation requests (a device retired or wiped), applied to the certificates of Intune endpoints only:
     * Intune vouched for those and no others, so it cannot revoke a Jamf or CLI certificate by serial.
     */
    static Revoker intuneRevoker(CertificateAuthority ca, String issuer) {
        return (serial, issuerName) -> {
            if (issuerName != null && !sameName(issuerName, issuer)) {
                return Revoker.Outcome.NOT_OURS;
            }
            Optional<CertificateRecord> c = ca.certificates().find(serial);
            if (c.isEmpty()) {
                return Revoker.Outcome.NOT_FOUND;
            }
            boolean fromIntune = ca.endpoints().find(c.get().endpointName()).map(e -> e.allows(Authorization.INTUNE))
                    .orElse(false);
            if (!fromIntune) {
                return Revoker.Outcome.NOT_OURS;
            }
            if (c.get().status() == CertificateStatus.REVOKED) {
                return Revoker.Outcome.ALREADY_REVOKED;
            }
            RevocationService.Outcome o = ca.revocation().revoke(serial, RevocationReason.CESSATION_OF_OPERATION,
                    "intune", c.get().issuedFor().device().orElse("-"));
            return o.changed() ? Revoker.Outcome.REVOKED : Revoker.Outcome.ALREADY_REVOKED;
        };
    }

    private static boolean sameName(String a, String b) {
        try {
            return new javax.security.auth.x500.X500Principal(a).equals(new javax.security.auth.x500.X500Principal(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The ACME endpoints whose device-attest-01 allow-list follows Jamf Pro's inventory. */
    static List<String> jamfFedDeviceLists(CertificateAuthority ca) {
        return ca.endpoints().all().stream().filter(e -> e.acme().map(AcmeOptions::deviceListFromJamf).orElse(false))
                .map(EnrollmentEndpoint::name).toList();
    }

    /**
     * Keeps the allow-lists of {@code endpoints} in step with each inventory read: every serial number and UDID in
     * Jamf Pro is listed (added by {@value JamfDeviceSync#ACTOR}), and what the sync listed leaves the list once Jamf
     * no longer has it; devices listed by hand stay. One audit line per endpoint whose list changed.
     */
    static JamfDeviceSync.InventoryListener deviceListFeed(CertificateAuthority ca, List<String> endpoints) {
        DeviceAllowList lists = new DeviceAllowList(ca.database(), ca.clock());
        return identifiers -> {
            for (String endpoint : endpoints) {
                DeviceAllowList.Mirrored m = lists.mirror(endpoint, identifiers, JamfDeviceSync.ACTOR);
                if (m.changed() || m.skipped() > 0) {
                    AuditLine.op("acme-device-sync").token("acme_endpoint", endpoint).token("added", m.added())
                            .token("removed", m.removed()).token("skipped", m.skipped()).token("outcome", "synced")
                            .token("actor", JamfDeviceSync.ACTOR).token("endpoint", "internal").token("txid", "-")
                            .token("serial", "-").text("subject", "-").token("device", "-").log();
                }
            }
        };
    }

    /**
     * Active certificates that name a Jamf device, for the device sync. Certificates of ACME endpoints name the device
     * Apple attested, which no Jamf event vouched for (another MDM may manage it): the sync leaves them alone.
     */
    static List<JamfDeviceSync.DeviceCertificate> activeJamfCertificates(CertificateAuthority ca) {
        List<JamfDeviceSync.DeviceCertificate> out = new ArrayList<>();
        for (CertificateRecord r : ca.certificates().activeWithDevice(ca.clock().instant(), 1_000_000)) {
            if (ca.endpoints().find(r.endpointName()).map(e -> e.allows(Authorization.ACME)).orElse(false)) {
                continue;
            }
            Set<String> ids = new HashSet<>();
            r.issuedFor().deviceSerial().ifPresent(ids::add);
            r.issuedFor().deviceUdid().ifPresent(ids::add);
            out.add(new JamfDeviceSync.DeviceCertificate(r.serial(), ids));
        }
        return out;
    }

    private static Optional<String> commonName(javax.security.auth.x500.X500Principal p) {
        org.bouncycastle.asn1.x500.X500Name n = org.bouncycastle.asn1.x500.X500Name.getInstance(p.getEncoded());
        var rdns = n.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return rdns.length == 0 ? Optional.empty()
                : Optional.of(org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdns[0].getFirst().getValue()));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        validators.values().forEach(IntuneRequestValidator::close);
        intune.ifPresent(IntuneClient::close);
    }

    /** The expiry summary and notices. */
    public ExpiryMonitor expiry() {
        return expiry;
    }

    /** For tests: the Intune client, when configured. */
    public Optional<IntuneClient> intuneClient() {
        return intune;
    }
}
