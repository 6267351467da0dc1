package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;

/**
 * The purge of ACME orders that expired without a certificate: they go with their authorizations and challenges, in
 * batches, on every endpoint; an order that issued a certificate stays, as does one that expired after the cut-off.
 * On H2 and PostgreSQL.
 */
class AcmePurgeTest {
    /** Small batches, so that a purge takes several. */
    private static final int BATCH = 10;

    @TempDir
    Path dir;

    @Test
    void onH2() throws Exception {
        try (CertificateAuthority ca = TestPki.create(dir.resolve("ca"))) {
            check(ca.database());
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Database db = Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 2)) {
            check(db);
        }
    }

    private static void check(Database db) throws Exception {
        Instant now = Instant.now();
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO acme_accounts (id, endpoint, thumbprint, jwk,"
                    + " status, created_at) VALUES ('acct', 'web', 'thumb', '{}', 'VALID', ?)")) {
                s.setTimestamp(1, java.sql.Timestamp.from(now));
                s.executeUpdate();
            }
            return null;
        });
        // Made 40 days ago with the service's 7-day lifetime: expired 33 days ago. Two endpoints.
        OrderStore old = store(db, "web", now.minus(Duration.ofDays(40)));
        OrderStore oldOther = store(db, "other", now.minus(Duration.ofDays(40)));
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < BATCH * 2 + 7; i++) {
            stale.add((i % 2 == 0 ? old : oldOther).create("acct", List.of(new Identifier(Identifier.DNS, "d" + i
                    + ".test"), new Identifier(Identifier.DNS, "e" + i + ".test")), List.of(List.of("dns-01",
                    "http-01"), List.of("dns-01")), AcmeService.ORDER_LIFETIME).id());
        }
        String issued = old.create("acct", List.of(new Identifier(Identifier.DNS, "issued.test")),
                List.of(List.of("dns-01")), AcmeService.ORDER_LIFETIME).id();
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE acme_orders SET status = 'VALID',"
                    + " cert_serial = '0a1b' WHERE id = ?")) {
                s.setString(1, issued);
                s.executeUpdate();
            }
            return null;
        });
        // Expired a day ago: kept until 30 days past its expiry.
        String recent = store(db, "web", now.minus(Duration.ofDays(8))).create("acct",
                List.of(new Identifier(Identifier.DNS, "recent.test")), List.of(List.of("dns-01")),
                AcmeService.ORDER_LIFETIME).id();

        assertThat(count(db, "acme_orders")).isEqualTo(stale.size() + 2);
        assertThat(count(db, "acme_authorizations")).isEqualTo(stale.size() * 2 + 2);
        assertThat(count(db, "acme_challenges")).isEqualTo(stale.size() * 3 + 2);

        int purged = new AcmePurge(db, BATCH).purge(now.minus(Duration.ofDays(30)));

        assertThat(purged).isEqualTo(stale.size());
        assertThat(ids(db)).containsExactlyInAnyOrder(issued, recent);
        assertThat(count(db, "acme_authorizations")).isEqualTo(2);
        assertThat(count(db, "acme_challenges")).isEqualTo(2);
        assertThat(new AcmePurge(db).purge(now.minus(Duration.ofDays(30)))).as("nothing left to purge").isZero();
        assertThat(store(db, "web", now).order(issued)).isPresent();

        String plan = db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("EXPLAIN " + AcmePurge.DELETE_CHALLENGES)) {
                s.setString(1, issued);
                StringBuilder b = new StringBuilder();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                }
                return b.toString();
            }
        });
        // H2's choice (PostgreSQL's depends on its statistics; OrderStoreAtScaleTest has plans at scale).
        assertThat(plan).as("challenges found through the authorizations' index, not a scan")
                .doesNotContain("acme_challenges.tableScan");
    }

    private static OrderStore store(Database db, String endpoint, Instant at) {
        return new OrderStore(db, endpoint, Clock.fixed(at, ZoneOffset.UTC), new SecureRandom());
    }

    private static long count(Database db, String table) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + table);
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static List<String> ids(Database db) {
        return db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM acme_orders");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }
}
