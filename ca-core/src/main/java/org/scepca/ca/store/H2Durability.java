package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Makes every committed H2 transaction durable: the body of the {@code SCEPCA_SYNC()} database function.
 *
 * <p>Why not {@code CHECKPOINT SYNC}. In H2 2.x it runs {@code MVStore.commit()} and then {@code FileChannel.force}.
 * With a background writer (WRITE_DELAY &gt; 0) a chunk is serialized and written by two executor threads, and the
 * writer does not wait for them. {@code commit()} returns at once when that writer has already taken the changes
 * (nothing left unsaved) or started a store while we waited for the store lock (version moved on): the fsync that
 * follows can then run before the chunk holding our rows has even been written, and a SIGKILL just after the reply
 * loses an acknowledged certificate. Here the commit is followed by
 * {@link FileStore#executeFileStoreOperation}, which drains both executors (single-threaded, FIFO: everything
 * queued before is written) before the fsync runs.
 *
 * <p>Why a database function. The CLI reaches a database that the server holds open through H2's AUTO_SERVER, as a
 * remote session: it has no MVStore to call. {@code CALL SCEPCA_SYNC()} runs in the JVM that owns the file, whoever
 * calls it, so the server and the CLI get the same guarantee. The class name is stored in the database (CREATE ALIAS):
 * keep it.
 */
public final class H2Durability {
    private H2Durability() {
    }

    /** SQL that creates the function; idempotent. */
    static final String CREATE_ALIAS = "CREATE ALIAS IF NOT EXISTS SCEPCA_SYNC FOR \"" + H2Durability.class.getName()
            + ".sync\"";
    static final String CALL = "CALL SCEPCA_SYNC()";

    /**
     * Called by H2 with the calling session's connection, inside the JVM that has the database file open.
     *
     * @return the MVStore version that is now on stable storage
     */
    public static long sync(Connection conn) throws SQLException {
        MVStore store = localStore(conn)
                .orElseThrow(() -> new SQLException("SCEPCA_SYNC must run inside the database engine"));
        FileStore<?> file = store.getFileStore();
        if (file == null) {
            return store.getCurrentVersion(); // in-memory database: nothing to sync
        }
        store.commit();
        file.executeFileStoreOperation(file::sync);
        return store.getCurrentVersion();
    }

    /**
     * The MVStore behind a connection of this JVM's own H2 engine; empty for a remote (AUTO_SERVER) session, which
     * has no store to call.
     */
    static Optional<MVStore> localStore(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)
                || !(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) {
            return Optional.empty();
        }
        return Optional.ofNullable(session.getDatabase().getStore()).map(s -> s.getMvStore());
    }
}
