package org.scepca.ca.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.scepca.ca.pem.SecureFiles;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The connection pool and schema. HikariCP because it is the standard small, fast pool; Flyway because schema
 * changes must be versioned and applied the same way on H2 and PostgreSQL.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    /** Present for H2, whose COMMIT does not reach the disk; PostgreSQL's does (synchronous_commit=on). */
    private final GroupSync durability;

    /**
     * For an H2 file store, one connection outside the pool, held from the open to {@link #close}: H2 closes a
     * database when its last connection closes, and HikariCP retires every connection after its lifetime and idle
     * ones after the idle timeout, so the pool alone could hold none for a moment. H2 then closed the store and the
     * next request opened it again, without {@code openH2}'s recovery scan, on another AUTO_SERVER port, and a request
     * in between failed as "database unavailable" (H2StaysOpenTest).
     */
    private final Connection anchor;
    /** Bounded compaction steps for the H2 file this process has open (null otherwise): see {@link H2Compaction}. */
    private final H2Compaction compaction;

    private Database(HikariDataSource dataSource, boolean syncAfterCommit, Connection anchor, H2Compaction compaction) {
        this.dataSource = dataSource;
        this.durability = syncAfterCommit ? new GroupSync(this::checkpointSync) : null;
        this.anchor = anchor;
        this.compaction = compaction;
    }

    /**
     * Opens (creating if needed) the embedded H2 file database under {@code dir}, encrypted at rest with the key in
     * {@code db-key} beside {@code passwordFile}. AUTO_SERVER lets the CLI use the database while the server holds it
     * open; its TCP port is bound to loopback only, and the random password keeps other local users out.
     *
     * <p>Before H2 opens the file: the folder and files are made owner-only and H2's trace file (it logs refused
     * statements with their values) is removed; a store left by an unclean shutdown is recovered with a full scan
     * ({@link H2Recovery}: H2's quick recovery can drop the last chunks written); a store from an earlier release
     * that is not yet encrypted is backed up and encrypted in place ({@link H2Upgrade}).
     *
     * <p>Durability. An H2 2.x COMMIT only marks the transaction committed in memory; the changes reach the file when
     * the MVStore next writes a chunk, and H2 calls {@code FileChannel.force} only on close and on request. Every
     * write transaction is followed by {@code SCEPCA_SYNC()} ({@link H2Durability}: store, wait for the chunk writers,
     * fsync), grouped across concurrent transactions ({@link GroupSync}), before the caller may answer.
     */
    public static Database openH2(Path dir, Path passwordFile, int poolSize) {
        return openH2(dir, passwordFile, poolSize, false);
    }

    /**
     * {@link #openH2} for a command that only reads (scepca cert list, ca info): when the schema is already at the
     * newest migration this build carries, Flyway is not run at all (its scan and validation were half of such a
     * command's time) and no sync is forced; otherwise the store is brought up to date as {@link #openH2} would.
     */
    public static Database openH2ForReading(Path dir, Path passwordFile) {
        return openH2(dir, passwordFile, 2, true); // 2: when it does migrate, Flyway holds a second connection
    }

    /** {@link #openPostgres} for a command that only reads: see {@link #openH2ForReading}. */
    public static Database openPostgresForReading(org.scepca.ca.config.DatabaseConfig config) {
        if (!config.isPostgres()) {
            throw new IllegalArgumentException("not a PostgreSQL configuration");
        }
        return open(config.url().get(), config.user(), config.password().orElse(null), 2, Optional.empty(), true);
    }

    private static Database openH2(Path dir, Path passwordFile, int poolSize, boolean reading) {
        requireLoopbackListener(); // first: the steps below load H2
        String password = passwordFor(passwordFile);
        String key = H2Upgrade.prepare(dir, passwordFile.resolveSibling(H2Upgrade.KEY_FILE), "scepca", password);
        Path file = dir.toAbsolutePath().resolve(DB_FILE);
        boolean heldByAnother = Files.isRegularFile(file)
                && H2Recovery.recoverIfUnclean(file, Optional.of(key.toCharArray())).isEmpty();
        // Another live process (the server) has the file open: reach it through its AUTO_SERVER listener only. An
        // AUTO_SERVER URL would first try to open the file itself, and if that process had just died (SIGKILL), H2
        // would take the file over with its quick recovery, which loses the newest chunks, before any recovery of
        // ours could run: a CLI command started just before a crash undid acknowledged certificates that way.
        String url = heldByAnother ? remoteUrl(dir).orElse(h2Url(dir, false)) : h2Url(dir, false);
        Database db = open(url, "scepca", key + " " + password, poolSize, Optional.of(dir), reading);
        H2Upgrade.restrictFiles(dir, "scepca"); // files H2 has just created get the umask's permissions
        return db;
    }

    /**
     * The TCP URL of the AUTO_SERVER listener of the process that has the store open, from H2's lock file
     * ({@code server=host:port}, {@code id}: the key under which that listener serves the database). Empty when the
     * lock file has no listener (then the AUTO_SERVER URL finds its own way).
     */
    static Optional<String> remoteUrl(Path dir) {
        java.util.Properties lock = new java.util.Properties();
        try (var in = Files.newInputStream(dir.toAbsolutePath().resolve("scepca.lock.db"))) {
            lock.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String server = lock.getProperty("server");
        String id = lock.getProperty("id");
        if (server == null || id == null || server.lastIndexOf(':') < 0 || !id.matches("[0-9a-zA-Z]+")) {
            return Optional.empty();
        }
        String port = server.substring(server.lastIndexOf(':') + 1);
        if (!port.matches("[0-9]{1,5}")) {
            return Optional.empty();
        }
        // The listener is bound to loopback (requireLoopbackListener), whatever host name H2 wrote.
        return Optional.of("jdbc:h2:tcp://127.0.0.1:" + port + "/" + id
                + ";CIPHER=AES;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
    }

    static final String DB_FILE = "scepca.mv.db";

    /**
     * H2 reads {@code h2.bindAddress} once, when its first class loads; without it the AUTO_SERVER listener (which H2
     * starts with -tcpAllowOthers) faces every interface. The launcher's jvm.options and Main set it first thing; this
     * covers an embedding that did not, and refuses to run if H2 was loaded too early to see it.
     */
    private static void requireLoopbackListener() {
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        String bind = org.h2.engine.SysProperties.BIND_ADDRESS;
        if (bind == null || !(bind.equals("127.0.0.1") || bind.equals("::1") || bind.equals("localhost"))) {
            throw new StoreException("the embedded database would listen on " + (bind == null ? "every interface"
                    : bind) + ": start the JVM with -Dh2.bindAddress=127.0.0.1 (scep-server/jvm.options does)");
        }
    }

    /**
     * The JDBC URL of the embedded store. CIPHER=AES: the file is encrypted (the password is "key password");
     * TRACE_LEVEL_FILE=0: no {@code scepca.trace.db}, which would hold refused statements and their values;
     * AUTO_COMPACT_FILL_RATE=0: H2's background writer does not compact (it would hold the store lock, and so every
     * write, for as long as it moves tens of megabytes); {@link H2Compaction} does it in bounded steps instead.
     */
    static String h2Url(Path dir, boolean exclusive) {
        if (!exclusive) {
            requireLoopbackListener();
        }
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("scepca")
                + ";CIPHER=AES;TRACE_LEVEL_FILE=0;AUTO_COMPACT_FILL_RATE=0;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"
                + ";DEFAULT_NULL_ORDERING=HIGH"
                + (exclusive ? ";IFEXISTS=TRUE" : ";AUTO_SERVER=TRUE;CACHE_SIZE=65536");
    }

    /**
     * Rewrites the embedded H2 file with only its live pages ({@code SHUTDOWN COMPACT}). H2 writes changes to new
     * places in the file and reuses freed space only gradually, so a store that took a burst of writes (a fleet
     * re-enrolling, an import) can stay at twice its live size. Needs the database to itself: it refuses while the
     * server or another command has it open.
     *
     * @return the size of the database file before and after, in bytes
     */
    public static long[] compactH2(Path dir, Path passwordFile) {
        Path file = dir.toAbsolutePath().resolve(DB_FILE);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(passwordFile)) {
            throw new StoreException("no database in " + dir);
        }
        String password = passwordFor(passwordFile);
        try {
            String key = H2Upgrade.prepare(dir, passwordFile.resolveSibling(H2Upgrade.KEY_FILE), "scepca", password);
            H2Recovery.recoverIfUnclean(file, Optional.of(key.toCharArray()));
            long before = Files.size(file);
            try (Connection c = java.sql.DriverManager.getConnection(h2Url(dir, true), "scepca", key + " " + password);
                    Statement s = c.createStatement()) {
                H2Leftovers.finish(c); // compaction copies rows as they are: finish half-applied commits first
                s.execute("SHUTDOWN COMPACT");
            }
            return new long[] {before, Files.size(file)};
        } catch (SQLException e) {
            if (e.getErrorCode() == 90020) { // DATABASE_ALREADY_OPEN_1
                throw new StoreException("the database is in use: stop the server (and any other scepca command) first", e);
            }
            throw new StoreException("cannot compact the database: " + rootMessage(e), e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the embedded H2 store under {@code dir} for this process alone (no AUTO_SERVER listener, so no other
     * process can reach it while it is open), bringing its schema up to date as {@link #openH2} would. For commands that
     * must see the store at rest, such as copying it elsewhere ({@link StoreCopy}).
     *
     * @throws StoreException when there is no store in {@code dir}, or when the server or another command (in another
     *                        process or in this JVM) has it open: "stop the server first"
     */
    public static Database openH2Exclusive(Path dir, Path passwordFile) {
        Path file = dir.toAbsolutePath().resolve(DB_FILE);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(passwordFile)) {
            throw new StoreException("no database in " + dir);
        }
        String password = passwordFor(passwordFile);
        String key = H2Upgrade.prepare(dir, passwordFile.resolveSibling(H2Upgrade.KEY_FILE), "scepca", password);
        // The header check tries the OS lock that H2 holds on an open file. It also sees a store held by this JVM,
        // which an embedded URL would silently share (H2 hands every connection in one JVM the same open database).
        if (H2Recovery.recoverIfUnclean(file, Optional.of(key.toCharArray())).isEmpty()) {
            throw inUse(null);
        }
        try {
            Database db = open(h2Url(dir, true), "scepca", key + " " + password, 2, Optional.of(dir));
            H2Upgrade.restrictFiles(dir, "scepca");
            return db;
        } catch (StoreException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException s && s.getErrorCode() == 90020) { // opened by another process just now
                    throw inUse(e);
                }
            }
            throw e;
        }
    }

    private static StoreException inUse(Exception cause) {
        return new StoreException("the database is in use: stop the server (and any other scepca command) first", cause);
    }

    /**
     * A shared PostgreSQL database ({@code db.url}). Its COMMIT returns once the WAL is flushed (with the default
     * {@code synchronous_commit=on}; with synchronous standbys, once they have it too), so no extra sync is needed.
     * Flyway takes PostgreSQL's advisory lock while it migrates: replicas starting together migrate once.
     */
    public static Database openPostgres(org.scepca.ca.config.DatabaseConfig config) {
        if (!config.isPostgres()) {
            throw new IllegalArgumentException("not a PostgreSQL configuration");
        }
        return open(config.url().get(), config.user(), config.password().orElse(null), config.poolSize());
    }

    public static Database open(String jdbcUrl, String user, String password, int poolSize) {
        return open(jdbcUrl, user, password, poolSize, Optional.empty());
    }

    /** @param h2Dir the embedded store's folder: schema upgrades are preceded by a backup beside it */
    private static Database open(String jdbcUrl, String user, String password, int poolSize, Optional<Path> h2Dir) {
        return open(jdbcUrl, user, password, poolSize, h2Dir, false);
    }

    private static Database open(String jdbcUrl, String user, String password, int poolSize, Optional<Path> h2Dir,
            boolean reading) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(1);
        cfg.setPoolName("scepca-db");
        cfg.setAutoCommit(true);
        cfg.setConnectionTimeout(10_000);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            // After a failover the old primary's connections are dead: a pool must find out quickly and reconnect
            // (the multi-host URL's targetServerType=primary picks the new one). Statements that hang on a dead
            // socket end after socketTimeout rather than holding an enrollment thread forever.
            cfg.setKeepaliveTime(30_000);
            cfg.setMaxLifetime(600_000);
            cfg.setIdleTimeout(300_000);
            cfg.addDataSourceProperty("tcpKeepAlive", "true");
            cfg.addDataSourceProperty("connectTimeout", "5");
            cfg.addDataSourceProperty("socketTimeout", "60");
            cfg.addDataSourceProperty("ApplicationName", "scepca");
            cfg.setConnectionInitSql(DURABLE_COMMIT);
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database: " + rootMessage(e), e);
        }
        if (jdbcUrl.startsWith("jdbc:h2:file:")) {
            // First thing after H2 opened the file (the pool's first connection did): before Flyway or anyone reads.
            try (Connection c = ds.getConnection()) {
                H2Leftovers.finish(c);
            } catch (SQLException | RuntimeException e) {
                ds.close();
                throw new StoreException("cannot recover the database: " + rootMessage(e), e);
            }
        }
        // A reader of a store already at this build's newest migration skips Flyway (and the PostgreSQL check below,
        // said at the server's start); anything older, newer or unreadable takes the full path.
        boolean current = reading && SchemaVersion.isCurrent(ds);
        if (!current) {
            try {
                Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").loggers("slf4j").load();
                if (h2Dir.isPresent()) {
                    backupBeforeMigration(ds, flyway, h2Dir.get());
                }
                flyway.migrate();
            } catch (RuntimeException e) {
                ds.close();
                throw new StoreException("database migration failed: " + rootMessage(e), e);
            }
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:") && !current) {
            try {
                warnAboutCommitDurability(ds);
            } catch (RuntimeException e) {
                ds.close();
                throw e;
            }
        }
        boolean h2File = jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:");
        if (h2File) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute(H2Durability.CREATE_ALIAS);
                if (!current) {
                    // Schema changes are acknowledged too (the server starts on them): durable before anyone goes on.
                    s.execute(H2Durability.CALL);
                }
            } catch (SQLException e) {
                ds.close();
                throw new StoreException("cannot prepare the database: " + rootMessage(e), e);
            }
        }
        Connection anchor = null;
        H2Compaction compaction = null;
        if (jdbcUrl.startsWith("jdbc:h2:file:")) {
            try {
                anchor = ds.getDataSource() != null ? ds.getDataSource().getConnection()
                        : java.sql.DriverManager.getConnection(jdbcUrl, user, password);
                compaction = H2Compaction.start(anchor).orElse(null);
            } catch (SQLException e) {
                ds.close();
                throw new StoreException("cannot open the database: " + rootMessage(e), e);
            }
        }
        return new Database(ds, h2File, anchor, compaction);
    }

    /**
     * Run on every new PostgreSQL connection. An acknowledgement means the row survives a crash, and with
     * {@code synchronous_commit = off} a COMMIT returns before its WAL is flushed (the crash harness lost acknowledged
     * certificates to {@code pg_ctl -m immediate} that way); {@code local} and {@code remote_write} do not wait for a
     * synchronous standby to have it on disk, so a failover to it may lose them. Our sessions take {@code on} then
     * (the local flush, and the synchronous standbys' flush when there are any); {@code on} and {@code remote_apply}
     * are kept as configured.
     */
    static final String DURABLE_COMMIT = "DO $$BEGIN IF current_setting('synchronous_commit') IN ('off', 'local',"
            + " 'remote_write') THEN SET synchronous_commit = 'on'; END IF; END$$";

    /** Says once at start-up when the database's own setting would not have made a commit durable. */
    private static void warnAboutCommitDurability(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit'")) {
            if (rs.next() && java.util.Set.of("off", "local", "remote_write").contains(rs.getString(1))) {
                org.slf4j.LoggerFactory.getLogger(Database.class).warn("the database's synchronous_commit is '{}';"
                        + " scepca sets 'on' for its own sessions, so that what it acknowledges survives a crash or a"
                        + " failover to a synchronous standby", rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure("cannot read the database's synchronous_commit", e);
        }
    }

    /** An existing store whose schema is about to change is copied first ({@code BACKUP TO}: consistent while open). */
    private static void backupBeforeMigration(DataSource ds, Flyway flyway, Path dir) {
        var info = flyway.info();
        if (info.current() == null || info.pending().length == 0) {
            return;
        }
        try {
            Path zip = H2Upgrade.newBackupDir(dir, "before-schema-v" + info.pending()[0].getVersion()).resolve("scepca.zip");
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("BACKUP TO '" + zip.toString().replace("'", "''") + "'");
            }
            H2Upgrade.restrict(zip, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            org.slf4j.LoggerFactory.getLogger(Database.class).warn("upgrading the database schema from version {};"
                    + " a copy of the store as it was is in {}", info.current().getVersion(), zip);
        } catch (IOException | SQLException e) {
            throw new StoreException("cannot back up the database before upgrading it: " + rootMessage(e), e);
        }
    }

    private static String passwordFor(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).strip();
            }
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            String pw = HexFormat.of().formatHex(b);
            SecureFiles.createOwnerOnly(file, pw.getBytes(StandardCharsets.US_ASCII));
            return pw;
        } catch (IOException e) {
            throw new StoreException("cannot read or create the database password file " + file, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Runs {@code work} in one transaction; rolls back on any exception. */
    public <T> T inTransaction(SqlWork<T> work) {
        Objects.requireNonNull(work, "work is null");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(c, e);
                throw e;
            }
            try {
                c.setAutoCommit(true);
            } catch (SQLException e) {
                // Committed: the connection broke just after. The pool resets or drops it; the work is done.
            }
            return result;
        } catch (SQLException e) {
            throw failure("database error", e);
        }
    }

    /**
     * Rolls back after {@code failure}. On a connection that broke (the database went away) the rollback fails too,
     * with the pool's "Connection is closed", which carries no SQLSTATE: it must not replace the failure that says
     * what happened (SQLSTATE 08006), so it is only attached to it. The database has rolled the transaction back
     * itself when the connection died.
     */
    private static void rollbackAfter(Connection c, Exception failure) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * A {@link StoreUnavailableException} when the database could not be reached or went away (the edges answer
     * 503, never a success), else a {@link StoreException}.
     *
     * <p>The transaction is not retried here: the work may have effects outside the database that a second run would
     * repeat (a CRL's entries handed to a sink, an Intune call before it), and a commit cut off by a lost connection
     * may have happened. The client's own retry is the safe one: a SCEP client sending the same message again gets
     * the stored answer by its transactionID (RFC 8894 §3.2.1.1).
     */
    private static StoreException failure(String what, SQLException e) {
        return StoreUnavailableException.isUnavailable(e)
                ? new StoreUnavailableException("database unavailable: " + e.getSQLState(), e)
                : new StoreException(what + ": " + e.getSQLState(), e);
    }

    /**
     * Runs {@code work} in one transaction and returns once the commit is on stable storage: use it for every write
     * whose result is reported to anyone (a CertRep, a CLI line, an API response).
     */
    public <T> T inDurableTransaction(SqlWork<T> work) {
        T result = inTransaction(work);
        if (durability != null) {
            durability.afterCommit();
        }
        return result;
    }

    /**
     * Waits until every transaction committed so far is on stable storage. A reader calls this before it hands on a
     * row that a concurrent writer may have committed but not yet synced (a repeated request finding the certificate
     * issued a moment ago). Returns at once when nothing is pending.
     */
    public void awaitDurable() {
        if (durability != null) {
            durability.awaitCommitted();
        }
    }

    /**
     * True when this process has the H2 file open itself; false when it reached it through AUTO_SERVER, as a client
     * of another process (the server, or a CLI command that opened it first). A server must own its store: as a
     * client its connections would die with the command that owns the file.
     */
    public boolean ownsStore() {
        try (Connection c = dataSource.getConnection()) {
            return !c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)
                    || c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession() instanceof org.h2.engine.SessionLocal;
        } catch (SQLException e) {
            throw failure("database error", e);
        }
    }

    private void checkpointSync() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(H2Durability.CALL);
        } catch (SQLException e) {
            throw new StoreException("database sync failed: " + e.getSQLState(), e);
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Stops the compaction rounds, for tests that run {@link H2Compaction#step} themselves and measure each step. */
    void stopCompaction() {
        if (compaction != null) {
            compaction.close();
        }
    }

    /** The pool itself, for tests that make it do what it does over hours (retire connections). */
    HikariDataSource pool() {
        return dataSource;
    }

    @Override
    public void close() {
        if (compaction != null) {
            compaction.close();
        }
        dataSource.close();
        if (anchor != null) {
            try {
                anchor.close(); // the last connection: H2 closes the store now, as it did when the pool closed
            } catch (SQLException e) {
                throw new StoreException("closing the database failed: " + e.getSQLState(), e);
            }
        }
    }
}
