package org.scepca.ca.audit;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where {@link AuditLine#log()} sends a line besides the logger: the process-wide list of sinks. A
 * {@link org.scepca.ca.CertificateAuthority} registers its database's trail when it opens and removes it when it
 * closes, so every line that the server or a CLI command logs while its CA is open reaches {@code audit_events}
 * without passing a sink through the sixteen places that write audit lines.
 *
 * <p>Process-wide on purpose (the one exception to "no static state": the audit trail is the process's, like its
 * logger). Sinks are keyed by the store they write to: two CAs open on the same store in one process (the server and
 * an in-process CLI command, as in tests) write each line once, through the sink registered first.
 */
public final class AuditSinks {
    /** Receives lines; must return at once (queue, never block enrollment). */
    @FunctionalInterface
    public interface Sink {
        void accept(AuditLine line);
    }

    private record Entry(String key, Sink sink) {
    }

    private static final CopyOnWriteArrayList<Entry> ENTRIES = new CopyOnWriteArrayList<>();

    private AuditSinks() {
    }

    /**
     * Adds {@code sink} for the store named {@code key}; closing the handle removes it.
     *
     * @param key identifies the store (an H2 folder, a PostgreSQL URL)
     */
    public static Registration register(String key, Sink sink) {
        Entry e = new Entry(Objects.requireNonNull(key, "key is null"), Objects.requireNonNull(sink, "sink is null"));
        ENTRIES.add(e);
        return () -> ENTRIES.remove(e);
    }

    /** A registered sink; {@link #close()} unregisters it (idempotent). */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    static void publish(AuditLine line) {
        if (ENTRIES.isEmpty()) {
            return;
        }
        java.util.Set<String> seen = new java.util.HashSet<>(2);
        for (Entry e : ENTRIES) {
            if (seen.add(e.key())) {
                try {
                    e.sink().accept(line);
                } catch (RuntimeException ex) {
                    // A sink's failure must never fail the operation being audited; the log line is written already.
                    org.slf4j.LoggerFactory.getLogger("scepca").warn("audit sink failed: {}", ex.toString());
                }
            }
        }
    }
}
