package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;

/**
 * An account's order list (RFC 8555 section 7.1.2.1) when the account has made many orders: the newest 100, newest
 * first, of this account on this endpoint only; and the store reads them in index order instead of sorting every order
 * the account ever made (V16). Before V16 both H2 and PostgreSQL sorted all of them on each listing; the plan
 * assertions below failed then. On H2 (the embedded default) and PostgreSQL.
 */
class OrderListingTest {
    private static final int ORDERS = 20_000;

    @TempDir
    Path dir;

    @Test
    void onH2() throws Exception {
        try (CertificateAuthority ca = TestPki.create(dir.resolve("ca"))) {
            check(ca.database(), "EXPLAIN ", plan -> assertThat(plan).contains("/* index sorted */")
                    .contains("acme_orders_account_newest"));
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Database db = Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 2)) {
            check(db, "EXPLAIN ", plan -> assertThat(plan).contains("acme_orders_account_newest")
                    .doesNotContain("Sort"));
        }
    }

    private void check(Database db, String explain, java.util.function.Consumer<String> planCheck) throws Exception {
        // Many orders for account "a" on endpoint "web", some for account "a" on another endpoint and for account "b":
        // written in one transaction (a fleet's worth of orders made one by one would take minutes here).
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        List<Object[]> mine = new ArrayList<>();
        db.inTransaction(c -> {
            try (PreparedStatement acct = c.prepareStatement("INSERT INTO acme_accounts (id, endpoint, thumbprint, jwk,"
                    + " status, created_at) VALUES (?, 'web', ?, '{}', 'VALID', ?)");
                    PreparedStatement o = c.prepareStatement("INSERT INTO acme_orders (id, account_id, endpoint, status,"
                            + " identifiers, expires_at, created_at) VALUES (?, ?, ?, 'PENDING', '[]', ?, ?)")) {
                for (String a : List.of("a", "b")) {
                    acct.setString(1, a);
                    acct.setString(2, "thumb-" + a);
                    acct.setTimestamp(3, Timestamp.from(start));
                    acct.executeUpdate();
                }
                for (int i = 0; i < ORDERS; i++) {
                    // Several orders share a second (ids then decide), and the newest ones belong to others.
                    Instant created = start.plusSeconds(i / 3);
                    String account = i % 10 == 9 ? "b" : "a";
                    String endpoint = i % 10 == 8 ? "other" : "web";
                    String id = String.format("o%06d-%s", (i * 7919) % ORDERS, account);
                    o.setString(1, id);
                    o.setString(2, account);
                    o.setString(3, endpoint);
                    o.setTimestamp(4, Timestamp.from(created.plusSeconds(86_400)));
                    o.setTimestamp(5, Timestamp.from(created));
                    o.addBatch();
                    if (account.equals("a") && endpoint.equals("web")) {
                        mine.add(new Object[] {created, id});
                    }
                }
                o.executeBatch();
            }
            return null;
        });
        db.inTransaction(c -> {
            if (c.getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
                try (var s = c.createStatement()) {
                    s.execute("ANALYZE acme_orders"); // the planner's statistics, as autovacuum would have them
                }
            }
            return null;
        });
        List<String> expected = mine.stream()
                .sorted(Comparator.comparing((Object[] r) -> (Instant) r[0]).reversed()
                        .thenComparing(r -> (String) r[1]))
                .limit(AcmeService.MAX_ORDERS_LISTED).map(r -> (String) r[1]).toList();

        OrderStore store = new OrderStore(db, "web", Clock.systemUTC(), new SecureRandom());
        long t0 = System.nanoTime();
        List<String> listed = store.orderIds("a", AcmeService.MAX_ORDERS_LISTED);
        System.out.printf("orderIds of an account with %d orders: %.1f ms%n", mine.size(),
                (System.nanoTime() - t0) / 1e6);
        assertThat(listed).containsExactlyElementsOf(expected);
        assertThat(store.orderIds("b", 5)).hasSize(5).allMatch(id -> id.endsWith("-b"));

        String plan = db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(explain + OrderStore.LIST_ORDERS)) {
                s.setString(1, "a");
                s.setString(2, "web");
                s.setInt(3, AcmeService.MAX_ORDERS_LISTED);
                StringBuilder b = new StringBuilder();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                }
                return b.toString();
            }
        });
        planCheck.accept(plan);
    }
}
