package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.tx.LeftoverCommits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes H2's own recovery of the transactions a crash caught in the middle of their commit
 * ({@link LeftoverCommits} explains the H2 defect): their changes are applied and made durable before anything else
 * uses the store. Without it, the rows of such a transaction read as they were before it (a CRL number could be
 * handed out twice) and the first writer of one of them hangs for ever.
 */
final class H2Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(H2Leftovers.class);

    private H2Leftovers() {
    }

    /**
     * On a connection to an embedded store that this JVM has just opened: finishes the leftovers and syncs.
     * A connection to a store served by another process (AUTO_SERVER) is left alone: that process did it when it
     * opened the file.
     *
     * @return how many transactions were finished
     */
    static int finish(Connection c) throws SQLException {
        if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) {
            return 0;
        }
        var store = session.getDatabase().getStore();
        if (store == null || store.getMvStore().getFileStore() == null) {
            return 0; // in memory: nothing survives a crash, nothing is left over
        }
        int finished = LeftoverCommits.finish(store.getTransactionStore(),
                session.getDatabase().getLobSession());
        if (finished > 0) {
            H2Durability.sync(c);
            LOG.warn("database was not shut down cleanly: {} transaction(s) had committed but were not fully applied;"
                    + " their changes are applied now", finished);
        }
        return finished;
    }
}
