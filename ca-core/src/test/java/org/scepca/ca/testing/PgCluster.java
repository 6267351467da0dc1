package org.scepca.ca.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server from Debian's {@code postgresql} package, started for a test under a folder of its own on
 * loopback (nothing depends on a system service): {@code initdb}, {@code pg_ctl start}, a superuser {@code scepca}
 * with a password (scram-sha-256 over TCP), and streaming-replication standbys made with {@code pg_basebackup}.
 *
 * <p>Without PostgreSQL's binaries the test is skipped, unless {@code SCEPCA_REQUIRE_POSTGRES=1} (set by
 * {@code .ci/run}), which makes it fail instead: CI must never pass by skipping them. As root, the server runs as the
 * {@code postgres} user (PostgreSQL refuses root), and the folders are made traversable for it.
 *
 * <p>{@link #shared()} is one cluster per test JVM (stopped by a shutdown hook); each test asks it for a database of
 * its own with {@link #newDatabase()}.
 */
public final class PgCluster implements AutoCloseable {
    public static final String USER = "scepca";
    public static final String PASSWORD = "scepca-test-password";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PgCluster shared;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgres;

    private PgCluster(Path bin, Path dir, Path data, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.data = data;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The directory holding initdb, pg_ctl, pg_basebackup: {@code SCEPCA_PG_BIN}, or Debian's newest version. */
    public static Optional<Path> binaries() {
        String env = System.getenv("SCEPCA_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> parseIntOr(v.getFileName().toString(), 0)))
                    .map(v -> v.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Skips the calling test when PostgreSQL is not installed (fails instead when CI requires it). */
    public static Path requireBinaries() {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            if ("1".equals(System.getenv("SCEPCA_REQUIRE_POSTGRES"))) {
                throw new IllegalStateException("SCEPCA_REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql"
                        + " (apt-get install postgresql) and no SCEPCA_PG_BIN");
            }
            Assumptions.abort("PostgreSQL is not installed (apt-get install postgresql)");
        }
        return bin.get();
    }

    /** One cluster for the whole test JVM, started on first use. */
    public static synchronized PgCluster shared() {
        if (shared == null) {
            try {
                Path base = Files.createTempDirectory("scepca-pg-");
                shared = start(base);
                PgCluster s = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    s.stopImmediately();
                    deleteTree(base);
                }));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    /** Initializes and starts a new primary under {@code dir} (created if needed). */
    public static PgCluster start(Path dir) {
        Path bin = requireBinaries();
        boolean root = isRoot();
        try {
            Files.createDirectories(dir);
            openForPostgres(dir);
            Path data = dir.resolve("data");
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-r--r--"));
            if (root) {
                Files.createDirectories(data);
                run(List.of("chown", "postgres:postgres", data.toString()), Duration.ofSeconds(10));
            }
            PgCluster c = new PgCluster(bin, dir, data, freePort(), root);
            c.pg(Duration.ofMinutes(2), "initdb", "-D", data.toString(), "-U", USER, "--pwfile=" + pwfile,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions");
            // A primary that standbys can follow; wal_keep_size so a standby made a moment later finds its WAL.
            Files.writeString(data.resolve("postgresql.auto.conf"), """
                    wal_level = replica
                    max_wal_senders = 10
                    wal_keep_size = '256MB'
                    hot_standby = on
                    fsync = on
                    synchronous_commit = on
                    max_connections = 200
                    """, java.nio.file.StandardOpenOption.APPEND);
            c.startServer();
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL under " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A streaming-replication standby of this cluster under {@code standbyDir}: {@code pg_basebackup -R} (which
     * writes {@code standby.signal} and {@code primary_conninfo}), started on a port of its own.
     */
    public PgCluster startStandby(Path standbyDir) {
        return startStandby(standbyDir, Optional.empty());
    }

    /**
     * A standby that connects to this primary as {@code applicationName}, the name {@link #requireSynchronousStandby}
     * waits for. The walreceiver takes its application_name from {@code cluster_name} when primary_conninfo (written
     * by pg_basebackup -R) names none.
     */
    public PgCluster startStandby(Path standbyDir, String applicationName) {
        if (!applicationName.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("applicationName must be a plain identifier: " + applicationName);
        }
        return startStandby(standbyDir, Optional.of(applicationName));
    }

    private PgCluster startStandby(Path standbyDir, Optional<String> applicationName) {
        try {
            Files.createDirectories(standbyDir);
            openForPostgres(standbyDir);
            Path sdata = standbyDir.resolve("data");
            if (asPostgres) {
                Files.createDirectories(sdata);
                run(List.of("chown", "postgres:postgres", sdata.toString()), Duration.ofSeconds(10));
                Files.setPosixFilePermissions(sdata, PosixFilePermissions.fromString("rwx------"));
            }
            Path pgpass = standbyDir.resolve("pgpass");
            Files.writeString(pgpass, "127.0.0.1:" + port + ":*:" + USER + ":" + PASSWORD + "\n");
            if (asPostgres) {
                run(List.of("chown", "postgres:postgres", pgpass.toString()), Duration.ofSeconds(10));
            }
            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
            PgCluster s = new PgCluster(bin, standbyDir, sdata, freePort(), asPostgres);
            s.pgEnv(Duration.ofMinutes(2), List.of("PGPASSFILE=" + pgpass), "pg_basebackup", "-h", "127.0.0.1", "-p",
                    Integer.toString(port), "-U", USER, "-D", sdata.toString(), "-R", "-X", "stream", "-c", "fast");
            if (applicationName.isPresent()) {
                s.appendConfig("cluster_name = '" + applicationName.get() + "'\n");
            }
            s.startServer();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a standby under " + standbyDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes every commit on this primary wait until {@code standbyName} has flushed it
     * ({@code synchronous_commit = on} with {@code synchronous_standby_names}), and returns once that standby is
     * streaming as the synchronous one. Set with ALTER SYSTEM after the standby's base backup, so the standby does not
     * inherit it: promoted, it must not wait for a standby of its own (it has none).
     */
    public void requireSynchronousStandby(String standbyName) {
        execute("postgres", "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (" + standbyName + ")'");
        execute("postgres", "SELECT pg_reload_conf()");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"sync".equals(queryString("postgres", "SELECT coalesce(max(sync_state), '') FROM pg_stat_replication"
                + " WHERE application_name = '" + standbyName + "'"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(standbyName + " did not become a synchronous standby: " + log());
            }
            sleep(100);
        }
    }

    /**
     * A standby stops receiving WAL and does not reconnect ({@code primary_conninfo} emptied and reloaded): what a
     * lagging or cut-off standby looks like to its primary at the moment the primary dies. A primary with this
     * standby as its synchronous one can no longer acknowledge a commit; an asynchronous one goes on acknowledging
     * what this standby will never have.
     */
    public void detachFromPrimary() {
        execute("postgres", "ALTER SYSTEM SET primary_conninfo = ''");
        execute("postgres", "SELECT pg_reload_conf()");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"0".equals(queryString("postgres", "SELECT count(*) FROM pg_stat_wal_receiver"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the standby's WAL receiver did not stop: " + log());
            }
            sleep(50);
        }
    }

    /** The first column of the first row of {@code sql} as text ({@code null} for SQL NULL or no row). */
    public String queryString(String database, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
                Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code scepca.properties} lines that put a server (and the CLI) on {@code jdbcUrl} as {@link #USER}: the
     * password goes into {@code db-password} in {@code configDir}, named by {@code db.password-file}, as an operator
     * keeps it.
     */
    public static String serverProperties(String jdbcUrl, Path configDir) {
        try {
            Path file = configDir.resolve("db-password");
            Files.writeString(file, PASSWORD + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return "db.url=" + jdbcUrl + "\ndb.user=" + USER + "\ndb.password-file=db-password\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the database password beside " + configDir, e);
        }
    }

    /** The same as a typed configuration, for a server started in the test's JVM. */
    public static org.scepca.ca.config.DatabaseConfig databaseConfig(String jdbcUrl) {
        return new org.scepca.ca.config.DatabaseConfig(Optional.of(jdbcUrl), USER, Optional.of(PASSWORD), 8);
    }

    /** Root may write into postgres's data folder, and appending keeps the file's owner. */
    private void appendConfig(String lines) throws IOException {
        Files.writeString(data.resolve("postgresql.auto.conf"), lines, java.nio.file.StandardOpenOption.APPEND);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void startServer() {
        pg(Duration.ofMinutes(1), "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t",
                "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
    }

    /** Promotes a standby to primary ({@code pg_ctl promote}, waiting until it accepts writes). */
    public void promote() {
        pg(Duration.ofMinutes(1), "pg_ctl", "-D", data.toString(), "-w", "-t", "60", "promote");
    }

    /** Stops the server the way a crash or a lost host would (SIGQUIT to the postmaster, no checkpoint). */
    public void stopImmediately() {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                pg(Duration.ofMinutes(1), "pg_ctl", "-D", data.toString(), "-w", "-m", "immediate", "stop");
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }

    /** Starts the server again after {@link #stopImmediately()}. */
    public void restart() {
        startServer();
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** A JDBC URL for {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates an empty database (owned by {@link #USER}) and returns its JDBC URL. */
    public String newDatabase() {
        String name = "scepca_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        execute("postgres", "CREATE DATABASE " + name);
        return jdbcUrl(name);
    }

    /** Runs one statement as the superuser. */
    public void execute(String database, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The server's log (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stopImmediately();
    }

    private void pg(Duration timeout, String program, String... args) {
        pgEnv(timeout, List.of(), program, args);
    }

    private void pgEnv(Duration timeout, List<String> env, String program, String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        if (!env.isEmpty()) {
            cmd.add("env");
            cmd.addAll(env);
        }
        cmd.add(bin.resolve(program).toString());
        cmd.addAll(List.of(args));
        run(cmd, timeout);
    }

    private static String run(List<String> cmd, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C.UTF-8");
            Process p = pb.start();
            // Read in the background: pg_ctl start leaves the server holding no pipe of ours (-l), but a chatty
            // initdb would fill the pipe.
            var out = new java.io.ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    p.getInputStream().transferTo(out);
                } catch (IOException ignored) {
                    // process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeout);
            }
            reader.join(5000);
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u"), Duration.ofSeconds(10)).strip());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The postgres user must reach its folders: make {@code dir} and its parents traversable (not readable). */
    private static void openForPostgres(Path dir) throws IOException {
        if (!isRoot()) {
            return;
        }
        for (Path p = dir.toAbsolutePath(); p != null && p.getParent() != null; p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        }
        // The socket folder is the cluster's own folder: postgres writes its lock and socket there.
        run(List.of("chown", "postgres:postgres", dir.toString()), Duration.ofSeconds(10));
    }

    /** Below the ephemeral range, where nothing else takes it before PostgreSQL binds it (see {@link FreePorts}). */
    private static int freePort() throws IOException {
        return FreePorts.next();
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
