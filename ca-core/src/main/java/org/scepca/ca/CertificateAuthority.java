package org.scepca.ca;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;

import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.events.WebhookConfig;
import org.scepca.ca.events.Webhooks;
import org.scepca.ca.issuance.IssuanceEngine;
import org.scepca.ca.issuance.IssuerIdentity;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaMaterial;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.ChallengeStore;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.JdbcCertificateStore;
import org.scepca.ca.store.JdbcChallengeStore;
import org.scepca.ca.store.JdbcRequestStore;
import org.scepca.ca.store.RequestStore;
import org.scepca.ca.store.JdbcTokenStore;
import org.scepca.ca.tokens.TokenService;

/**
 * The CA assembled from a data folder: material loaded once, one database pool, the services wired by constructor.
 * The server and every CLI command open it the same way.
 */
public final class CertificateAuthority implements AutoCloseable {
    private final CaDirectory dir;
    private final CaConfig config;
    private final CaMaterial material;
    private final Database database;
    private final CertificateStore certificates;
    private final ChallengeStore challengeStore;
    private final RequestStore requests;
    private final IssuanceEngine issuance;
    private final ChallengeService challenges;
    private final CrlService crls;
    private final RevocationService revocation;
    private final org.scepca.ca.issuance.Approvals approvals;
    private final TokenService tokens;
    private final java.util.Optional<Webhooks> webhooks;
    private final Clock clock;
    private final SecureRandom random;
    private final org.scepca.ca.endpoint.Endpoints endpoints;
    private final org.scepca.ca.store.MdmReports mdmReports;
    private final java.util.Map<String, IssuanceEngine> engines;
    private final org.scepca.ca.store.AuditTrail auditTrail;
    private volatile org.scepca.ca.audit.AuditSinks.Registration auditRegistration = () -> { };

    private CertificateAuthority(CaDirectory dir, CaConfig config, CaMaterial material, Database database, Clock clock,
            SecureRandom random, java.util.Optional<WebhookConfig> webhookConfig) {
        this.dir = dir;
        this.config = config;
        this.material = material;
        this.database = database;
        this.clock = clock;
        this.random = random;
        // Every process that changes certificates queues their events (a CLI revocation too); the server delivers them.
        this.webhooks = webhookConfig.map(w -> new Webhooks(w, database, clock));
        this.certificates = new JdbcCertificateStore(database, webhooks.map(Webhooks::outbox));
        this.challengeStore = new JdbcChallengeStore(database);
        this.requests = new JdbcRequestStore(database);
        this.crls = new CrlService(dir, material.intermediateCertificate(), material.intermediateKey(), material.root(),
                material.rootKey(), certificates, new org.scepca.ca.store.CrlStore(database), clock, config.crlNextUpdate(),
                config.rootCrlNextUpdate());
        this.issuance = new IssuanceEngine(new IssuerIdentity(material.intermediateCertificate(), material.intermediateKey()),
                config.policy(), certificates, clock, random, crls, org.scepca.ca.material.CaNames.reserved(material));
        this.challenges = new ChallengeService(challengeStore, config.staticChallenge(), clock, random);
        this.revocation = new RevocationService(certificates, crls, clock);
        this.endpoints = config.endpoints();
        this.mdmReports = new org.scepca.ca.store.MdmReports(database);
        var byName = new java.util.HashMap<String, IssuanceEngine>();
        for (var e : endpoints.all()) {
            // The default endpoint's policy is the configuration's own: the same engine the CLI uses.
            byName.put(e.name(), e.policy().equals(config.policy()) ? issuance : issuance.withPolicy(e.policy()));
        }
        this.engines = java.util.Map.copyOf(byName);
        this.approvals = new org.scepca.ca.issuance.Approvals(requests, challenges, endpoints, this::engineFor, clock);
        this.tokens = new TokenService(new JdbcTokenStore(database), clock, random);
        this.auditTrail = new org.scepca.ca.store.AuditTrail(database, clock);
    }

    public static CertificateAuthority open(CaDirectory dir, Passphrase passphrase, CaConfig config, Clock clock,
            SecureRandom random) {
        Objects.requireNonNull(dir, "dir is null");
        if (config.crlDir().isPresent()) {
            dir = dir.withCrlDir(config.crlDir().get()); // the data folder may be read-only
        }
        CaMaterial material = CaMaterial.load(dir, passphrase);
        try {
            // Upgrade of a data folder from an earlier release: the properties may hold the static challenge.
            org.scepca.ca.pem.SecureFiles.restrictToOwner(dir.configFile());
        } catch (java.io.IOException e) {
            throw new org.scepca.ca.store.StoreException("cannot restrict " + dir.configFile() + ": " + e.getMessage(), e);
        }
        java.util.Optional<WebhookConfig> webhookConfig = WebhookConfig.from(CaConfig.read(dir.configFile()),
                dir.configFile().getParent()); // validated before the store is opened
        Database db = config.database().isPostgres() ? Database.openPostgres(config.database())
                : Database.openH2(dir.databaseDir(), dir.secretsDir().resolve("db-password"), config.dbPoolSize());
        try {
            CertificateAuthority ca = new CertificateAuthority(dir, config, material, db, clock, random, webhookConfig);
            try {
                ca.startAuditTrail();
                // A store restored from an older backup: revocations the published CRL lists are put back before
                // anything builds a CRL from the store, which would drop them.
                ca.crls.restoreFromPublishedFile();
                // The CRL in force is in the database (built now if it has none yet); this folder gets a copy for nginx.
                ca.crls.current();
                ca.crls.publishIfBehind(); // revocations a crashed process committed but never published
                ca.crls.syncToDisk();
            } catch (RuntimeException e) {
                ca.auditRegistration.close();
                ca.auditTrail.close();
                throw e;
            }
            return ca;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /**
     * From now on, every audit line this process logs is copied to this store's {@code audit_events} too
     * ({@link org.scepca.ca.audit.AuditSinks}), until {@link #close()}.
     */
    private void startAuditTrail() {
        String key = config.database().url().orElseGet(() -> dir.databaseDir().toAbsolutePath().normalize().toString());
        auditRegistration = org.scepca.ca.audit.AuditSinks.register(key, auditTrail);
    }

    public CaDirectory directory() { return dir; }
    /** The searchable audit trail in the database (every process's audit lines). */
    public org.scepca.ca.store.AuditTrail auditTrail() { return auditTrail; }
    public CaConfig config() { return config; }
    public CaMaterial material() { return material; }
    public Database database() { return database; }
    public CertificateStore certificates() { return certificates; }
    public RequestStore requests() { return requests; }
    public IssuanceEngine issuance() { return issuance; }
    /** Certificates an MDM (Intune) has not acknowledged yet. */
    public org.scepca.ca.store.MdmReports mdmReports() { return mdmReports; }
    /** The enrollment endpoints of the configuration. */
    public org.scepca.ca.endpoint.Endpoints endpoints() { return endpoints; }

    /** The issuance engine of an endpoint: the one store and CRL, the endpoint's policy. */
    public IssuanceEngine engineFor(String endpoint) {
        IssuanceEngine e = engines.get(endpoint);
        if (e == null) {
            throw new IllegalArgumentException("no endpoint '" + endpoint + "'");
        }
        return e;
    }
    public ChallengeService challenges() { return challenges; }
    public CrlService crls() { return crls; }
    public RevocationService revocation() { return revocation; }
    public org.scepca.ca.issuance.Approvals approvals() { return approvals; }
    /** Admin API tokens. */
    public TokenService tokens() { return tokens; }
    /** Outbound webhooks, when configured: the server starts their delivery and publishes refusals through them. */
    public java.util.Optional<Webhooks> webhooks() { return webhooks; }
    public Clock clock() { return clock; }
    public SecureRandom random() { return random; }

    @Override
    public void close() {
        // The lines of this process's last operations reach the table before the pool closes.
        auditRegistration.close();
        auditTrail.close();
        webhooks.ifPresent(Webhooks::close);
        database.close();
    }
}
