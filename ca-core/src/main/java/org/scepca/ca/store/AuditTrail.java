package org.scepca.ca.store;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.scepca.ca.audit.AuditEvent;
import org.scepca.ca.audit.AuditIds;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.audit.AuditQuery;
import org.scepca.ca.audit.AuditSinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The searchable copy of the audit trail in {@code audit_events}, shared by every process on the database.
 *
 * <p>Writing never slows the operation being audited: {@link #accept} stamps the line and puts it on a bounded queue
 * (never waiting); one background thread drains the queue in batches, one transaction per batch. When the queue is
 * full (the database is down or far behind) the line is dropped from the table only (it is in the log already): the
 * drops are counted ({@link #dropped()}) and logged, at most once a minute. {@link #close()} stops taking lines and
 * writes what is queued (an orderly shutdown loses nothing); a killed process loses what was queued.
 */
public final class AuditTrail implements AuditSinks.Sink, AutoCloseable {
    static final int QUEUE = 10_000;
    static final int BATCH = 500;
    private static final Duration DROP_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger("scepca");
    private static final String COLUMNS = "id, at, op, txid, endpoint, subject, device, serial, outcome, actor, line";

    private final Database db;
    private final Clock clock;
    private final AuditIds ids = new AuditIds(new SecureRandom());
    private final BlockingQueue<AuditEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** Lines put on the queue, and lines the writer has finished with (written or given up): for {@link #flush}. */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;
    private volatile Instant lastDropLog = Instant.MIN;

    public AuditTrail(Database db, Clock clock) {
        this(db, clock, QUEUE);
    }

    AuditTrail(Database db, Clock clock, int capacity) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, "scepca-audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void accept(AuditLine line) {
        Instant at = clock.instant();
        if (!closing && queue.offer(AuditEvent.of(line, at, ids.next(at)))) {
            queued.incrementAndGet();
        } else {
            long n = dropped.incrementAndGet();
            if (lastDropLog.plus(DROP_LOG_INTERVAL).isBefore(at)) {
                lastDropLog = at;
                LOG.warn("audit trail: the queue for the database is full; {} line(s) not copied to audit_events so far"
                        + " (they are in the audit log)", n);
            }
        }
    }

    /** Lines not copied to the table since start (queue full, or the database refused a batch). */
    public long dropped() {
        return dropped.get();
    }

    /** Lines copied to the table since start. */
    public long written() {
        return written.get();
    }

    private void drain() {
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                AuditEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                dropped.addAndGet(batch.size());
                LOG.warn("audit trail: {} line(s) not copied to audit_events (they are in the audit log): {}",
                        batch.size(), e.toString());
            } finally {
                processed.addAndGet(batch.size());
                batch.clear();
            }
        }
    }

    private void write(List<AuditEvent> batch) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_events (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditEvent e : batch) {
                    ps.setString(1, e.id());
                    Sql.setInstant(ps, 2, e.at());
                    ps.setString(3, cut(e.op(), 64));
                    ps.setString(4, cut(e.txid(), 128));
                    ps.setString(5, cut(e.endpoint(), 64));
                    ps.setString(6, cut(e.subject(), 1024));
                    ps.setString(7, cut(e.device(), 256));
                    ps.setString(8, cut(e.serial(), 64));
                    ps.setString(9, cut(e.outcome(), 64));
                    ps.setString(10, cut(e.actor(), 256));
                    ps.setString(11, cut(e.line(), 100_000));
                    ps.addBatch();
                }
                ps.executeBatch();
                return null;
            }
        });
        written.addAndGet(batch.size());
    }

    private static String cut(Optional<String> v, int max) {
        return v.map(s -> cut(s, max)).orElse(null);
    }

    private static String cut(String v, int max) {
        if (v.length() <= max) {
            return v;
        }
        int end = Character.isHighSurrogate(v.charAt(max - 2)) ? max - 2 : max - 1;
        return v.substring(0, end) + "…";
    }

    /** Waits (up to ten seconds) until every line queued before this call is written or given up. */
    public void flush() {
        long target = queued.get();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (processed.get() < target && System.nanoTime() < deadline && writer.isAlive()) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops taking lines, writes what is queued (waiting up to ten seconds) and stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.warn("audit trail: {} queued line(s) not copied to audit_events at shutdown (they are in the audit log)",
                    queue.size());
        }
    }

    /** A page of events matching {@code q}, newest first; the next cursor is the last event's id. */
    public Page<AuditEvent> search(AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_events WHERE 1=1");
        List<String> args = new ArrayList<>();
        q.serial().ifPresent(s -> { sql.append(" AND serial = ?"); args.add(s); });
        q.device().ifPresent(d -> {
            sql.append(" AND device IN (?, ?, ?)");
            args.add(d);
            args.add(d.toUpperCase(Locale.ROOT));
            args.add(d.toLowerCase(Locale.ROOT));
        });
        q.actor().ifPresent(a -> {
            if (a.contains(":")) {
                sql.append(" AND actor = ?");
                args.add(a);
            } else {
                // "alice" finds token:alice, mtls:alice and cli:alice: the kinds of actor AuditLine#endpointOf knows.
                sql.append(" AND actor IN (?, ?, ?, ?, ?)");
                args.add(a);
                for (String kind : List.of("token:", "mtls:", "cli:", "basic:")) {
                    args.add(kind + a);
                }
            }
        });
        q.outcome().ifPresent(o -> { sql.append(" AND outcome = ?"); args.add(o); });
        q.op().ifPresent(o -> { sql.append(" AND op = ?"); args.add(o); });
        // The id starts with the time: a time range is a range of the primary key.
        q.from().ifPresent(t -> { sql.append(" AND id >= ?"); args.add(AuditIds.prefix(t)); });
        q.to().ifPresent(t -> { sql.append(" AND id < ?"); args.add(AuditIds.prefix(t)); });
        q.cursor().ifPresent(c -> { sql.append(" AND id < ?"); args.add(c); });
        sql.append(" ORDER BY id DESC LIMIT ").append(q.limit() + 1);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                List<AuditEvent> items = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(read(rs));
                    }
                }
                return Page.of(items, q.limit(), AuditEvent::id);
            }
        });
    }

    private static AuditEvent read(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getString("id"), Sql.instant(rs, "at"), rs.getString("op"),
                Optional.ofNullable(rs.getString("txid")), Optional.ofNullable(rs.getString("endpoint")),
                Optional.ofNullable(rs.getString("subject")), Optional.ofNullable(rs.getString("device")),
                Optional.ofNullable(rs.getString("serial")), Optional.ofNullable(rs.getString("outcome")),
                Optional.ofNullable(rs.getString("actor")), rs.getString("line"));
    }

    /**
     * Deletes the events older than {@code retention} (a range of the primary key). Idempotent: every replica may run
     * it; the second finds nothing to delete.
     *
     * @return how many rows were deleted
     */
    public int purge(Duration retention) {
        String before = AuditIds.prefix(clock.instant().minus(retention));
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_events WHERE id < ?")) {
                ps.setString(1, before);
                return ps.executeUpdate();
            }
        });
    }
}
