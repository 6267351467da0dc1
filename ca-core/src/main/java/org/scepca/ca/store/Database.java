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

    private Database(HikariDataSource dataSource, boolean syncAfterCommit) {
        this.dataSource = dataSource;
        this.durability = syncAfterCommit ? new GroupSync(this::checkpointSync) : null;
    }

    /**
     * Opens (creating if needed) the embedded H2 file database under {@code dir}. AUTO_SERVER lets the CLI use the
     * database while the server holds it open; the random password (owner-only file) keeps other local users out.
     *
     * <p>Durability. An H2 2.x COMMIT only marks the transaction committed in memory (MVStore's TransactionStore);
     * the changes reach the file when the MVStore next stores a chunk: after WRITE_DELAY (500 ms by default) in a
     * background thread, or, with WRITE_DELAY=0, at the end of every transaction. Either way it is a plain write into
     * the operating system's cache: H2 calls {@code FileChannel.force} only on close, compaction and {@code CHECKPOINT
     * SYNC} (H2's "Durability Problems" documentation says as much). So a power loss or kernel crash loses recent
     * commits whatever WRITE_DELAY says. Here every write transaction is followed by {@code CHECKPOINT SYNC} (store
     * the pending chunk, then fsync), grouped across concurrent transactions ({@link GroupSync}), before the caller
     * may answer: an issued certificate is on stable storage before its CertRep leaves. WRITE_DELAY keeps H2's
     * default, so commits in between are not each written as a chunk of their own and the background writer keeps
     * compacting the file.
     */
    public static Database openH2(Path dir, Path passwordFile, int poolSize) {
        String password = passwordFor(passwordFile);
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("scepca")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE;CACHE_SIZE=65536";
        return open(url, "scepca", password, poolSize);
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
        Path file = dir.toAbsolutePath().resolve("scepca.mv.db");
        if (!Files.isRegularFile(file) || !Files.isRegularFile(passwordFile)) {
            throw new StoreException("no database in " + dir);
        }
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("scepca") + ";IFEXISTS=TRUE;MODE=PostgreSQL"
                + ";DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        try {
            long before = Files.size(file);
            try (Connection c = java.sql.DriverManager.getConnection(url, "scepca", passwordFor(passwordFile));
                    Statement s = c.createStatement()) {
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

    public static Database open(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(1);
        cfg.setPoolName("scepca-db");
        cfg.setAutoCommit(true);
        cfg.setConnectionTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database: " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").loggers("slf4j").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("database migration failed: " + rootMessage(e), e);
        }
        return new Database(ds, jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:"));
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
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getSQLState(), e);
        }
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

    private void checkpointSync() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            throw new StoreException("database sync failed: " + e.getSQLState(), e);
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
