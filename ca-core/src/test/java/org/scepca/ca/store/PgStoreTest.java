package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.testing.PgCluster;

/** The store contract on a real PostgreSQL server (Debian's package, started by the test on loopback). */
class PgStoreTest extends StoreContractTest {
    @Override
    protected Database openDatabase() {
        return Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 4);
    }

    /**
     * An acknowledgement must survive a crash (and a failover to a synchronous standby) whatever the database's own
     * setting: our sessions commit with at least {@code on}. With {@code off}, the crash harness lost acknowledged
     * certificates to {@code pg_ctl -m immediate} (docs/postgresql-failover.md).
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"off, on", "remote_write, on", "remote_apply, remote_apply"})
    void sessionsCommitDurably_whateverTheDatabaseSays(String configured, String effective) {
        String url = PgCluster.shared().newDatabase();
        PgCluster.shared().execute("postgres", "ALTER DATABASE " + url.substring(url.lastIndexOf('/') + 1)
                + " SET synchronous_commit = " + configured);
        try (Database db = Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2)) {
            String seen = db.inTransaction(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(seen).isEqualTo(effective);
        }
    }

    /**
     * Replicas start together on one empty database: Flyway's lock (an advisory lock on PostgreSQL) lets one migrate
     * while the others wait, so every start succeeds and each migration runs once.
     */
    @Test
    void replicasStartingTogetherMigrateOnce() throws Exception {
        String url = PgCluster.shared().newDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Database>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Database> start = () -> Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2);
                starts.add(pool.submit(start));
            }
            List<Database> opened = new ArrayList<>();
            for (Future<Database> f : starts) {
                opened.add(f.get());
            }
            try (var c = opened.get(0).connection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version, count(*) FROM flyway_schema_history"
                            + " WHERE success GROUP BY version ORDER BY version")) {
                int rows = 0;
                while (rs.next()) {
                    assertThat(rs.getInt(2)).as("runs of migration V" + rs.getString(1)).isEqualTo(1);
                    rows++;
                }
                assertThat(rows).isGreaterThanOrEqualTo(7);
            }
            opened.forEach(Database::close);
        } finally {
            pool.shutdownNow();
        }
    }
}
