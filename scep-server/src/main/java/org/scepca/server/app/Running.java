package org.scepca.server.app;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.server.Server;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.server.integrations.Integrations;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.scep.ScepService;
import org.scepca.scep.ScepSettings;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.admin.AdminServer;
import org.scepca.server.profiles.ProfileService;
import org.scepca.server.ocsp.DelegatedResponder;
import org.scepca.server.ocsp.OcspResponder;
import org.scepca.server.ocsp.OcspSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started server with its CA and housekeeping (CRL re-signing, OCSP responder renewal, challenge purge). Used by
 * {@code serve}, tests and benchmarks alike, so all of them run exactly what production runs.
 */
public final class Running implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Running.class);

    private final CertificateAuthority ca;
    private final ScepService scep;
    private final OcspResponder ocsp;
    private final Server server;
    private final ScheduledExecutorService housekeeping;
    private final Integrations integrations;
    private final Membership membership;
    private final org.scepca.server.metrics.ServerMetrics metrics;

    /** How often each process copies a newer CRL from the database to its crl/ folder (what nginx reads). */
    public static final java.time.Duration CRL_SYNC = java.time.Duration.ofSeconds(2);

    private final java.util.Optional<PublicTlsIdentity> publicTls;
    /** The serial of the certificate the public HTTPS connector serves. */
    private final java.util.concurrent.atomic.AtomicReference<String> tlsSerial;

    private Running(CertificateAuthority ca, ScepService scep, OcspResponder ocsp, Server server,
            ScheduledExecutorService housekeeping, Integrations integrations, Membership membership,
            org.scepca.server.metrics.ServerMetrics metrics, java.util.Optional<PublicTlsIdentity> publicTls,
            java.util.concurrent.atomic.AtomicReference<String> tlsSerial) {
        this.publicTls = publicTls;
        this.tlsSerial = tlsSerial;
        this.metrics = metrics;
        this.integrations = integrations;
        this.membership = membership;
        this.ca = ca;
        this.scep = scep;
        this.ocsp = ocsp;
        this.server = server;
        this.housekeeping = housekeeping;
    }

    /**
     * Opens the store so that this process owns the database file. When a CLI command has it open (H2 AUTO_SERVER),
     * opening it would make the server a network client of that short-lived command, and every connection would
     * break when the command exits: wait for the command to finish instead.
     */
    private static CertificateAuthority openAsOwner(CaDirectory dir, Passphrase passphrase, CaConfig config, Clock clock,
            SecureRandom random) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) {
            CertificateAuthority ca = CertificateAuthority.open(dir, passphrase, config, clock, random);
            if (ca.database().ownsStore()) {
                return ca;
            }
            ca.close();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("another scepca command holds the database in " + dir.databaseDir()
                        + " open; let it finish (or stop it) and start the server again");
            }
            LOG.info("a scepca command has the database open; waiting for it to finish");
            Thread.sleep(500);
        }
    }

    /** SCEP only, no admin connector. */
    public static Running start(CaDirectory dir, Passphrase passphrase, CaConfig config, ServerConfig serverConfig)
            throws Exception {
        return start(dir, passphrase, config, serverConfig, AdminConfig.disabled());
    }

    /** SCEP plus the admin API and console on their own connector(s). */
    public static Running start(CaDirectory dir, Passphrase passphrase, CaConfig config, ServerConfig serverConfig,
            AdminConfig adminConfig) throws Exception {
        return start(dir, passphrase, config, serverConfig, adminConfig, System::nanoTime);
    }

    /** @param nanoTime the rate limits' clock (tests step it instead of sleeping) */
    public static Running start(CaDirectory dir, Passphrase passphrase, CaConfig config, ServerConfig serverConfig,
            AdminConfig adminConfig, java.util.function.LongSupplier nanoTime) throws Exception {
        return start(dir, passphrase, config, serverConfig, adminConfig, nanoTime, Integrations.Options.DEFAULT);
    }

    /** @param options trust for local Intune and Jamf fakes (tests) */
    public static Running start(CaDirectory dir, Passphrase passphrase, CaConfig config, ServerConfig serverConfig,
            AdminConfig adminConfig, java.util.function.LongSupplier nanoTime, Integrations.Options options)
            throws Exception {
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = openAsOwner(dir, passphrase, config, clock, random);
        Integrations integrations = null;
        ScheduledExecutorService hk = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scepca-housekeeping");
            t.setDaemon(true);
            return t;
        });
        Membership membership = null;
        org.scepca.server.metrics.ServerMetrics metrics = null;
        try {
            membership = Membership.start(new org.scepca.ca.store.Replicas(ca.database(), clock), hk);
            metrics = org.scepca.server.metrics.ServerMetrics.create(ca, membership::liveReplicas);
            integrations = Integrations.start(ca, adminConfig.jamf(),
                    options.withMaxPkiOperations(serverConfig.limits().maxConcurrentPkiOperations()));
            java.util.Map<String, ScepService> endpoints = new java.util.LinkedHashMap<>();
            for (EnrollmentEndpoint e : ca.endpoints().all()) {
                if (e.isAcme()) {
                    continue; // served by AcmeEndpoints at /acme/NAME, never at /scep/NAME
                }
                endpoints.put(e.name(), new ScepService(ca, ScepSettings.from(config), e, integrations.validatorFor(e),
                        random, metrics));
            }
            ScepService scep = endpoints.get(org.scepca.ca.store.ChallengeOrigin.DEFAULT_ENDPOINT);
            OcspResponder ocsp = ocspResponder(ca, dir, passphrase, clock, random);
            ProfileService profiles = ProfileService.create(ca, scep, passphrase);
            org.scepca.server.metrics.ServerMetrics m = metrics;
            AcmeEndpoints acme = AcmeEndpoints.start(ca, clock, random);
            // The public HTTPS connector's identity: configured files, or our own certificate shared by the replicas.
            java.util.Optional<PublicTlsIdentity> publicTls = serverConfig.tls()
                    .map(t -> new PublicTlsIdentity(ca, t, passphrase));
            java.util.concurrent.atomic.AtomicReference<String> tlsSerial = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.Optional<PublicTlsIdentity.KeyAndChain> tlsIdentity = publicTls.map(PublicTlsIdentity::current);
            tlsIdentity.ifPresent(k -> tlsSerial.set(k.serialHex()));
            Server server = ScepServer.newServer(serverConfig,
                    new ScepServer.Services(ca, endpoints, ocsp, java.util.Optional.of(profiles),
                            integrations::warnings, membership::liveReplicas, m::ocsp, acme.services()), nanoTime,
                    tlsIdentity);
            server.addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
                @Override
                public void lifeCycleStopped(org.eclipse.jetty.util.component.LifeCycle event) {
                    acme.close();
                }
            });
            AdminServer.attach(server, adminConfig, ca, java.util.Optional.of(profiles), nanoTime,
                    java.util.Optional.of(m::scrape), integrations::warnings);
            metrics.instrument(server);
            try {
                // A data folder that sat unused past half its CRL's lifetime: re-sign now rather than at the first
                // housekeeping beat a minute later, so that /readyz does not start out failing its crl check.
                if (ca.crls().refreshIfDue()) {
                    LOG.info("CRL re-signed at start (it was past half its lifetime)");
                }
            } catch (RuntimeException e) {
                LOG.error("CRL refresh at start failed: {}", e.toString());
            }
            server.start();
            CaLifetimeWarnings warnings = new CaLifetimeWarnings(ca);
            warnings.check();
            DailyPurges dailyPurges = new DailyPurges(ca);
            hk.scheduleWithFixedDelay(() -> {
                try {
                    if (ca.crls().refreshIfDue()) {
                        LOG.info("CRL re-signed before its nextUpdate");
                    }
                } catch (RuntimeException e) {
                    LOG.error("CRL refresh failed: {}", e.toString());
                }
                try {
                    if (ocsp.signer().renewIfDue()) {
                        LOG.info("OCSP responder certificate renewed");
                    }
                } catch (RuntimeException e) {
                    LOG.error("OCSP responder renewal failed: {}", e.toString());
                }
                warnings.check();
                dailyPurges.run();
                refreshPublicTls(publicTls, server, tlsSerial);
                try {
                    // Used and expired challenges are worthless after a week (kept that long for troubleshooting).
                    ca.challenges().purge(java.time.Duration.ofDays(7));
                } catch (RuntimeException e) {
                    LOG.warn("challenge purge failed: {}", e.toString());
                }
            }, 1, 10, TimeUnit.MINUTES);
            // Replicas: a revocation through another replica (or the CLI) is in the database's CRL at once, and in
            // this replica's crl/ files for nginx within CRL_SYNC: two primary-key look-ups when nothing changed.
            java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
            hk.scheduleWithFixedDelay(() -> {
                try {
                    // Every fifth beat (10 s): a revocation that a crashed replica committed but never published.
                    if (syncs.incrementAndGet() % 5 == 0 && ca.crls().publishIfBehind()) {
                        LOG.warn("the store held revocations the CRL did not (a process died before publishing):"
                                + " CRL published");
                    }
                    if (ca.crls().syncToDisk()) {
                        LOG.debug("CRL files updated from the database");
                    }
                } catch (RuntimeException e) {
                    LOG.warn("CRL file sync failed: {}", e.toString());
                }
            }, CRL_SYNC.toMillis(), CRL_SYNC.toMillis(), TimeUnit.MILLISECONDS);
            return new Running(ca, scep, ocsp, server, hk, integrations, membership, metrics, publicTls, tlsSerial);
        } catch (Exception e) {
            hk.shutdownNow();
            if (metrics != null) {
                metrics.close();
            }
            if (integrations != null) {
                integrations.close();
            }
            if (membership != null) {
                membership.close();
            }
            ca.close();
            throw e;
        }
    }

    /** Logs the issuing CA's lifetime warning at start-up and then once a day (housekeeping runs every 10 minutes). */
    private static final class CaLifetimeWarnings {
        private final CertificateAuthority ca;
        private Instant lastLogged = Instant.MIN;

        CaLifetimeWarnings(CertificateAuthority ca) {
            this.ca = ca;
        }

        void check() {
            Instant now = ca.clock().instant();
            if (lastLogged.plus(java.time.Duration.ofDays(1)).isAfter(now)) {
                return;
            }
            org.scepca.ca.material.CaLifetime.warning(ca.material().intermediateCertificate(), now).ifPresent(w -> {
                LoggerFactory.getLogger("scepca").warn("{}", w);
                lastLogged = now;
            });
        }
    }

    /** The OCSP responder, signing with a delegated certificate kept in the database (shared by the replicas). */
    private static OcspResponder ocspResponder(CertificateAuthority ca, CaDirectory dir, Passphrase passphrase, Clock clock,
            SecureRandom random) {
        OcspSettings settings = OcspSettings.defaults();
        DelegatedResponder signer = DelegatedResponder.open(ocspVault(ca), ca.issuance().issuer(), passphrase,
                settings.signerValidity(), clock, random);
        return new OcspResponder(ca.certificates(), ca.issuance().issuer(), signer, settings, clock);
    }

    /**
     * Where the delegated OCSP responder is kept: in the database, named after the issuing CA's key, so that replicas
     * sign with one responder and one of them renews it for all. Public for the load test, which creates it before
     * timing a start, as a CA that already exists has it.
     */
    public static DelegatedResponder.Vault ocspVault(CertificateAuthority ca) {
        String name = "ocsp-" + org.scepca.ca.pem.Pem.sha256Hex(ca.material().intermediateCertificate().getPublicKey()
                .getEncoded()).substring(0, 32);
        return DelegatedResponder.Vault.database(new org.scepca.ca.store.SharedCredentials(ca.database()), name);
    }

    /** The MDM integrations (Intune, Jamf, webhooks) this server runs. */
    public Integrations integrations() {
        return integrations;
    }

    /** What the housekeeping beat does for the public HTTPS connector (tests call it instead of waiting). */
    void refreshPublicTls() {
        refreshPublicTls(publicTls, server, tlsSerial);
    }

    /**
     * Serves the public connector's renewed certificate without a restart: renewed here when due, or by another
     * replica (same shared credential), it is swapped into the running connector for new handshakes. Configured
     * files are the operator's to renew (a restart reads them).
     */
    private static void refreshPublicTls(java.util.Optional<PublicTlsIdentity> identity, Server server,
            java.util.concurrent.atomic.AtomicReference<String> inUse) {
        if (identity.isEmpty() || identity.get().fromConfiguredFiles()) {
            return;
        }
        try {
            PublicTlsIdentity.KeyAndChain now = identity.get().current();
            if (now.serialHex().equals(inUse.get())) {
                return;
            }
            var ssl = ScepServer.publicSsl(server).orElseThrow();
            ssl.reload(f -> TlsConnectors.setIdentity(f, now.key(), now.chain()));
            inUse.set(now.serialHex());
            LOG.info("public HTTPS connector now serves certificate {}", now.serialHex());
        } catch (Exception e) {
            LOG.error("public TLS certificate renewal failed: {}", e.toString());
        }
    }

    public int port() {
        return ScepServer.port(server);
    }

    /** The public HTTPS port ({@code public.tls-port}; EST is served there), or -1 if there is none. */
    public int tlsPort() {
        return ScepServer.tlsPort(server);
    }

    /** The plain-HTTP admin port, or -1 when the admin connector is off. */
    public int adminPort() {
        return AdminServer.port(server, AdminServer.CONNECTOR);
    }

    /** The mTLS admin port, or -1 when it is not configured. */
    public int adminTlsPort() {
        return AdminServer.port(server, AdminServer.TLS_CONNECTOR);
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public ScepService scep() {
        return scep;
    }

    public OcspResponder ocsp() {
        return ocsp;
    }

    public Server server() {
        return server;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("server stop: {}", e.toString());
        }
        integrations.close();
        membership.close();
        metrics.close();
        ca.close();
    }

    /** This server's meters (what {@code GET /metrics} on the admin connector serves). */
    public org.scepca.server.metrics.ServerMetrics metrics() {
        return metrics;
    }

    /** This server's id among the replicas on its database. */
    public String replicaId() {
        return membership.id();
    }
}
