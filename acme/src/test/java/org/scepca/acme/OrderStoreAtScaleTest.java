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
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.Database;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;

/**
 * The order store when accounts have made many orders that nobody finished (each with a pending authorization and
 * challenge: nothing purges them before they expire, and anyone may open an account and make orders). On H2 (the
 * embedded default) and PostgreSQL:
 * <ul>
 * <li>an account's order list (RFC 8555 section 7.1.2.1): the newest 100, newest first, of this account on this
 * endpoint only, read in index order instead of sorting every order the account ever made (V16; before it both
 * databases sorted them all, and the plan assertions failed);
 * <li>a challenge response (startValidation) looks up its own authorization by key: it read every pending
 * authorization of every account on H2 before (the plan assertion failed), which made each challenge response slower
 * with each unfinished order anyone had made.
 * </ul>
 */
class OrderStoreAtScaleTest {
    private static final int ORDERS = 20_000;

    @TempDir
    Path dir;

    @Test
    void onH2() throws Exception {
        try (CertificateAuthority ca = TestPki.create(dir.resolve("ca"))) {
            check(ca.database(), plan -> assertThat(plan).contains("/* index sorted */")
                    .contains("acme_orders_account_newest"), plan -> assertThat(plan)
                    .doesNotContain("acme_authorizations.tableScan").contains("PRIMARY_KEY"));
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Database db = Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 2)) {
            check(db, plan -> assertThat(plan).contains("acme_orders_account_newest").doesNotContain("Sort"),
                    plan -> assertThat(plan).doesNotContain("Seq Scan"));
        }
    }

    private void check(Database db, Consumer<String> listingPlan, Consumer<String> startValidationPlan)
            throws Exception {
        // Many orders for account "a" on endpoint "web", some for account "a" on another endpoint and for account "b":
        // written in one transaction (a fleet's worth of orders made one by one would take minutes here).
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        List<Object[]> mine = new ArrayList<>();
        db.inTransaction(c -> {
            try (PreparedStatement acct = c.prepareStatement("INSERT INTO acme_accounts (id, endpoint, thumbprint, jwk,"
                    + " status, created_at) VALUES (?, 'web', ?, '{}', 'VALID', ?)");
                    PreparedStatement o = c.prepareStatement("INSERT INTO acme_orders (id, account_id, endpoint, status,"
                            + " identifiers, expires_at, created_at) VALUES (?, ?, ?, 'PENDING', '[]', ?, ?)");
                    PreparedStatement authz = c.prepareStatement("INSERT INTO acme_authorizations (id, order_id, account_id,"
                            + " identifier_type, identifier_value, status, expires_at) VALUES (?, ?, ?, 'dns', 'x.test',"
                            + " ?, ?)");
                    PreparedStatement ch = c.prepareStatement("INSERT INTO acme_challenges (id, authz_id, type, token,"
                            + " status) VALUES (?, ?, 'dns-01', 't', 'PENDING')")) {
                for (String name : List.of("a", "b")) {
                    acct.setString(1, name);
                    acct.setString(2, "thumb-" + name);
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
                    // Every order's authorization pending but the last one's, which was deactivated.
                    authz.setString(1, "authz-" + id);
                    authz.setString(2, id);
                    authz.setString(3, account);
                    authz.setString(4, i == ORDERS - 1 ? "DEACTIVATED" : "PENDING");
                    authz.setTimestamp(5, Timestamp.from(created.plusSeconds(86_400)));
                    authz.addBatch();
                    ch.setString(1, "chall-" + id);
                    ch.setString(2, "authz-" + id);
                    ch.addBatch();
                    if (account.equals("a") && endpoint.equals("web")) {
                        mine.add(new Object[] {created, id});
                    }
                }
                o.executeBatch();
                authz.executeBatch();
                ch.executeBatch();
            }
            return null;
        });
        db.inTransaction(c -> {
            if (c.getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
                try (var s = c.createStatement()) {
                    // The planner's statistics, as autovacuum would have them.
                    s.execute("ANALYZE acme_orders");
                    s.execute("ANALYZE acme_authorizations");
                    s.execute("ANALYZE acme_challenges");
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

        listingPlan.accept(plan(db, OrderStore.LIST_ORDERS, "a", "web", AcmeService.MAX_ORDERS_LISTED));

        // A challenge response: pending becomes processing once; not for a deactivated authorization.
        String pending = "chall-" + expected.get(0);
        Instant lease = Instant.now().plusSeconds(60);
        assertThat(store.startValidation(pending, "{}", lease)).isTrue();
        long[] took = new long[9];
        for (int i = 0; i < took.length; i++) {
            t0 = System.nanoTime();
            assertThat(store.startValidation("chall-" + expected.get(2 + i), "{}", lease)).isTrue();
            took[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(took);
        System.out.printf("startValidation with %d pending authorizations: %.1f ms (median of %d, each durable)%n",
                ORDERS - 1, took[took.length / 2] / 1e6, took.length);
        assertThat(store.startValidation(pending, "{}", lease)).as("already processing").isFalse();
        String last = String.format("o%06d-%s", ((ORDERS - 1) * 7919) % ORDERS, "b");
        assertThat(store.startValidation("chall-" + last, "{}", lease)).as("its authorization is deactivated")
                .isFalse();
        startValidationPlan.accept(plan(db, OrderStore.START_VALIDATION, "PROCESSING", "{}",
                Timestamp.from(lease), "chall-" + expected.get(1), "PENDING", "PENDING"));
    }

    private static String plan(Database db, String sql, Object... args) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                StringBuilder b = new StringBuilder();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                }
                return b.toString();
            }
        });
    }
}
