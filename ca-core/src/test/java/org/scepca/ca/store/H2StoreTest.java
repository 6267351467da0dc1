package org.scepca.ca.store;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.scepca.ca.revocation.RevocationReason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on a real H2 file database, as the server runs it. */
class H2StoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Database openDatabase() {
        return Database.openH2(dir.resolve("db"), dir.resolve("secrets/db-password"), 4);
    }

    @Test
    void dataSurvivesReopeningTheFile() {
        challenges.insert(new ChallengeRecord("id-1", "persisted", java.time.Instant.now(),
                java.time.Instant.now().plusSeconds(60), java.util.Optional.empty(), java.util.Optional.empty()));
        db.close();
        db = openDatabase();
        assertThat(new JdbcChallengeStore(db).findBySecretHash("persisted")).isPresent();
    }

    /** H2's AUTO_SERVER listener (how the CLI reaches the server's open store) must not face the network. */
    @Test
    void autoServerListensOnLoopbackOnly() throws Exception {
        java.util.Properties lock = new java.util.Properties();
        try (var in = Files.newInputStream(dir.resolve("db/scepca.lock.db"))) {
            lock.load(in);
        }
        String server = lock.getProperty("server");
        assertThat(server).as("AUTO_SERVER address in the lock file").isNotNull();
        int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
        String hexPort = String.format("%04X", port);
        List<String> listeners = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) { // 0A = LISTEN
                    listeners.add(f[1].substring(0, f[1].indexOf(':')));
                }
            }
        }
        // 127.0.0.1, or the same as an IPv4-mapped address in the IPv6 table (::ffff:127.0.0.1); never 0.0.0.0 or ::.
        assertThat(listeners).as("listening sockets on port %d", port).isNotEmpty()
                .allMatch(a -> a.equals("0100007F") || a.equals("0000000000000000FFFF00000100007F"));
    }

    /** The data folder is the owner's alone, and H2 keeps no trace file (it would log refused values). */
    @Test
    void storeFilesAreOwnerOnlyEncryptedAndUntraced() throws Exception {
        Path db = dir.resolve("db");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
                .isEqualTo("rwx------");
        try (var files = Files.list(db)) {
            for (Path f : files.toList()) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .as(f.toString()).isEqualTo("rw-------");
                assertThat(f.getFileName().toString()).doesNotContain("trace");
            }
        }
        assertThat(new String(Files.readAllBytes(db.resolve("scepca.mv.db")), 0, 9, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("H2encrypt");
    }

    @Test
    void upgradingAStoreCarriesItsRevocationsIntoTheCrlTable() throws Exception {
        db.close();
        Path old = dir.resolve("old");
        Files.createDirectories(old);
        String url = "jdbc:h2:file:" + old.resolve("scepca") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        // A store as version 2 of the schema left it, with one revoked and one valid certificate.
        Flyway.configure().dataSource(url, "scepca", "pw").locations("classpath:db/migration").target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "scepca", "pw"); Statement st = c.createStatement()) {
            for (String[] row : new String[][] {{"1a2b", "REVOKED", "'2026-01-02 03:04:05+00'", "'KEY_COMPROMISE'"},
                    {"3c4d", "VALID", "NULL", "NULL"}}) {
                st.executeUpdate("INSERT INTO certificates (serial, issuer_dn, subject_dn, sans, search_text, not_before,"
                        + " not_after, status, revoked_at, revocation_reason, requester, profile, issued_at, sha256, der)"
                        + " VALUES ('" + row[0] + "', 'CN=Issuer', 'CN=d', '', 'cn=d', TIMESTAMP WITH TIME ZONE"
                        + " '2026-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2027-01-01 00:00:00+00', '" + row[1] + "', "
                        + (row[2].equals("NULL") ? "NULL" : "TIMESTAMP WITH TIME ZONE " + row[2]) + ", " + row[3]
                        + ", 'test', 'CLIENT', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', 'x', X'01')");
            }
        }
        db = Database.open(url, "scepca", "pw", 2);
        List<CertificateStore.RevokedEntry> revoked = new ArrayList<>();
        new JdbcCertificateStore(db).forEachRevoked("CN=Issuer", revoked::add);
        assertThat(revoked).containsExactly(new CertificateStore.RevokedEntry(new BigInteger("1a2b", 16),
                Instant.parse("2026-01-02T03:04:05Z"), RevocationReason.KEY_COMPROMISE));
        Instant june = Instant.parse("2026-06-01T00:00:00Z");
        assertThat(new JdbcCertificateStore(db).counts(june, june.plus(java.time.Duration.ofDays(300))))
                .isEqualTo(new CertificateCounts(2, 1, 1, 0, 1));
    }

    /**
     * A one-time challenge minted before V5 (enrollment endpoints) is still good after the upgrade: V5 gave the new
     * source column the default 'admin' while the code writes and reads ADMIN, so such a challenge failed with "No enum
     * constant ...Source.admin" on its first use (seen by the load test on an upgraded store). V9 fixes the rows.
     */
    @Test
    void aChallengeMintedBeforeEndpointsIsUsableAfterTheUpgrade() throws Exception {
        db.close();
        Path old = dir.resolve("old-v4");
        Files.createDirectories(old);
        String url = "jdbc:h2:file:" + old.resolve("scepca") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        Flyway.configure().dataSource(url, "scepca", "pw").locations("classpath:db/migration").target("4").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "scepca", "pw"); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO challenges (id, secret_sha256, created_at, expires_at) VALUES ('c-1', 'h1',"
                    + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2099-01-01 00:00:00+00')");
        }
        db = Database.open(url, "scepca", "pw", 2);
        ChallengeRecord found = new JdbcChallengeStore(db).findBySecretHash("h1").orElseThrow();
        assertThat(found.origin()).isEqualTo(ChallengeOrigin.DEFAULT);
        // And a row written later without naming its source (a tool, a hand-made INSERT) gets the default the code knows.
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO challenges (id, secret_sha256, created_at, expires_at) VALUES ('c-2', 'h2',"
                    + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2099-01-01 00:00:00+00')");
        }
        assertThat(new JdbcChallengeStore(db).findBySecretHash("h2").orElseThrow().origin()).isEqualTo(ChallengeOrigin.DEFAULT);
    }
}
