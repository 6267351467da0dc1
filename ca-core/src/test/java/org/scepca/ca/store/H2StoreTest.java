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
}
