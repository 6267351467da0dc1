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
 * <p>The control proves the test can fail: opened the way H2 opens it by itself (read-only, so the control changes
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

    @Test
    void acknowledgedRowsSurviveSigkillOnTheCrashProneFixture() throws Exception {
        Process untar = new ProcessBuilder("tar", "xzf", fixture().toString(), "-C", tmp.toString()).inheritIO().start();
        assertThat(untar.waitFor()).isZero();
        Path data = tmp.resolve("crash-prone-data");
        Path dbDir = data.resolve("db");
        Path pwFile = data.resolve("secrets/db-password");

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
        assertThat(lostToQuickRecovery).as("rounds in which H2's own recovery would have lost the row (the defect"
                + " this test guards against must still be reproduced by the fixture)").isPositive();
    }

    /** Starts a writer JVM, waits for its acknowledgement of {@code id}, then SIGKILLs it. */
    private static void killAfterAcknowledgement(Path dbDir, Path pwFile, String id) throws Exception {
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
        } finally {
            p.destroyForcibly(); // SIGKILL on Linux
            p.waitFor(30, TimeUnit.SECONDS);
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
