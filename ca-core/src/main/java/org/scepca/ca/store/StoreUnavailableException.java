package org.scepca.ca.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * The database could not be reached or went away mid-transaction: a restart, a failover, a network cut. Not the
 * request's fault and possibly not final; when it happened during the commit, the transaction may even have been
 * committed. The edges answer "try again later" (HTTP 503 with Retry-After), never a success: a client that repeats
 * the same request gets the stored answer or a fresh attempt once the database is back.
 */
public final class StoreUnavailableException extends StoreException {
    /**
     * PostgreSQL going away or not yet there: admin_shutdown (an immediate or fast stop), crash_shutdown (another
     * backend crashed), cannot_connect_now (starting, or in crash recovery); read_only_sql_transaction (a standby,
     * for example one not yet promoted).
     */
    private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "25006");

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * True for a failure to reach the database rather than of the statement: SQLSTATE class 08 (connection
     * exception: refused, lost, reset), the states in {@link #STATES}, or no pooled connection within the pool's
     * connection timeout (HikariCP's {@link SQLTransientConnectionException}).
     */
    public static boolean isUnavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || STATES.contains(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
