package org.scepca.ca.store;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.flywaydb.core.api.MigrationVersion;
import org.scepca.ca.store.StoreSchema.Column;
import org.scepca.ca.store.StoreSchema.Table;

/**
 * Copies one store into another, empty one of the same schema version (the embedded H2 store into PostgreSQL:
 * {@code scepca db migrate}), and proves the copy: every table's row count and SHA-256 over its rows, computed on
 * each side independently, must agree.
 *
 * <p>Generic by design. The tables, their columns, primary keys and foreign keys come from JDBC metadata, so a table
 * or column added by a later migration is copied and checked without a change here; parents are copied before the
 * tables whose foreign keys reference them. The target must have every table and column the source has, with values
 * of the same kind: equal Flyway versions make that so, and a difference is refused before anything is written.
 *
 * <p>Into an empty target only: one that holds no row but those its migrations create (V8 fills {@code db_locks});
 * those are replaced by the source's own rows of the same tables.
 *
 * <p>All or nothing. Every row goes into the target in <em>one</em> transaction (in batches of {@value #BATCH_ROWS}
 * statements), the checksums are computed inside it, and it commits only when every table matches. A failure at any
 * point, a checksum that differs, the process killed or the connection lost, leaves the target as empty as it was
 * (PostgreSQL rolls back a transaction whose client is gone), so running the command again is always safe and needs
 * no clean-up. PostgreSQL keeps no transaction in memory and its rollback is immediate, so the size of the store does
 * not argue for smaller transactions; per-table commits would leave a partial copy after a failure, which the
 * refusal of a non-empty target would then block until someone dropped the database by hand.
 */
public final class StoreCopy {
    static final int BATCH_ROWS = 500;
    private static final int PROGRESS_ROWS = 100_000;
    /**
     * The pool's socket timeout (a minute) is for short statements; a checksum sorts a whole table and a large copy
     * commits a lot at once.
     */
    private static final Duration LONG_STATEMENTS = Duration.ofHours(2);

    private StoreCopy() {
    }

    /** One table's row count and checksum on each side. */
    public record TableCheck(String table, long sourceRows, long targetRows, String sourceSha256, String targetSha256) {
        public TableCheck {
            Objects.requireNonNull(table, "table is null");
            Objects.requireNonNull(sourceSha256, "sourceSha256 is null");
            Objects.requireNonNull(targetSha256, "targetSha256 is null");
        }

        public boolean matches() {
            return sourceRows == targetRows && sourceSha256.equals(targetSha256);
        }
    }

    /**
     * @param schemaVersion the Flyway version both stores are at
     * @param tables        every table copied, in the order copied
     * @param committed     true when the copy is in the target; false when a checksum differed and it was rolled back
     */
    public record Report(String schemaVersion, List<TableCheck> tables, boolean committed) {
        public Report {
            Objects.requireNonNull(schemaVersion, "schemaVersion is null");
            tables = List.copyOf(tables);
        }

        public boolean verified() {
            return tables.stream().allMatch(TableCheck::matches);
        }

        public List<String> mismatched() {
            return tables.stream().filter(t -> !t.matches()).map(TableCheck::table).toList();
        }

        public long rows() {
            return tables.stream().mapToLong(TableCheck::sourceRows).sum();
        }
    }

    /** The copy cannot start: the target is not empty, or the two schemas differ. Nothing was written. */
    public static final class RefusedException extends IllegalStateException {
        RefusedException(String message) {
            super(message);
        }
    }

    /** Runs on the target's connection after the rows are in and before the checksums (tests tamper here). */
    @FunctionalInterface
    interface BeforeVerify {
        void run(Connection target) throws SQLException;
    }

    /**
     * Copies every row of {@code source} into {@code target} and verifies the copy; see the class comment.
     *
     * @param progress receives a line per table and per {@value #PROGRESS_ROWS} rows
     * @return the counts and checksums; {@link Report#committed()} is false (and the target still empty) when they
     *         differ
     * @throws RefusedException when the target holds rows or its schema differs from the source's
     * @throws StoreException   when a database fails; nothing was committed
     */
    public static Report copy(Database source, Database target, Consumer<String> progress) {
        return copy(source, target, progress, t -> {
        });
    }

    static Report copy(Database source, Database target, Consumer<String> progress, BeforeVerify beforeVerify) {
        Objects.requireNonNull(progress, "progress is null");
        String step = "reading the schemas";
        try (Connection s = source.connection(); Connection t = target.connection()) {
            StoreSchema from = StoreSchema.read(s);
            StoreSchema to = StoreSchema.read(t);
            String version = requireSameVersion(s, t);
            List<Table> tables = from.inDependencyOrder();
            requireSameTables(tables, to);
            step = "listing the rows the migrations create";
            Map<String, Set<String>> created = migrationRows(to);
            prepare(s, from);
            prepare(t, to);
            t.setAutoCommit(false);
            boolean committed;
            List<TableCheck> checks;
            try {
                step = "checking that the target is empty";
                Set<String> seeded = requireEmpty(t, to, created);
                // The store has its own copy of those rows (it ran the same migrations), as they are now: it wins.
                try (Statement st = t.createStatement()) {
                    for (int i = tables.size() - 1; i >= 0; i--) { // children first
                        if (seeded.contains(tables.get(i).name())) {
                            st.executeUpdate("DELETE FROM " + to.quote(tables.get(i).name()));
                        }
                    }
                }
                for (Table table : tables) {
                    step = "copying " + table.name();
                    long started = System.nanoTime();
                    long rows = copyTable(s, from, t, to, table, progress);
                    progress.accept(String.format("copied %-20s %,12d rows in %.1f s", table.name(), rows,
                            (System.nanoTime() - started) / 1e9));
                }
                step = "advancing the target's sequences";
                advanceSequences(t, to, tables);
                beforeVerify.run(t);
                step = "verifying";
                progress.accept("verifying: row counts and SHA-256 of every table, read back from both databases");
                checks = checks(s, from, t, to, tables);
                committed = checks.stream().allMatch(TableCheck::matches);
                step = "committing";
                if (committed) {
                    t.commit();
                } else {
                    t.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(t, e);
                throw e;
            } finally {
                restore(s, from, t, to);
            }
            if (committed && to.isPostgres()) {
                step = "analyzing";
                // Fresh statistics, so the planner of the first server on the copy chooses the indexes at once.
                try (Statement a = t.createStatement()) {
                    for (Table table : tables) {
                        a.execute("ANALYZE " + to.quote(table.name()));
                    }
                }
            }
            return new Report(version, checks, committed);
        } catch (SQLException e) {
            throw new StoreException(step + " failed: " + firstLine(e) + (step.equals("analyzing") ? ""
                    : "; nothing was committed, the target is as empty as before: fix the cause and run again"), e);
        }
    }

    /**
     * Counts and checksums every table of {@code source} on both databases, reading what each has committed. The copy
     * does this itself before it commits; this is the same check for a copy made earlier.
     */
    public static List<TableCheck> verify(Database source, Database target) {
        try (Connection s = source.connection(); Connection t = target.connection()) {
            StoreSchema from = StoreSchema.read(s);
            StoreSchema to = StoreSchema.read(t);
            List<Table> tables = from.inDependencyOrder();
            requireSameTables(tables, to);
            prepare(s, from);
            prepare(t, to);
            t.setAutoCommit(false); // PostgreSQL streams a result with a cursor only inside a transaction
            try {
                return checks(s, from, t, to, tables);
            } finally {
                rollbackQuietly(t, null);
                restore(s, from, t, to);
            }
        } catch (SQLException e) {
            throw new StoreException("verifying failed: " + firstLine(e), e);
        }
    }

    private static void prepare(Connection c, StoreSchema schema) throws SQLException {
        if (schema.isPostgres()) {
            c.setNetworkTimeout(Runnable::run, (int) LONG_STATEMENTS.toMillis());
        } else {
            // H2 would otherwise materialise a whole result (every certificate's DER) before returning its first row.
            try (Statement st = c.createStatement()) {
                st.execute("SET LAZY_QUERY_EXECUTION TRUE");
            }
        }
    }

    /** Undoes {@link #prepare} and the transaction mode before the connections go back to their pools. */
    private static void restore(Connection s, StoreSchema from, Connection t, StoreSchema to) {
        try (Statement st = s.createStatement()) {
            if (!from.isPostgres()) {
                st.execute("SET LAZY_QUERY_EXECUTION FALSE");
            }
            t.setAutoCommit(true);
        } catch (SQLException e) {
            // a broken connection: the pool discards it
        }
    }

    private static String requireSameVersion(Connection s, Connection t) throws SQLException {
        MigrationVersion from = StoreSchema.schemaVersion(s)
                .orElseThrow(() -> new RefusedException("the source database has no Flyway schema history"));
        MigrationVersion to = StoreSchema.schemaVersion(t)
                .orElseThrow(() -> new RefusedException("the target database has no Flyway schema history"));
        if (!from.equals(to)) {
            throw new RefusedException("the schema versions differ (source V" + from + ", target V" + to + "): run the"
                    + " copy with the scepca release that last ran on this data folder, into a new, empty database");
        }
        return from.getVersion();
    }

    private static void requireSameTables(List<Table> tables, StoreSchema to) {
        for (Table table : tables) {
            Table other = to.table(table.name()).orElseThrow(() -> new RefusedException("the target database has no"
                    + " table " + table.name() + ": its schema differs from the source's although both are at the same"
                    + " version; copy into a database created by scepca itself (an empty one)"));
            for (Column c : table.columns()) {
                Column o = other.column(c.name()).orElseThrow(() -> new RefusedException("the target's table "
                        + table.name() + " has no column " + c.name() + ": its schema differs from the source's"));
                if (o.kind() != c.kind()) {
                    throw new RefusedException("column " + table.name() + "." + c.name() + " holds " + c.kind()
                            + " values in the source (" + c.typeName() + ") but " + o.kind() + " in the target ("
                            + o.typeName() + ")");
                }
            }
        }
    }

    /**
     * Refuses a target that holds any row its migrations did not create (V8 creates the rows of {@code db_locks}, so
     * a new database is never without rows).
     *
     * @param created the keys of the rows the migrations create, per table ({@link #migrationRows})
     * @return the tables that hold rows, all of them rows the migrations created
     */
    private static Set<String> requireEmpty(Connection t, StoreSchema to, Map<String, Set<String>> created)
            throws SQLException {
        List<String> filled = new ArrayList<>();
        Set<String> seeded = new TreeSet<>();
        for (String name : to.tableNames()) {
            Table table = to.table(name).orElseThrow();
            Set<String> allowed = created.getOrDefault(name, Set.of());
            try (Statement st = t.createStatement()) {
                st.setFetchSize(BATCH_ROWS);
                try (ResultSet rs = st.executeQuery("SELECT " + names(to, table.orderColumns()) + " FROM "
                        + to.quote(name))) {
                    while (rs.next()) {
                        if (!allowed.contains(key(rs, table.orderColumns()))) {
                            filled.add(name);
                            break;
                        }
                        seeded.add(name);
                    }
                }
            }
        }
        if (!filled.isEmpty()) {
            throw new RefusedException("the target database is not empty (" + String.join(", ", filled) + " hold"
                    + (filled.size() == 1 ? "s" : "") + " rows): the store is copied only into an empty database;"
                    + " create a new one, or drop and recreate this one if nothing in it is needed");
        }
        return seeded;
    }

    /**
     * The keys of the rows that the migrations themselves insert, per table: found by running the same migrations
     * (this release's, which made the target: the versions are equal) on a scratch in-memory H2 database, so that a
     * later migration seeding a table needs no change here. Only keys are compared, so a seed row whose other values
     * depend on when it was made still counts as one.
     */
    private static Map<String, Set<String>> migrationRows(StoreSchema to) throws SQLException {
        Map<String, Set<String>> keys = new HashMap<>();
        try (Database scratch = Database.open("jdbc:h2:mem:scepca-migrations-" + UUID.randomUUID() + SCRATCH_OPTIONS,
                "scepca", "", 2); Connection c = scratch.connection(); Statement st = c.createStatement()) {
            for (String name : StoreSchema.read(c).tableNames()) {
                Optional<Table> table = to.table(name);
                if (table.isEmpty()) {
                    continue;
                }
                List<Column> key = table.get().orderColumns();
                try (ResultSet rs = st.executeQuery("SELECT " + names(to, key) + " FROM " + to.quote(name))) {
                    while (rs.next()) {
                        keys.computeIfAbsent(name, n -> new HashSet<>()).add(key(rs, key));
                    }
                }
            }
        }
        return keys;
    }

    /** The settings of the embedded store's URL that decide how the migrations' SQL runs ({@code Database.h2Url}). */
    private static final String SCRATCH_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    private static String names(StoreSchema schema, List<Column> columns) {
        return columns.stream().map(c -> schema.quote(c.name())).collect(Collectors.joining(", "));
    }

    /** The canonical encoding of a row's values of {@code columns} (selected in that order), as text. */
    private static String key(ResultSet rs, List<Column> columns) throws SQLException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int i = 0; i < columns.size(); i++) {
                ColumnValues.encode(out, ColumnValues.read(rs, i + 1, columns.get(i).kind()), columns.get(i).kind());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory
        }
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static long copyTable(Connection s, StoreSchema from, Connection t, StoreSchema to, Table table,
            Consumer<String> progress) throws SQLException {
        Table target = to.table(table.name()).orElseThrow();
        List<Column> columns = table.columns();
        String names = names(from, columns);
        String targetNames = names(to, columns);
        String params = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        // OVERRIDING SYSTEM VALUE: a GENERATED ALWAYS identity column takes the source's values as they are.
        String insert = "INSERT INTO " + to.quote(table.name()) + " (" + targetNames + ")"
                + (to.isPostgres() ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + params + ")";
        long rows = 0;
        try (Statement read = s.createStatement(); PreparedStatement write = t.prepareStatement(insert)) {
            read.setFetchSize(BATCH_ROWS);
            try (ResultSet rs = read.executeQuery("SELECT " + names + " FROM " + from.quote(table.name()))) {
                while (rs.next()) {
                    for (int i = 0; i < columns.size(); i++) {
                        Column c = columns.get(i);
                        ColumnValues.bind(write, i + 1, ColumnValues.read(rs, i + 1, c.kind()), c.kind(),
                                target.column(c.name()).orElseThrow());
                    }
                    write.addBatch();
                    if (++rows % BATCH_ROWS == 0) {
                        write.executeBatch();
                    }
                    if (rows % PROGRESS_ROWS == 0) {
                        progress.accept(String.format("  %s: %,d rows", table.name(), rows));
                    }
                }
            }
            if (rows % BATCH_ROWS != 0) {
                write.executeBatch();
            }
        }
        return rows;
    }

    /**
     * Rows were inserted with their own values, so a sequence behind an identity or serial column (none in today's
     * schema) still stands at its start: move it past the highest value copied.
     */
    private static void advanceSequences(Connection t, StoreSchema to, List<Table> tables) throws SQLException {
        if (!to.isPostgres()) {
            return;
        }
        for (Table table : tables) {
            for (Column c : table.columns()) {
                if (c.kind() != StoreSchema.Kind.INTEGER) {
                    continue;
                }
                String sequence;
                try (PreparedStatement ps = t.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                    ps.setString(1, to.quote(table.name()));
                    ps.setString(2, c.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        sequence = rs.getString(1);
                    }
                }
                if (sequence != null) {
                    try (PreparedStatement ps = t.prepareStatement("SELECT setval(CAST(? AS regclass), (SELECT"
                            + " COALESCE(MAX(" + to.quote(c.name()) + "), 0) FROM " + to.quote(table.name()) + ") + 1,"
                            + " false)")) {
                        ps.setString(1, sequence);
                        ps.executeQuery().close();
                    }
                }
            }
        }
    }

    private static List<TableCheck> checks(Connection s, StoreSchema from, Connection t, StoreSchema to,
            List<Table> tables) throws SQLException {
        List<TableCheck> checks = new ArrayList<>();
        for (Table table : tables) {
            Digest a = digest(s, from, table);
            Digest b = digest(t, to, table);
            checks.add(new TableCheck(table.name(), a.rows(), b.rows(), a.sha256(), b.sha256()));
        }
        return checks;
    }

    record Digest(long rows, String sha256) {
    }

    /**
     * The row count and the SHA-256 over {@code table}'s rows (the source's columns, in the source's order) in primary
     * key order, each value canonically encoded ({@link ColumnValues#encode}). Text keys are ordered by code point on
     * both sides: H2 compares Java strings, and PostgreSQL is told {@code COLLATE "C"} (byte order of UTF-8, the same
     * order) because its database collation (en_US and the like) would order "B" and "a" differently.
     */
    static Digest digest(Connection c, StoreSchema schema, Table table) throws SQLException {
        String names = names(schema, table.columns());
        String order = table.orderColumns().stream()
                .map(col -> schema.quote(col.name())
                        + (schema.isPostgres() && col.kind() == StoreSchema.Kind.TEXT ? " COLLATE \"C\"" : ""))
                .collect(Collectors.joining(", "));
        MessageDigest md = sha256();
        long rows = 0;
        try (Statement st = c.createStatement();
                DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), md))) {
            st.setFetchSize(BATCH_ROWS);
            try (ResultSet rs = st.executeQuery("SELECT " + names + " FROM " + schema.quote(table.name())
                    + " ORDER BY " + order)) {
                while (rs.next()) {
                    rows++;
                    for (int i = 0; i < table.columns().size(); i++) {
                        StoreSchema.Kind kind = table.columns().get(i).kind();
                        ColumnValues.encode(out, ColumnValues.read(rs, i + 1, kind), kind);
                    }
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a digest stream does no I/O
        }
        return new Digest(rows, HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void rollbackQuietly(Connection t, Exception cause) {
        try {
            t.rollback();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e); // the server rolls back a transaction whose connection is gone anyway
            }
        }
    }

    private static String firstLine(SQLException e) {
        SQLException next = e.getNextException(); // a batch's BatchUpdateException hides the statement's own error
        String m = (next != null ? next : e).getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
