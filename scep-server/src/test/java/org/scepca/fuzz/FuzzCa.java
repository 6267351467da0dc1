package org.scepca.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.integrations.Integrations;
import org.slf4j.LoggerFactory;

/**
 * The one real server every fuzz target runs against: a throwaway CA (2048-bit keys, H2 store) with a static
 * challenge, so that a seed PKCSReq can reach issuance; SCEP, OCSP and CA files on one loopback port, the admin API
 * on another. Started once per JVM (the regression run of all targets pays for one CA) and removed at exit.
 */
public final class FuzzCa {
    /** The static challenge the seed PKCSReqs carry (see FuzzSeeds). */
    public static final String STATIC_CHALLENGE = "fuzz-static-challenge-0123456789";
    /** Written into a file at the root of the data folder and under ca/: no answer may ever contain it. */
    public static final String CANARY = "fuzz-canary-7f3c9a1e-not-for-any-client";

    /** The fuzz CA's public base URL (ACME URLs are built from it, never from a request). */
    public static final String ACME_BASE_URL = "http://ca.fuzz.test";
    /** The ACME endpoint's name: its directory is {@code ACME_BASE_URL/acme/ACME_ENDPOINT/directory}. */
    public static final String ACME_ENDPOINT = "acme";

    private static final String PREFIX = "scepca-fuzz";
    /** The file in a fuzz data folder that names the process using it. */
    private static final String OWNER = "owner.pid";

    private static FuzzCa instance;

    private final Path dir;
    private final Running running;
    private final String adminToken;
    private final BigInteger issuedSerial;

    private FuzzCa() throws Exception {
        Providers.register();
        // One audit line per request would be millions of lines in a soak; refusals are counted by the targets.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("scepca.audit")).setLevel(ch.qos.logback.classic.Level.WARN);
        removeAbandoned(scratch());
        dir = Files.createTempDirectory(scratch(), PREFIX);
        Files.writeString(dir.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
        TestPki.create(dir).close();
        Files.writeString(dir.resolve("canary.txt"), CANARY);
        Files.writeString(dir.resolve("ca").resolve("canary.txt"), CANARY);
        Properties p = new Properties();
        p.setProperty("scep.static-challenge", STATIC_CHALLENGE);
        // EST on the default endpoint (its static challenge is the Basic password) and one ACME endpoint with both
        // challenge types that need no outbound traffic from a fuzz run (AcmeRequestFuzzTest, EstEnrollFuzzTest).
        p.setProperty("public-base-url", ACME_BASE_URL);
        p.setProperty("endpoint.default.est", "true");
        p.setProperty("endpoint." + ACME_ENDPOINT + ".protocol", "acme");
        p.setProperty("endpoint." + ACME_ENDPOINT + ".acme-challenges", "dns-01,device-attest-01");
        // No expiry check (its first run would be a minute after start): this CA lives as long as the JVM, and in
        // 'mvn verify' that JVM runs the other tests too; its daily expiry-summary audit line landed in
        // ExpiryOnReplicasTest's capture of the audit log as a second summary for the day.
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0), System::nanoTime,
                Integrations.Options.DEFAULT.withExpiry(java.util.Optional.empty(), java.time.Duration.ofDays(3650)));
        adminToken = running.ca().tokens().create("fuzz", AdminRole.ADMIN).token();
        issuedSerial = running.ca().issuance().issue(new IssuanceRequest(
                Csrs.csr().subject("CN=fuzz-device,O=Fuzz").dns("fuzz-device.test").build(), "fuzz",
                CertificateProfile.CLIENT, IssuanceEffects.none())).record().serial();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "fuzz-ca-close"));
    }

    /**
     * Where the throwaway data folder goes: {@code /dev/shm} (tmpfs) where there is one. The store still commits and
     * syncs exactly as in production, but a sync on tmpfs costs nothing, and on the development machine's virtual disk
     * (about 5 ms per fsync) the syncs were most of the time of the targets that write (a fresh ACME nonce per input,
     * orders, accounts, one-time challenges). What a fuzz input tests is the decoders' and the answers' behaviour;
     * durability is the crash soak's business (docs/crash-safety.md).
     */
    private static Path scratch() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Removes the data folders of fuzz runs whose process is gone. A fuzzing run ends in libFuzzer's exit, which runs
     * no shutdown hook, so {@link #close} never removes its folder; on tmpfs each would hold memory (a store that an
     * hour of fuzzing grew to gigabytes) until the next reboot. A folder without an owner file is removed once it is an
     * hour old (one from before owner files, or one whose owner died before writing it).
     */
    private static void removeAbandoned(Path parent) {
        try (Stream<Path> folders = Files.list(parent)) {
            folders.filter(f -> f.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(f))
                    .filter(FuzzCa::abandoned).forEach(FuzzCa::delete);
        } catch (IOException | UncheckedIOException e) {
            LoggerFactory.getLogger(FuzzCa.class).warn("could not look for abandoned fuzz folders in {}: {}", parent,
                    e.toString());
        }
    }

    private static boolean abandoned(Path folder) {
        try {
            Path owner = folder.resolve(OWNER);
            if (Files.exists(owner)) {
                long pid = Long.parseLong(Files.readString(owner).strip());
                return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
            }
            return Files.getLastModifiedTime(folder).toInstant().isBefore(java.time.Instant.now().minusSeconds(3600));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The shared instance, started on first use. */
    public static synchronized FuzzCa get() {
        if (instance == null) {
            try {
                instance = new FuzzCa();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the fuzz CA", e);
            }
        }
        return instance;
    }

    public Running running() {
        return running;
    }

    /** The certificate SCEP requests are encrypted to and replies are signed by. */
    public X509Certificate raCertificate() {
        return running.scep().raCertificate();
    }

    public String adminToken() {
        return adminToken;
    }

    /** A certificate that exists in the store (revocable once). */
    public BigInteger issuedSerial() {
        return issuedSerial;
    }

    private void close() {
        running.close();
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
