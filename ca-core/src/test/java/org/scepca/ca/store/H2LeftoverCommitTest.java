package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.tx.CrashMidCommit;
import org.h2.mvstore.tx.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction killed in the middle of its commit (the crash harness met it in 1 of 56 rounds: the server then hung
 * at start in its first CRL publication). H2 2.5 registers such a transaction as committed but never applies it
 * ({@link org.h2.mvstore.tx.LeftoverCommits}); {@link Database} finishes it when it opens the store.
 */
class H2LeftoverCommitTest {
    @TempDir
    Path tmp;

    @Test
    void aCommitCutShortByACrashIsAppliedAtOpen_andItsRowsCanBeLockedAgain() throws Exception {
        Path dbDir = tmp.resolve("db");
        Path pwFile = tmp.resolve("secrets").resolve("db-password");
        Files.createDirectories(pwFile.getParent());
        Database.openH2(dbDir, pwFile, 2).close();
        String credentials = Files.readString(pwFile.resolveSibling("db-key")).strip() + " "
                + Files.readString(pwFile).strip();
        String url = Database.h2Url(dbDir, true);

        // A CRL publication (lock row, next CRL number) whose commit a crash cuts short.
        Connection c = DriverManager.getConnection(url, "scepca", credentials);
        c.setAutoCommit(false);
        CrlStore.lock(c, "crl");
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO crl_numbers (issuer_key_id, crl_number) VALUES ('leftover-issuer', 7)")) {
            ps.executeUpdate();
        }
        CrashMidCommit.markCommittedSyncAndDie(c);

        // Control, with H2 alone: the transaction is left registered as committed, not applied; its row is invisible.
        c = DriverManager.getConnection(url, "scepca", credentials);
        SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
        List<Transaction> left = session.getDatabase().getStore().getTransactionStore().getOpenTransactions();
        assertThat(left).as("H2's state after its own recovery").anyMatch(t -> t.getStatus() == Transaction.STATUS_COMMITTED);
        assertThat(crlNumber(c)).as("the committed row, as H2 alone reads it").isEqualTo(-1);
        session.getDatabase().shutdownImmediately(); // change nothing: leave the file as the crash did

        // Through Database: applied at open, durable, and the lock row is free (this hung for ever before).
        try (Database db = Database.openH2(dbDir, pwFile, 2)) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> db.inDurableTransaction(tx -> {
                CrlStore.lock(tx, "crl");
                return null;
            }), "SELECT ... FOR UPDATE on a row of the half-committed transaction");
            try (Connection r = db.connection()) {
                assertThat(crlNumber(r)).isEqualTo(7);
            }
        }
        try (Database db = Database.openH2(dbDir, pwFile, 2); Connection r = db.connection()) {
            assertThat(crlNumber(r)).as("after a clean restart").isEqualTo(7);
        }
    }

    private static long crlNumber(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT crl_number FROM crl_numbers WHERE issuer_key_id = 'leftover-issuer'");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
