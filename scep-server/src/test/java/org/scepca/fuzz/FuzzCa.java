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

    private static FuzzCa instance;

    private final Path dir;
    private final Running running;
    private final String adminToken;
    private final BigInteger issuedSerial;

    private FuzzCa() throws Exception {
        Providers.register();
        // One audit line per request would be millions of lines in a soak; refusals are counted by the targets.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("scepca.audit")).setLevel(ch.qos.logback.classic.Level.WARN);
        dir = Files.createTempDirectory("scepca-fuzz");
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
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(p),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        adminToken = running.ca().tokens().create("fuzz", AdminRole.ADMIN).token();
        issuedSerial = running.ca().issuance().issue(new IssuanceRequest(
                Csrs.csr().subject("CN=fuzz-device,O=Fuzz").dns("fuzz-device.test").build(), "fuzz",
                CertificateProfile.CLIENT, IssuanceEffects.none())).record().serial();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "fuzz-ca-close"));
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
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
