package org.scepca.ca.testing;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.material.InitOptions;

/**
 * A throwaway CA in one line: {@code TestPki.create(tempDir)}. Uses 2048-bit keys everywhere (tests on two cores
 * cannot afford a 4096-bit root per class); everything else is the production code path.
 */
public final class TestPki {
    public static final Passphrase PASSPHRASE = Passphrase.of("test-passphrase-123");

    private TestPki() {
    }

    public static InitOptions fastOptions() {
        return new InitOptions(new X500Name("CN=Test Root CA,O=scepca tests"), new X500Name("CN=Test Issuing CA,O=scepca tests"),
                new X500Name("CN=Test SCEP RA,O=scepca tests"), 2048, 2048, 2048, Duration.ofDays(3650),
                Duration.ofDays(1825), Duration.ofDays(1825), Optional.empty());
    }

    /** Creates CA material in {@code dir} (if absent) and opens it with the given configuration. */
    public static CertificateAuthority create(Path dir, CaConfig config) {
        return create(dir, config, Clock.systemUTC());
    }

    public static CertificateAuthority create(Path dir, CaConfig config, Clock clock) {
        CaDirectory d = new CaDirectory(dir);
        if (!d.caExists()) {
            new CaInitializer(clock, new SecureRandom()).create(d, fastOptions(), PASSPHRASE);
        }
        return CertificateAuthority.open(d, PASSPHRASE, config, clock, new SecureRandom());
    }

    /**
     * A second host's copy of a CA's data folder (key material, configuration), without its own database and CRL
     * files: a replica of the CA in {@code from} once both are opened on one PostgreSQL database.
     */
    public static void copyForReplica(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (java.nio.file.Files.isDirectory(f)) {
                    java.nio.file.Files.createDirectories(target);
                } else if (!f.startsWith(from.resolve("db")) && !f.startsWith(from.resolve("crl"))) {
                    java.nio.file.Files.copy(f, target);
                }
            }
        }
    }

    public static CertificateAuthority create(Path dir) {
        return create(dir, CaConfig.defaults());
    }
}
