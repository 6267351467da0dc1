package org.h2.mvstore.tx;

import java.lang.reflect.Method;
import java.sql.Connection;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.scepca.ca.store.H2Durability;

/**
 * Leaves an embedded H2 store as a crash in the middle of a commit does: the transaction's undo log carries H2's
 * commit marker (H2 writes it before it applies the log) and is on disk with the uncommitted rows, then the database
 * stops without closing the file. The same state a SIGKILL reaches when a chunk is written between those two steps.
 */
public final class CrashMidCommit {
    private CrashMidCommit() {
    }

    public static void markCommittedSyncAndDie(Connection c) throws Exception {
        SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
        Transaction t = session.getTransaction();
        Method mark = TransactionStore.class.getDeclaredMethod("markUndoLogAsCommitted", int.class, long.class);
        mark.setAccessible(true);
        mark.invoke(t.store, t.transactionId, 1L);
        H2Durability.sync(c); // the chunk with the marker and the uncommitted rows reaches the disk
        session.getDatabase().shutdownImmediately(); // no clean close: as after SIGKILL
    }
}
