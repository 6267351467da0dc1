package org.scepca.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of shared/fixtures/README.md, as written: on a copy of crash-prone-data, mint a one-time challenge,
 * enroll once, SIGKILL the server right after the SUCCESS, restart. The certificate must still be there and the
 * challenge spent. Once with the challenge from the CLI beside the running server (H2 AUTO_SERVER, as the report
 * does), once with no CLI while the server runs (admin token made before the start, challenge from the API); and the
 * same on a store made by {@code scepca init}, new and after one such round, to tell what the fixture adds.
 *
 * <p>{@code mvn verify} runs the three fixture variants. The three fresh-store variants were the diagnosis (they told
 * that the fixture's layout mattered) and {@link CrashHarnessIT} covers their ground in every CI run: fresh stores,
 * CLI challenges and revocations beside the server, SIGKILL right after a reply. They run with
 * {@code -Dcrash.reproducer.all=true}, which bench/crash-soak.sh sets.
 */
class FixtureCrashReproducerIT {
    private static final String ALL = "crash.reproducer.all";

    @TempDir
    Path work;

    @Test
    void cliChallengeBesideTheServer_certificateAndSpentChallengeSurviveSigkill() throws Exception {
        reproduce(true, false, fixture());
    }

    @Test
    void apiChallengeWithoutCliDuringTheRun_certificateAndSpentChallengeSurviveSigkill() throws Exception {
        reproduce(false, false, fixture());
    }

    /** The fixture after {@code scepca db compact} (H2 SHUTDOWN COMPACT rewrites the file with live data only). */
    @Test
    void fixtureAfterDbCompact_cliChallengeBesideTheServer_certificateAndSpentChallengeSurviveSigkill() throws Exception {
        Path data = fixture();
        Scepca.CliResult compact = new Scepca(Scepca.repoRoot()).cli(Duration.ofMinutes(3), "db", "compact", "--data",
                data.toString());
        assertThat(compact.ok()).as(compact.printed()).isTrue();
        reproduce(true, false, data);
    }

    /** The same on a store made by {@code scepca init} a moment before: is the fixture needed at all? */
    @Test
    @EnabledIfSystemProperty(named = ALL, matches = "true")
    void freshStore_cliChallengeBesideTheServer_certificateAndSpentChallengeSurviveSigkill() throws Exception {
        reproduce(true, false, freshStore());
    }

    /** A fresh store that has already been through one such SIGKILL round (and an idle SIGKILL after it). */
    @Test
    @EnabledIfSystemProperty(named = ALL, matches = "true")
    void freshStoreKilledBefore_cliChallengeBesideTheServer_certificateAndSpentChallengeSurviveSigkill() throws Exception {
        Path data = freshStore();
        reproduce(true, false, data);
        reproduce(true, false, data);
    }

    /**
     * A fresh store, no CLI before the SUCCESS; then an operator mints a challenge with the CLI beside the server
     * (AUTO_SERVER), and the kill comes 3 s later. Both the certificate and that challenge must survive.
     */
    @Test
    @EnabledIfSystemProperty(named = ALL, matches = "true")
    void freshStore_cliWriteBesideTheServerAfterTheEnrollment_bothSurviveSigkill() throws Exception {
        reproduce(false, true, freshStore());
    }

    private Path freshStore() {
        Path data = work.resolve("fresh");
        Scepca.CliResult init = new Scepca(Scepca.repoRoot()).cli(Duration.ofMinutes(3), "init", "--data", data.toString());
        assertThat(init.ok()).as(init.printed()).isTrue();
        return data;
    }

    private Path fixture() throws Exception {
        return unpack(Scepca.repoRoot().resolve("../shared/fixtures/crash-prone-data.tar.gz").normalize());
    }

    private void reproduce(boolean challengeFromCli, boolean cliWriteAfter, Path data) throws Exception {
        Scepca scepca = new Scepca(Scepca.repoRoot());
        String token = null;
        if (!challengeFromCli) {
            Scepca.CliResult t = scepca.cli(Duration.ofSeconds(60), "admin", "token", "create", "--data", data.toString(),
                    "--name", "reproducer", "--quiet");
            assertThat(t.ok()).as(t.printed()).isTrue();
            token = t.out().strip();
        }
        Path log = work.resolve("server.log");
        Scepca.Server server = scepca.serve(data, log);
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String challenge;
        String cliChallengeId = null;
        ScepDevice.Reply first;
        ScepDevice.CaCertificates ca;
        try {
            assertThat(server.awaitReady(Duration.ofSeconds(90))).as(server.logTail(20)).isTrue();
            if (challengeFromCli) {
                Scepca.CliResult c = scepca.cli(Duration.ofSeconds(60), "challenge", "create", "--quiet", "--data",
                        data.toString());
                assertThat(c.ok()).as(c.printed()).isTrue();
                challenge = c.out().strip();
            } else {
                challenge = new AdminClient(server.adminBase(), token).createChallenge("reproducer").secret();
            }
            ca = ScepDevice.caCertificates(server.base());
            first = ScepDevice.against(server.base(), ca.ra()).enroll(keys, "CN=reproducer,O=scepca crash harness",
                    challenge);
            assertThat(first.success()).as("first enrollment: %s %s", first.status(), first.failInfo()).isTrue();
            if (cliWriteAfter) {
                Scepca.CliResult c = scepca.cli(Duration.ofSeconds(60), "challenge", "create", "--data", data.toString(),
                        "--note", "after-the-enrollment");
                assertThat(c.ok()).as(c.printed()).isTrue();
                cliChallengeId = c.field("id");
                Thread.sleep(3000);
            }
        } finally {
            server.kill(); // right after the SUCCESS: no shutdown hook, no H2 close
        }

        Scepca.Server again = scepca.serve(data, log);
        try {
            assertThat(again.awaitReady(Duration.ofSeconds(90))).as("restart: " + again.logTail(20)).isTrue();
            String serial = first.certificate().getSerialNumber().toString(16);
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(first.certificate().getEncoded()));
            Scepca.CliResult show = scepca.cli(Duration.ofSeconds(60), "cert", "show", "--data", data.toString(), serial);
            KeyPair other = KeyPairGenerator.getInstance("RSA").generateKeyPair();
            ScepDevice.Reply second = ScepDevice.against(again.base(), ca.ra()).enroll(other,
                    "CN=reproducer-again,O=scepca crash harness", challenge);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(show.field("SHA-256")).as("scepca cert show %s after the restart: exit %d %s", serial,
                    show.exitCode(), show.printed()).isEqualToIgnoringCase(sha256);
            soft.assertThat(second.status()).as("the spent one-time challenge used again after the restart")
                    .isEqualTo(ScepDevice.Reply.Status.FAILURE);
            if (cliChallengeId != null) {
                Scepca.CliResult list = scepca.cli(Duration.ofSeconds(60), "challenge", "list", "--data", data.toString());
                soft.assertThat(list.out()).as("scepca challenge list after the restart: the challenge the CLI minted"
                        + " beside the server 3 s before the kill").contains(cliChallengeId);
            }
            soft.assertAll();
        } finally {
            again.kill();
        }
    }

    private Path unpack(Path archive) throws Exception {
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", work.toString()).redirectErrorStream(true)
                .start();
        String out = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor()).as(out).isZero();
        Path data = work.resolve("crash-prone-data");
        assertThat(Files.isDirectory(data)).isTrue();
        return data;
    }
}
