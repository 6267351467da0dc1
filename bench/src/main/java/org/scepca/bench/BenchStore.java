package org.scepca.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;

/**
 * Where the load test's servers keep their store: the embedded H2 file in the data folder (the default, one server),
 * a throwaway PostgreSQL cluster the load test starts itself, or an existing PostgreSQL database. With PostgreSQL,
 * every replica's scepca.properties names the same database ({@code db.url}, {@code db.user}, {@code db.password-file}),
 * as a deployment's would.
 */
abstract sealed class BenchStore implements AutoCloseable {
    /** "h2" or "postgresql", as summary.tsv records it. */
    abstract String kind();

    /** Where it is, for the report. */
    abstract String description();

    /** Points the CA in {@code dir} at this store (lines appended to its scepca.properties). */
    abstract void configure(CaDirectory dir) throws IOException;

    /** The database server's root process on this machine (the postmaster), whose CPU the report gives. */
    OptionalLong serverPid() {
        return OptionalLong.empty();
    }

    /** Why the database's CPU is not reported, when {@link #serverPid()} is empty. */
    String whyNoCpu() {
        return "the embedded store runs inside the server process, in its CPU";
    }

    /** The server's version and the settings that make a commit durable, read from the database itself. */
    String settings(Database db) throws SQLException {
        return "";
    }

    @Override
    public void close() {
    }

    static BenchStore h2() {
        return new H2();
    }

    /**
     * Starts a PostgreSQL cluster under {@code dir} as the tests do ({@link PgCluster}: Debian's initdb and pg_ctl, on
     * loopback, as the postgres user when run as root, scram password, fsync and synchronous_commit on: the durable
     * configuration is what is measured) and creates an empty database in it.
     */
    static BenchStore startPostgres(Path dir) {
        if (PgCluster.binaries().isEmpty()) {
            throw new IllegalStateException("--postgres needs PostgreSQL's server binaries: apt-get install postgresql"
                    + " (or SCEPCA_PG_BIN=the folder holding initdb and pg_ctl)");
        }
        PgCluster cluster = PgCluster.start(dir);
        try {
            String url = cluster.newDatabase();
            Path passwordFile = dir.resolve("scepca-db-password");
            Files.writeString(passwordFile, PgCluster.PASSWORD + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            return new Postgres(url, PgCluster.USER, passwordFile, cluster, postmasterPid(dir.resolve("data")));
        } catch (IOException | RuntimeException e) {
            cluster.stopImmediately();
            throw new IllegalStateException("PostgreSQL started under " + dir + " but could not be prepared: " + e, e);
        }
    }

    /**
     * An existing database; {@code serverPid} (0: unknown) is its postmaster's PID when it runs on this machine.
     *
     * @param passwordFile null: the password is in the environment ({@code SCEPCA_DB_PASSWORD}), which the servers
     *     inherit
     */
    static BenchStore existing(String url, String user, Path passwordFile, long serverPid) {
        if (passwordFile != null && !Files.isReadable(passwordFile)) {
            throw new IllegalArgumentException("--db-password-file: cannot read " + passwordFile);
        }
        return new Postgres(url, user, passwordFile == null ? null : passwordFile.toAbsolutePath(), null,
                serverPid > 0 ? OptionalLong.of(serverPid) : OptionalLong.empty());
    }

    /** The first line of postmaster.pid is the postmaster's PID. */
    private static OptionalLong postmasterPid(Path data) throws IOException {
        String first = Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip();
        return OptionalLong.of(Long.parseLong(first));
    }

    private static final class H2 extends BenchStore {
        @Override
        String kind() {
            return "h2";
        }

        @Override
        String description() {
            return "embedded, in the data folder";
        }

        @Override
        void configure(CaDirectory dir) {
            // the default: no db.url
        }
    }

    private static final class Postgres extends BenchStore {
        private final String url;
        private final String user;
        private final Path passwordFile; // null: SCEPCA_DB_PASSWORD
        private final PgCluster cluster; // null: not ours to stop
        private final OptionalLong pid;

        Postgres(String url, String user, Path passwordFile, PgCluster cluster, OptionalLong pid) {
            this.url = url;
            this.user = user;
            this.passwordFile = passwordFile;
            this.cluster = cluster;
            this.pid = pid;
        }

        @Override
        String kind() {
            return "postgresql";
        }

        @Override
        String description() {
            return org.scepca.ca.config.DatabaseConfig.redact(url) + (cluster != null
                    ? ", a cluster started for this run under the work folder"
                    : ", an existing database");
        }

        @Override
        void configure(CaDirectory dir) throws IOException {
            // An absolute password file: every replica's copy of the data folder names the same one.
            Files.writeString(dir.configFile(), "\n# load test: the shared database\ndb.url=" + url + "\ndb.user=" + user
                    + "\n" + (passwordFile == null ? "" : "db.password-file=" + passwordFile + "\n"),
                    StandardOpenOption.APPEND);
        }

        @Override
        OptionalLong serverPid() {
            return pid;
        }

        @Override
        String whyNoCpu() {
            return "a database the load test did not start; --db-pid PID of its postmaster, if it runs on this machine";
        }

        @Override
        String settings(Database db) throws SQLException {
            try (Connection c = db.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), current_setting('fsync'),"
                            + " current_setting('synchronous_commit'), current_setting('synchronous_standby_names'),"
                            + " current_setting('max_connections')")) {
                rs.next();
                String standbys = rs.getString(4);
                return "PostgreSQL " + rs.getString(1) + ", fsync=" + rs.getString(2) + ", synchronous_commit="
                        + rs.getString(3) + (standbys.isEmpty() ? "" : ", synchronous_standby_names=" + standbys)
                        + ", max_connections=" + rs.getString(5);
            }
        }

        @Override
        public void close() {
            if (cluster != null) {
                cluster.stopImmediately(); // throwaway: its folder is deleted with the work folder
            }
        }
    }
}
