package org.scepca.server.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.PassphraseSource;
import org.scepca.ca.material.CaDirectory;

import picocli.CommandLine.Option;

/** The options every command that touches the CA shares: where the data is and how to unlock it. */
public final class DataOptions {
    @Option(names = "--data", defaultValue = "${env:SCEPCA_DATA:-./data}", paramLabel = "DIR",
            description = "Data folder (CA, database, CRLs). Default: ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "File holding the key passphrase. Else $SCEPCA_PASSPHRASE, $SCEPCA_PASSPHRASE_FILE, or"
                    + " DIR/secrets/passphrase. Commands that only read (list, show, info) need none.")
    Path passphraseFile;

    public CaDirectory directory() {
        return new CaDirectory(data);
    }

    public Passphrase passphrase() {
        return PassphraseSource.fromEnvironment().resolve(Optional.ofNullable(passphraseFile),
                directory().generatedPassphrase());
    }

    public Optional<Passphrase> findPassphrase() {
        return PassphraseSource.fromEnvironment().find(Optional.ofNullable(passphraseFile), directory().generatedPassphrase());
    }

    public CaConfig config() {
        return CaConfig.load(directory().configFile());
    }

    /** Opens the CA with a small pool: CLI commands are short and the server may hold the database too. */
    public CertificateAuthority open() {
        CaDirectory dir = existing(); // before the audit log, which would create DIR/logs
        CaConfig cfg = config();
        AuditLog.attach(dir);
        return CertificateAuthority.open(dir, passphrase(), cfg.withPoolSize(2), Clock.systemUTC(), new SecureRandom());
    }

    /**
     * Opens the CA for a command that only reads: certificates and store, no private key, so no passphrase is looked
     * for (not even DIR/secrets/passphrase), no CRL is published and nothing is written to the data folder.
     */
    public CaReader read() {
        CaDirectory dir = existing();
        return CaReader.open(dir, config(), Clock.systemUTC());
    }

    /** The data folder, when it holds a CA; "no CA in DIR" otherwise, having created nothing. */
    CaDirectory existing() {
        CaDirectory dir = directory();
        if (!dir.caExists()) {
            throw new Errors.UserException("no CA in " + dir.root() + ": pass --data DIR (or set SCEPCA_DATA), or create"
                    + " one with 'scepca init --data " + dir.root() + "'");
        }
        return dir;
    }
}
