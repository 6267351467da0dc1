package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store compacts in bounded steps ({@link H2Compaction}), not in H2's background writer, whose rounds
 * moved up to 152 MB while every write waited for the store lock (a fuzz soak saw a write wait more than 22 s).
 */
class H2CompactionTest {
    @TempDir
    Path dir;

    private static final int ROWS = 3000;

    @Test
    void h2sOwnBackgroundCompactionIsOff() throws Exception {
        try (Database d = Database.openH2(dir.resolve("db"), dir.resolve("pw"), 2)) {
            String rate = d.inTransaction(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM "
                        + "INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'AUTO_COMPACT_FILL_RATE'")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(rate).isEqualTo("0");
        }
    }

    @Test
    void eachStepReadsAFewMegabytesAndTheStepsShrinkAChurnedFileKeepingEveryRow() throws Exception {
        Path db = dir.resolve("db");
        try (Database d = Database.openH2(db, dir.resolve("pw"), 2)) {
            d.stopCompaction(); // this test runs the steps, one at a time, and measures each
            MVStore store = churn(d);
            long churned = Files.size(db.resolve(Database.DB_FILE));
            long maxRead = 0;
            int steps = 0;
            for (; steps < 500 && Files.size(db.resolve(Database.DB_FILE)) >= churned / 2; steps++) {
                long read = store.getFileStore().getReadBytes();
                H2Compaction.step(store);
                maxRead = Math.max(maxRead, store.getFileStore().getReadBytes() - read);
            }
            d.inDurableTransaction(c -> null);
            long compacted = Files.size(db.resolve(Database.DB_FILE));
            // H2's own rounds read (and wrote) up to 2-8 x 19 MB under the lock. A step moves up to MOVE_BYTES, may
            // move those again past the space it reserved, and rewrites about REWRITE_BYTES of live pages.
            assertThat(maxRead).as("bytes read during one step (file %d bytes after churn)", churned)
                    .isLessThanOrEqualTo(3 * H2Compaction.MOVE_BYTES);
            System.out.printf("H2CompactionTest: %d bytes after churn, %d after %d steps, at most %d read in a step%n",
                    churned, compacted, steps, maxRead);
            assertThat(compacted).as("file after %d steps, from %d bytes", steps, churned).isLessThan(churned / 2);
            assertKept(d);
        }
        try (Database d = Database.openH2(db, dir.resolve("pw"), 2)) {
            assertKept(d); // and after a reopen
        }
    }

    /**
     * The timeout guards against a compaction that never comes, not a slow one: the rounds are paced to hold the
     * store lock at most half of the time (H2Compaction.Pacing), and on a machine shared with other test JVMs and
     * fuzzing lanes the churn plus half a 66 MB file took more than the 180 s this test once allowed (about 30 s on an
     * idle machine). Speed is for the benchmarks.
     */
    @Test
    @Timeout(900)
    void theStoreCompactsItselfWhileOpen() throws Exception {
        Path db = dir.resolve("db");
        try (Database d = Database.openH2(db, dir.resolve("pw"), 2)) {
            churn(d);
            long churned = Files.size(db.resolve(Database.DB_FILE));
            // Rounds run every PERIOD_MILLIS on their own thread; nothing here calls a step.
            while (Files.size(db.resolve(Database.DB_FILE)) >= churned / 2) {
                Thread.sleep(200);
            }
            assertKept(d);
        }
    }

    /**
     * Writes ROWS rows of 4 KB, one durable transaction each, then deletes two of every three: most chunks are left
     * with a third of their pages live. Retention is off so that freed chunks count as free at once (the server keeps
     * H2's 45 s).
     */
    private static MVStore churn(Database d) throws Exception {
        d.inDurableTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET RETENTION_TIME 0");
                s.execute("CREATE TABLE churn (id INT PRIMARY KEY, v VARCHAR(5000))");
            }
            return null;
        });
        String pad = "c".repeat(4000);
        for (int i = 0; i < ROWS; i++) {
            int id = i;
            d.inDurableTransaction(c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO churn VALUES (?, ?)")) {
                    p.setInt(1, id);
                    p.setString(2, id + pad);
                    p.executeUpdate();
                }
                return null;
            });
        }
        for (int i = 0; i < ROWS; i += 30) {
            int from = i;
            d.inDurableTransaction(c -> {
                try (PreparedStatement p = c.prepareStatement(
                        "DELETE FROM churn WHERE id >= ? AND id < ? AND MOD(id, 3) <> 0")) {
                    p.setInt(1, from);
                    p.setInt(2, from + 30);
                    p.executeUpdate();
                }
                return null;
            });
        }
        return d.inTransaction(c -> H2Durability.localStore(c).orElseThrow());
    }

    private static void assertKept(Database d) {
        d.inTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id, v FROM churn ORDER BY id")) {
                int expected = 0;
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(expected);
                    assertThat(rs.getString(2)).isEqualTo(expected + "c".repeat(4000));
                    expected += 3;
                }
                assertThat(expected).isEqualTo(ROWS);
            }
            return null;
        });
    }
}
