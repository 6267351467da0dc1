package org.scepca.it.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.testing.PgCluster;

/**
 * The PostgreSQL database a lineage's server and CLI use (the db.* keys of its scepca.properties, as an operator
 * writes them), and what a round does to it: crash the server PostgreSQL runs as ({@code pg_ctl -m immediate}: no
 * checkpoint, crash recovery at the next start), or fail over to a streaming standby.
 */
final class PgStore {
    private final PgCluster primary;
    private final Optional<PgCluster> standby;
    /** The JDBC URL the server gets: one host, or primary and standby with targetServerType=primary. */
    final String url;
    /** The database's name, for a look at it from outside the server (on whichever cluster is primary). */
    final String database;
    private volatile boolean failedOver;

    private PgStore(PgCluster primary, Optional<PgCluster> standby, String url, String database) {
        this.primary = Objects.requireNonNull(primary, "primary is null");
        this.standby = Objects.requireNonNull(standby, "standby is null");
        this.url = Objects.requireNonNull(url, "url is null");
        this.database = Objects.requireNonNull(database, "database is null");
    }

    /** A new, empty database on {@code cluster}. */
    static PgStore newDatabase(PgCluster cluster) {
        String url = cluster.newDatabase();
        return new PgStore(cluster, Optional.empty(), url, url.substring(url.lastIndexOf('/') + 1));
    }

    /**
     * {@code database} on a primary and its streaming standby, reached through a multi-host URL: the driver tries
     * the hosts in order and takes the one that accepts writes, so after a promotion the standby is found without a
     * change of configuration (what Patroni's or a managed service's single endpoint does in production).
     */
    static PgStore withStandby(PgCluster primary, PgCluster standby, String database) {
        String url = "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port() + "/" + database
                + "?targetServerType=primary";
        return new PgStore(primary, Optional.of(standby), url, database);
    }

    /** Points the data folder's server and CLI at this database. */
    void configure(Path data) throws IOException {
        Files.writeString(data.resolve("scepca.properties"), PgCluster.serverProperties(url, data), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The database server dies the way a crash or a lost host ends it. */
    void crash() {
        primary.stopImmediately();
    }

    /** Starts it again on the same files: crash recovery replays the WAL. */
    void recover() {
        primary.restart();
    }

    /** The standby stops receiving WAL from the primary (see {@link PgCluster#detachFromPrimary()}). */
    void detachStandby() {
        standby.orElseThrow(() -> new IllegalStateException("no standby")).detachFromPrimary();
    }

    /** The primary dies and the standby is promoted (what Patroni or a managed service does on a lost primary). */
    void failover() {
        primary.stopImmediately();
        standby.orElseThrow(() -> new IllegalStateException("no standby to fail over to")).promote();
        failedOver = true;
    }

    /** The cluster that accepts writes now: the promoted standby after {@link #failover()}. */
    PgCluster writable() {
        return failedOver ? standby.orElseThrow() : primary;
    }
}
