package org.scepca.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.endpoint.Endpoints;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.ChallengeStore;
import org.scepca.ca.store.CrlStore;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.JdbcCertificateStore;
import org.scepca.ca.store.JdbcChallengeStore;
import org.scepca.ca.store.JdbcRequestStore;
import org.scepca.ca.store.JdbcTokenStore;
import org.scepca.ca.store.RequestStore;
import org.scepca.ca.tokens.TokenService;

/**
 * The CA opened for reading only: its certificates (the PEM files, never the encrypted keys, so no passphrase is
 * needed) and its store. What {@code scepca cert list}, {@code ca info} and the other listings use. Unlike
 * {@link CertificateAuthority#open} it neither builds nor publishes a CRL and writes nothing to the data folder.
 */
public final class CaReader implements AutoCloseable {
    private final CaDirectory dir;
    private final CaConfig config;
    private final Database database;
    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final X509Certificate ra;
    private final Optional<X509Certificate> nextIntermediate;
    private final Optional<X509Certificate> nextRa;
    private final Clock clock;

    private CaReader(CaDirectory dir, CaConfig config, Database database, X509Certificate root,
            X509Certificate intermediate, X509Certificate ra, Optional<X509Certificate> nextIntermediate,
            Optional<X509Certificate> nextRa, Clock clock) {
        this.dir = dir;
        this.config = config;
        this.database = database;
        this.root = root;
        this.intermediate = intermediate;
        this.ra = ra;
        this.nextIntermediate = nextIntermediate;
        this.nextRa = nextRa;
        this.clock = clock;
    }

    /**
     * @throws KeyAccessException "no CA in DIR" when the folder holds none; nothing is created then
     */
    public static CaReader open(CaDirectory dir, CaConfig config, Clock clock) {
        Objects.requireNonNull(dir, "dir is null");
        Objects.requireNonNull(config, "config is null");
        if (!dir.caExists()) {
            throw new KeyAccessException("no CA in " + dir.root() + ": run 'scepca init --data " + dir.root() + "' first");
        }
        if (config.crlDir().isPresent()) {
            dir = dir.withCrlDir(config.crlDir().get());
        }
        X509Certificate root = first(dir.rootCert());
        X509Certificate intermediate = first(dir.intermediateCert());
        X509Certificate ra = first(dir.raCert());
        Optional<X509Certificate> nextIntermediate = Files.exists(dir.nextIntermediateCert())
                ? Optional.of(first(dir.nextIntermediateCert())) : Optional.empty();
        Optional<X509Certificate> nextRa = Files.exists(dir.nextRaCert())
                ? Optional.of(first(dir.nextRaCert())) : Optional.empty();
        Database db = config.database().isPostgres() ? Database.openPostgresForReading(config.database())
                : Database.openH2ForReading(dir.databaseDir(), dir.secretsDir().resolve("db-password"));
        return new CaReader(dir, config, db, root, intermediate, ra, nextIntermediate, nextRa, clock);
    }

    private static X509Certificate first(Path file) {
        try {
            return Pem.readCertificates(file).get(0);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new KeyAccessException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    public CaDirectory directory() { return dir; }
    public CaConfig config() { return config; }
    public Clock clock() { return clock; }
    public X509Certificate root() { return root; }
    public X509Certificate intermediate() { return intermediate; }
    public X509Certificate ra() { return ra; }
    /** The staged next issuing CA and its RA (scepca ca stage-next), if any. */
    public Optional<X509Certificate> nextIntermediate() { return nextIntermediate; }
    public Optional<X509Certificate> nextRa() { return nextRa; }
    /** True when the root's private key is in the data folder (it may be kept offline). */
    public boolean rootKeyOnline() { return Files.exists(dir.rootKey()); }
    public Endpoints endpoints() { return config.endpoints(); }
    /** The store, read-only in spirit: for listings of tables that have no store class in ca-core (ACME's). */
    public Database database() { return database; }
    public CertificateStore certificates() { return new JdbcCertificateStore(database); }
    public ChallengeStore challenges() { return new JdbcChallengeStore(database); }
    public RequestStore requests() { return new JdbcRequestStore(database); }
    public TokenService tokens() { return new TokenService(new JdbcTokenStore(database), clock, new SecureRandom()); }

    /** The issuing CA's CRL in force, as stored (no CRL is built here: that needs the key). */
    public Optional<X509CRL> crl() {
        return new CrlStore(database).latest(CrlService.keyId(intermediate)).map(s -> Pem.crl(s.der()));
    }

    @Override
    public void close() {
        database.close();
    }
}
