package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproduces the durability report on the fixture store (a data folder taken from a server SIGKILLed many times under
 * load): a row acknowledged as durable, then SIGKILL, was gone after restart, every time. The writer is a real child
 * JVM killed with SIGKILL; the reader is this JVM.
 *
 * <p>The control shows what the test guards against: opened the way H2 opens it by itself (read-only, so the control changes
 * nothing), the fixture's fragmented file comes back at an older version than the newest complete one on disk —
 * H2 MVStore's quick crash recovery misses the chunk holding the acknowledged row ({@link H2Recovery} explains the
 * defect). Opened through {@link Database#openH2}, the row is
 * there every round.
 */
class H2CrashRecoveryTest {
    private static final int ROUNDS = 4;

    @TempDir
    Path tmp;

    static Path fixture() {
        // Module dir -> repository root -> its parent, where CI and developers keep shared/.
        Path f = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/fixtures/crash-prone-data.tar.gz");
        assertThat(f).as("the shared fixture beside the repository").isRegularFile();
        return f;
    }

    /** Unpacks the fixture into {@code dir} and returns its data folder. */
    static Path extractFixture(Path dir) throws Exception {
        Process untar = new ProcessBuilder("tar", "xzf", fixture().toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(untar.waitFor()).isZero();
        return dir.resolve("crash-prone-data");
    }

    @Test
    void acknowledgedRowsSurviveSigkillOnTheCrashProneFixture() throws Exception {
        Path data = extractFixture(tmp);
        Path dbDir = data.resolve("db");
        Path pwFile = data.resolve("secrets/db-password");
        // The in-place upgrade (encryption, schema) happens here, in a clean open and close: the rounds below are
        // about acknowledged rows, and a kill right after an upgrade is another case (see the closing note of #11).
        Database.openH2(dbDir, pwFile, 2).close();

        int lostToQuickRecovery = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String id = "crash-round-" + round + "-" + System.nanoTime();
            killAfterAcknowledgement(dbDir, pwFile, id);

            // Control: the version H2 alone would open, against the newest complete one on disk (both read-only:
            // the file stays as the crash left it).
            char[] key = Files.readString(data.resolve("secrets/db-key")).strip().toCharArray();
            Path file = dbDir.resolve(Database.DB_FILE);
            long quickVersion;
            try {
                MVStore quick = new MVStore.Builder().fileName(file.toString()).encryptionKey(key.clone()).readOnly()
                        .open();
                quickVersion = quick.getCurrentVersion();
                quick.closeImmediately();
            } catch (org.h2.mvstore.MVStoreException e) {
                quickVersion = -1; // H2 alone cannot open it at all ("Chunk N not found")
            }
            MVStore full = new MVStore.Builder().fileName(file.toString()).encryptionKey(key.clone()).readOnly()
                    .recoveryMode().open();
            long onDisk = full.getCurrentVersion();
            full.closeImmediately();
            if (quickVersion < onDisk) {
                lostToQuickRecovery++;
            }

            try (Database db = Database.openH2(dbDir, pwFile, 2)) {
                assertThat(rowVisible(db.connection(), id)).as("round %d: the acknowledged row after SIGKILL", round).isTrue();
            }
        }
        // Reported, not asserted: whether a chunk misses its predicted place depends on the free-space layout, so
        // the fixture reproduces H2's loss in some runs and rounds, not in every one. With the recovery
        // step removed, the assertion above fails in the first round that H2 would have lost.
        System.out.printf("H2's quick recovery would have lost the acknowledged row in %d of %d rounds%n",
                lostToQuickRecovery, ROUNDS);
    }

    /**
     * A CLI command that opens the store while the server holds it must reach it through the server only. With
     * H2's AUTO_SERVER URL it would open the file itself the moment the server died, with H2's quick recovery
     * (which loses the newest chunks) and before any recovery of ours: the crash soak lost a certificate that way.
     */
    @Test
    void aCommandBesideTheServerNeverTakesTheStoreOverWhenTheServerDies() throws Exception {
        Path data = extractFixture(tmp);
        Path dbDir = data.resolve("db");
        Path pwFile = data.resolve("secrets/db-password");
        String id = "beside-" + System.nanoTime();
        Process server = startWriter(dbDir, pwFile, id);
        try (Database cli = Database.openH2(dbDir, pwFile, 2)) {
            assertThat(cli.ownsStore()).as("a command beside the server is its client").isFalse();
            assertThat(rowVisible(cli.connection(), id)).isTrue();
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            // The server is gone: the command fails instead of opening the crashed file behind our recovery's back.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rowVisible(cli.connection(), id))
                    .isInstanceOf(java.sql.SQLException.class);
        } finally {
            server.destroyForcibly();
        }
        try (Database db = Database.openH2(dbDir, pwFile, 2)) {
            assertThat(db.ownsStore()).isTrue();
            assertThat(rowVisible(db.connection(), id)).as("the acknowledged row after the server died").isTrue();
        }
    }

    /** Starts a writer JVM, waits for its acknowledgement of {@code id}, then SIGKILLs it. */
    private static void killAfterAcknowledgement(Path dbDir, Path pwFile, String id) throws Exception {
        Process p = startWriter(dbDir, pwFile, id);
        p.destroyForcibly(); // SIGKILL on Linux
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts a writer JVM and returns once it has acknowledged {@code id}; it then holds the store until killed. */
    private static Process startWriter(Path dbDir, Path pwFile, String id) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Writer.class.getName(), dbDir.toString(),
                pwFile.toString(), id));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = r.readLine()) != null) {
                if (line.equals("ACK " + id)) {
                    break;
                }
                seen.append(line).append('\n');
            }
            assertThat(line).as("writer output:\n%s", seen).isNotNull();
            return p;
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static boolean rowVisible(Connection c, String id) throws Exception {
        try (c; PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM crl_numbers WHERE issuer_key_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }

    /** The child: opens the store as the server does, makes one durable write, says so, and waits to be killed. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Database db = Database.openH2(Path.of(args[0]), Path.of(args[1]), 2);
            db.inDurableTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO crl_numbers (issuer_key_id, crl_number) VALUES (?, 1)")) {
                    ps.setString(1, args[2]);
                    return ps.executeUpdate();
                }
            });
            System.out.println("ACK " + args[2]);
            System.out.flush();
            Thread.sleep(600_000);
        }
    }
}
