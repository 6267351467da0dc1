package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.events.CaEvent;
import org.scepca.ca.events.EventOutbox;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects.AdminGrant;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.tokens.AdminRole;

/**
 * The H2 → PostgreSQL copy on real stores: an H2 file written through the store classes, a fresh database on a real
 * PostgreSQL server. What is checked on the copy is read back through the same store classes the server uses.
 */
class StoreCopyTest {
    @TempDir
    Path tmp;

    private final SerialNumbers serials = new SerialNumbers(new SecureRandom());
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final List<Database> opened = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();
    private Path h2Dir;
    private Path h2Password;
    private String targetUrl;

    /** What the fixture wrote, to look for on the copy. */
    private BigInteger valid;
    private BigInteger revoked;
    private BigInteger admin;
    private BigInteger reported;
    private String unusedChallenge;
    private String usedChallenge;

    @BeforeEach
    void fixture() {
        h2Dir = tmp.resolve("data/db");
        h2Password = tmp.resolve("data/secrets/db-password");
        targetUrl = PgCluster.shared().newDatabase();
        try (Database h2 = Database.openH2(h2Dir, h2Password, 2)) {
            fill(h2);
        }
    }

    @AfterEach
    void close() {
        opened.forEach(Database::close);
    }

    private Database source() {
        return keep(Database.openH2Exclusive(h2Dir, h2Password));
    }

    private Database target() {
        return keep(Database.open(targetUrl, PgCluster.USER, PgCluster.PASSWORD, 2));
    }

    private Database keep(Database db) {
        opened.add(db);
        return db;
    }

    private CertificateRecord cert(String cn, IssuedFor issuedFor) {
        return new CertificateRecord(serials.next(), "CN=Issuing CA,O=Acme", "CN=" + cn, List.of("dns:" + cn + ".acme.test",
                "uri:IntuneDeviceId://" + cn), now.minusSeconds(60), now.plus(Duration.ofDays(365)), CertificateStatus.VALID,
                Optional.empty(), Optional.empty(), Optional.of("tx-" + cn), "scep:" + cn, CertificateProfile.CLIENT,
                now, "ab".repeat(32), new byte[] {0x30, (byte) 0x82, 0, (byte) 0xff, (byte) 0x80}, issuedFor);
    }

    private RequestRecord request(String txid, RequestStatus status, Optional<BigInteger> serial) {
        return new RequestRecord(txid, "cd".repeat(32), new byte[] {1, 2, 3, (byte) 0xfe}, "CN=" + txid, status, serial,
                "scep", Optional.empty(), now.minusSeconds(5), now, Optional.empty(), Optional.of("default"),
                Optional.empty());
    }

    /** Every table gets rows, nulls and non-nulls, through the classes that write them in production. */
    private void fill(Database h2) {
        var events = new EventOutbox(EnumSet.allOf(CaEvent.Type.class));
        var certs = new JdbcCertificateStore(h2, Optional.of(events));
        var challenges = new JdbcChallengeStore(h2);
        var requests = new JdbcRequestStore(h2);
        var tokens = new JdbcTokenStore(h2);
        var crls = new CrlStore(h2);

        var v = cert("valid", new IssuedFor(Optional.of("default"), Optional.of("c-1"), Optional.of("Ann's iPad"),
                Optional.of("F2LX1234ABCD"), Optional.of("00008030-001A2B3C4D5E6F70"), Optional.of("3f2a6c1e-0000-4000-8000-1234567890ab")));
        certs.insertIssued(v, IssuanceEffects.none());
        valid = v.serial();
        var r = cert("revoked", IssuedFor.NONE);
        certs.insertIssued(r, IssuanceEffects.none());
        certs.revoke(r.serial(), RevocationReason.KEY_COMPROMISE, now.plusSeconds(1), "cli:test");
        revoked = r.serial();
        var a = new CertificateRecord(serials.next(), "CN=Issuing CA,O=Acme", "CN=ops", List.of(), now.minusSeconds(60),
                now.plus(Duration.ofDays(30)), CertificateStatus.VALID, Optional.empty(), Optional.empty(), Optional.empty(),
                "cli", CertificateProfile.ADMIN_CLIENT, now, "ef".repeat(32), new byte[] {9});
        certs.insertIssued(a, IssuanceEffects.none().granting(new AdminGrant("ops", AdminRole.ADMIN)));
        admin = a.serial();
        var m = cert("intune", IssuedFor.endpoint("intune"));
        certs.insertIssued(m, new IssuanceEffects(Optional.empty(), Optional.of(request("tx-intune", RequestStatus.ISSUED,
                Optional.of(m.serial())))).reportingToMdm());
        reported = m.serial();

        unusedChallenge = "11".repeat(32);
        usedChallenge = "22".repeat(32);
        challenges.insert(new ChallengeRecord("a0000000-0000-4000-8000-000000000001", unusedChallenge, now,
                now.plus(Duration.ofHours(1)), Optional.empty(), Optional.of("for Bob"),
                NameBinding.of(Optional.of("CN=bob"), List.of("dns:bob.acme.test")),
                new ChallengeOrigin("jamf", ChallengeOrigin.Source.JAMF, Optional.of("C02ABC"), Optional.empty())));
        challenges.insert(new ChallengeRecord("a0000000-0000-4000-8000-000000000002", usedChallenge, now,
                now.plus(Duration.ofHours(1)), Optional.empty(), Optional.empty()));
        assertThat(challenges.consume(usedChallenge, now)).isTrue();

        requests.insertPending(request("tx-pending", RequestStatus.PENDING, Optional.empty()), Optional.empty());

        tokens.insert(new TokenRecord("b0000000-0000-4000-8000-000000000001", "ci", AdminRole.ENROLLER, "33".repeat(32),
                now, Optional.empty(), Optional.empty()));
        tokens.insert(new TokenRecord("b0000000-0000-4000-8000-000000000002", "old", AdminRole.VIEWER, "44".repeat(32),
                now, Optional.empty(), Optional.empty()));
        tokens.touch("b0000000-0000-4000-8000-000000000001", now.plusSeconds(3));
        tokens.revoke("b0000000-0000-4000-8000-000000000002", now.plusSeconds(4));

        for (String key : List.of("key-a", "key-a", "key-a", "key-b")) {
            crls.publish(key, before -> true, n -> new CrlStore.Stored(n, now, now.plus(Duration.ofDays(1)),
                    ("crl " + key + " " + n).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        var clock = java.time.Clock.fixed(now, java.time.ZoneOffset.UTC);
        assertThat(new JobLeases(h2, clock).tryAcquire("intune-revocation-sync", "replica-1", Duration.ofMinutes(1))).isTrue();
        new Replicas(h2, clock).register("replica-1", "ca.example.com", "test");
        new SharedCredentials(h2).replace("ocsp-responder", "ocsp-responder", e -> true,
                () -> new SharedCredentials.Entry("abc123", now.plus(Duration.ofDays(7)), new byte[] {0x30, 0x01}));
    }

    /** Rows per table of a store (PostgreSQL, or H2 through an open Database). */
    private static Map<String, Long> counts(Database db) {
        return db.inTransaction(c -> {
            StoreSchema schema = StoreSchema.read(c);
            Map<String, Long> counts = new TreeMap<>();
            try (Statement s = c.createStatement()) {
                for (String t : schema.tableNames()) {
                    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
                        rs.next();
                        counts.put(t, rs.getLong(1));
                    }
                }
            }
            return counts;
        });
    }

    /** Holds what a database just made by the migrations holds (no table is without rows since V8's db_locks). */
    private void assertAsEmptyAsANewDatabase(Database pg) {
        Map<String, Long> fresh = counts(keep(Database.open(PgCluster.shared().newDatabase(), PgCluster.USER,
                PgCluster.PASSWORD, 2)));
        assertThat(counts(pg)).isEqualTo(fresh);
        assertThat(fresh.get("certificates")).isZero();
    }

    @Test
    void copiesEveryTableAndTheCopyReadsBackAsTheOriginal() {
        Database h2 = source();
        Database pg = target();
        StoreCopy.Report report = StoreCopy.copy(h2, pg, progress::add);

        assertThat(report.committed()).isTrue();
        assertThat(report.verified()).isTrue();
        assertThat(report.schemaVersion()).isEqualTo(version(h2));
        // every table of the store (whatever later migrations add), parents before their children
        List<String> order = report.tables().stream().map(StoreCopy.TableCheck::table).toList();
        assertThat(order).containsExactlyInAnyOrderElementsOf(counts(h2).keySet());
        assertThat(order).contains("admin_certificates", "admin_tokens", "certificates", "challenges", "crl_numbers",
                "crls", "db_locks", "event_outbox", "job_leases", "mdm_reports", "replicas", "requests", "revocations",
                "shared_credentials");
        for (String child : List.of("revocations", "admin_certificates", "mdm_reports")) {
            assertThat(order.indexOf("certificates")).as(child).isLessThan(order.indexOf(child));
        }
        assertThat(order.indexOf("crl_numbers")).isLessThan(order.indexOf("crls"));
        Map<String, Long> expected = new TreeMap<>(Map.ofEntries(Map.entry("certificates", 4L),
                Map.entry("revocations", 1L), Map.entry("admin_certificates", 1L), Map.entry("mdm_reports", 1L),
                Map.entry("challenges", 2L), Map.entry("crl_numbers", 2L), Map.entry("crls", 2L),
                Map.entry("admin_tokens", 2L), Map.entry("requests", 2L), Map.entry("event_outbox", 5L), // 4 issued, 1 revoked
                Map.entry("job_leases", 1L), Map.entry("replicas", 1L),
                Map.entry("shared_credentials", 1L)));
        for (StoreCopy.TableCheck t : report.tables()) {
            if (expected.containsKey(t.table())) {
                assertThat(t.sourceRows()).as(t.table()).isEqualTo(expected.get(t.table()));
            }
            assertThat(t.targetRows()).as(t.table()).isEqualTo(t.sourceRows());
            assertThat(t.sourceSha256()).as(t.table()).hasSize(64).isEqualTo(t.targetSha256());
        }
        assertThat(counts(pg)).isEqualTo(counts(h2));
        assertThat(progress).anyMatch(l -> l.startsWith("copied certificates"));

        // Read back through the store classes, on both sides
        var h2Certs = new JdbcCertificateStore(h2);
        var pgCerts = new JdbcCertificateStore(pg);
        for (BigInteger s : List.of(valid, revoked, admin, reported)) {
            assertThat(pgCerts.find(s)).as("serial %s", s.toString(16)).get().usingRecursiveComparison()
                    .isEqualTo(h2Certs.find(s).orElseThrow());
        }
        assertThat(pgCerts.find(valid).orElseThrow().issuedFor().deviceUdid()).contains("00008030-001A2B3C4D5E6F70");
        List<CertificateStore.RevokedEntry> crl = new ArrayList<>();
        pgCerts.forEachRevoked("CN=Issuing CA,O=Acme", crl::add);
        assertThat(crl).containsExactly(new CertificateStore.RevokedEntry(revoked, now.plusSeconds(1),
                RevocationReason.KEY_COMPROMISE));
        assertThat(pgCerts.findAdmin(admin)).get().extracting(CertificateStore.AdminCertificate::name,
                CertificateStore.AdminCertificate::role).containsExactly("ops", AdminRole.ADMIN);
        assertThat(pgCerts.counts(now, now.plus(Duration.ofDays(60)))).isEqualTo(h2Certs.counts(now,
                now.plus(Duration.ofDays(60))));

        var pgChallenges = new JdbcChallengeStore(pg);
        assertThat(pgChallenges.findBySecretHash(unusedChallenge)).get().usingRecursiveComparison()
                .isEqualTo(new JdbcChallengeStore(h2).findBySecretHash(unusedChallenge).orElseThrow());
        assertThat(pgChallenges.consume(usedChallenge, now)).as("a used challenge stays used").isFalse();
        assertThat(pgChallenges.consume(unusedChallenge, now)).as("an unused one is good once").isTrue();
        assertThat(pgChallenges.consume(unusedChallenge, now)).isFalse();

        var pgRequests = new JdbcRequestStore(pg);
        var h2Requests = new JdbcRequestStore(h2);
        for (String tx : List.of("tx-pending", "tx-intune")) {
            assertThat(pgRequests.find(tx)).as(tx).get().usingRecursiveComparison().isEqualTo(h2Requests.find(tx).orElseThrow());
        }
        assertThat(pgRequests.list(Optional.of(RequestStatus.PENDING), 10)).extracting(RequestRecord::transactionId)
                .containsExactly("tx-pending");

        assertThat(new JdbcTokenStore(pg).list()).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(new JdbcTokenStore(h2).list());
        assertThat(new JdbcTokenStore(pg).findByHash("44".repeat(32))).get().extracting(TokenRecord::isRevoked).isEqualTo(true);

        // the CRL in force is the same, and its number continues where H2 left it
        var pgCrls = new CrlStore(pg);
        assertThat(pgCrls.latest("key-a")).get().usingRecursiveComparison().isEqualTo(new CrlStore(h2).latest("key-a")
                .orElseThrow());
        assertThat(pgCrls.publish("key-a", before -> true, n -> new CrlStore.Stored(n, now, now, new byte[] {1})).number())
                .isEqualTo(BigInteger.valueOf(4));
        assertThat(pgCrls.latestNumber("key-b")).contains(BigInteger.ONE);
        assertThat(new SharedCredentials(pg).read("ocsp-responder")).get().usingRecursiveComparison()
                .isEqualTo(new SharedCredentials(h2).read("ocsp-responder").orElseThrow());

        assertThat(new MdmReports(pg).due(now.plus(Duration.ofDays(1)), 10)).singleElement()
                .extracting(MdmReports.Pending::serial, MdmReports.Pending::transactionId).containsExactly(reported, "tx-intune");
    }

    /**
     * A table that a later migration adds (here by hand, on both sides) is copied without a change to the copy: named
     * to come before its parent alphabetically, with an identity key whose sequence must move past the copied rows,
     * text keys whose order differs between PostgreSQL's ICU collation and H2, and values of kinds today's schema lacks.
     */
    @Test
    void copiesATableAddedByALaterMigration() {
        Database h2 = source();
        Database pg = target();
        String ddl = "CREATE TABLE a_later (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                + " serial VARCHAR(42) NOT NULL REFERENCES certificates (serial), flag BOOLEAN, amount NUMERIC(10, 2),"
                + " ratio DOUBLE PRECISION, born_on DATE, blob BYTEA, small SMALLINT)";
        boolean icu = pg.inTransaction(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT COUNT(*) FROM pg_collation WHERE collname = 'und-x-icu'")) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        });
        String keys = "CREATE TABLE a_keys (k VARCHAR(10) %s PRIMARY KEY, v VARCHAR(10))";
        execute(h2, ddl, keys.formatted(""));
        execute(pg, ddl, keys.formatted(icu ? "COLLATE \"und-x-icu\"" : ""));
        String s = valid.toString(16);
        execute(h2, "INSERT INTO a_later (serial, flag, amount, ratio, born_on, blob, small) VALUES ('" + s + "', TRUE, 12.50,"
                + " 0.25, DATE '2026-11-30', X'00ff', 7)",
                "INSERT INTO a_later (serial) VALUES ('" + s + "')",
                "INSERT INTO a_later (serial, flag) VALUES ('" + s + "', FALSE)",
                "INSERT INTO a_keys VALUES ('a', '1'), ('B', '2'), ('b', NULL), ('A', '4'), ('_', '5')");

        StoreCopy.Report report = StoreCopy.copy(h2, pg, progress::add);

        assertThat(report.verified()).isTrue();
        assertThat(report.tables()).filteredOn(t -> t.table().equals("a_later")).singleElement()
                .extracting(StoreCopy.TableCheck::targetRows).isEqualTo(3L);
        assertThat(report.tables()).filteredOn(t -> t.table().equals("a_keys")).singleElement()
                .extracting(StoreCopy.TableCheck::targetRows).isEqualTo(5L);
        List<String> order = report.tables().stream().map(StoreCopy.TableCheck::table).toList();
        assertThat(order.indexOf("certificates")).isLessThan(order.indexOf("a_later"));
        // the identity sequence continues after the copied ids
        execute(pg, "INSERT INTO a_later (serial) VALUES ('" + s + "')");
        long newest = pg.inTransaction(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(id) FROM a_later")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(newest).isEqualTo(4L);
    }

    private static void execute(Database db, String... sql) {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String q : sql) {
                    s.execute(q);
                }
            }
            return null;
        });
    }

    @Test
    void refusesATargetThatHoldsRows() {
        Database pg = target();
        execute(pg, "INSERT INTO crl_numbers (issuer_key_id, crl_number) VALUES ('someone-else', 9)");
        Database h2 = source();
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageStartingWith("the target database is not empty (crl_numbers holds rows)");
        assertThat(counts(pg).get("crl_numbers")).isEqualTo(1L);
        assertThat(counts(pg).get("certificates")).isZero();
    }

    /** V8 creates the rows of db_locks: a new database is "empty" with them, not with a row of anyone else's. */
    @Test
    void rowsTheMigrationsCreateDoNotCountButOthersInTheSameTableDo() {
        Database pg = target();
        long locks = counts(pg).get("db_locks");
        assertThat(locks).isPositive();
        execute(pg, "INSERT INTO db_locks (name) VALUES ('someone-elses')");
        Database h2 = source();
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageStartingWith("the target database is not empty (db_locks holds rows)");
        execute(pg, "DELETE FROM db_locks WHERE name = 'someone-elses'");
        // and the store's own rows of those tables replace the target's (here the same: no key is copied twice)
        StoreCopy.Report report = StoreCopy.copy(h2, pg, progress::add);
        assertThat(report.verified()).isTrue();
        assertThat(counts(pg).get("db_locks")).isEqualTo(locks);
    }

    @Test
    void aSecondRunOnTheSameTargetIsRefusedAndChangesNothing() {
        Database h2 = source();
        Database pg = target();
        assertThat(StoreCopy.copy(h2, pg, progress::add).committed()).isTrue();
        Map<String, Long> after = counts(pg);
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageContaining("is not empty").hasMessageContaining("certificates");
        assertThat(counts(pg)).isEqualTo(after);
        assertThat(StoreCopy.verify(h2, pg)).allMatch(StoreCopy.TableCheck::matches);
    }

    @Test
    void refusesWhileAnotherConnectionHoldsTheStore() {
        // The server's way of opening it: this JVM then owns the file, and the exclusive open must not share it.
        try (Database server = Database.openH2(h2Dir, h2Password, 2)) {
            assertThat(server.ownsStore()).isTrue();
            assertThatThrownBy(() -> Database.openH2Exclusive(h2Dir, h2Password)).isInstanceOf(StoreException.class)
                    .hasMessage("the database is in use: stop the server (and any other scepca command) first");
            assertThat(new JdbcCertificateStore(server).find(valid)).as("the holder's store still works").isPresent();
        }
        // and once it is closed, it opens
        source();
    }

    @Test
    void aRowChangedBeforeVerificationFailsTheChecksumAndNothingIsCommitted() {
        Database h2 = source();
        Database pg = target();
        StoreCopy.Report report = StoreCopy.copy(h2, pg, progress::add, t -> {
            try (PreparedStatement ps = t.prepareStatement("UPDATE certificates SET subject_dn = 'CN=tampered' WHERE serial = ?")) {
                ps.setString(1, valid.toString(16));
                assertThat(ps.executeUpdate()).isOne();
            }
        });
        assertThat(report.verified()).isFalse();
        assertThat(report.committed()).isFalse();
        assertThat(report.mismatched()).containsExactly("certificates");
        StoreCopy.TableCheck certs = report.tables().stream().filter(t -> t.table().equals("certificates")).findFirst()
                .orElseThrow();
        assertThat(certs.targetRows()).isEqualTo(certs.sourceRows());
        assertThat(certs.targetSha256()).isNotEqualTo(certs.sourceSha256());
        assertAsEmptyAsANewDatabase(pg); // rolled back

        // a missing row is a count mismatch
        StoreCopy.Report missing = StoreCopy.copy(h2, pg, progress::add, t -> {
            try (Statement s = t.createStatement()) {
                s.executeUpdate("DELETE FROM challenges WHERE consumed_at IS NOT NULL");
            }
        });
        assertThat(missing.mismatched()).containsExactly("challenges");
        assertThat(missing.tables()).filteredOn(t -> t.table().equals("challenges")).singleElement()
                .satisfies(t -> assertThat(t.targetRows()).isEqualTo(t.sourceRows() - 1));

        // so the copy can simply run again
        assertThat(StoreCopy.copy(h2, pg, progress::add).verified()).isTrue();
    }

    @Test
    void verifyFindsAChangeMadeAfterTheCopy() {
        Database h2 = source();
        Database pg = target();
        StoreCopy.copy(h2, pg, progress::add);
        execute(pg, "UPDATE revocations SET revoked_at = revoked_at + INTERVAL '1 second'");
        assertThat(StoreCopy.verify(h2, pg)).filteredOn(t -> !t.matches()).extracting(StoreCopy.TableCheck::table)
                .containsExactly("revocations");
    }

    @Test
    void aFailureWhileCopyingLeavesTheTargetEmptyAndTheCopyCanRunAgain() {
        Database h2 = source();
        Database pg = target();
        // revocations is copied last: everything before it is in the transaction when it fails
        execute(pg, "ALTER TABLE revocations ADD CONSTRAINT refuse_all CHECK (revocation_reason = 'none')");
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreException.class)
                .hasMessageStartingWith("copying revocations failed: ")
                .hasMessageContaining("refuse_all")
                .hasMessageEndingWith("nothing was committed, the target is as empty as before: fix the cause and run again");
        assertAsEmptyAsANewDatabase(pg);
        execute(pg, "ALTER TABLE revocations DROP CONSTRAINT refuse_all");
        assertThat(StoreCopy.copy(h2, pg, progress::add).verified()).isTrue();
    }

    @Test
    void refusesSchemasThatDiffer() {
        Database h2 = source();
        Database pg = target();
        execute(h2, "ALTER TABLE challenges ADD COLUMN extra VARCHAR(10)");
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageStartingWith("the target's table challenges has no column extra");
        execute(h2, "ALTER TABLE challenges DROP COLUMN extra", "CREATE TABLE extra (id INTEGER PRIMARY KEY)");
        assertThatThrownBy(() -> StoreCopy.copy(h2, pg, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageStartingWith("the target database has no table extra");
        execute(h2, "DROP TABLE extra");
        // a target migrated by a newer release
        execute(pg, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by,"
                + " execution_time, success) VALUES (999, '999', 'future', 'SQL', 'V999__future.sql', 'test', 1, TRUE)");
        // as the command meets it: opened (and migrated, which leaves a newer schema alone) after the newer release
        Database newer = target();
        assertThatThrownBy(() -> StoreCopy.copy(h2, newer, progress::add)).isInstanceOf(StoreCopy.RefusedException.class)
                .hasMessageStartingWith("the schema versions differ (source V" + version(h2)
                        + ", target V999)");
        assertAsEmptyAsANewDatabase(pg);
    }

    /** The Flyway version a store is at. */
    private static String version(Database db) {
        return db.inTransaction(c -> StoreSchema.schemaVersion(c).orElseThrow().getVersion());
    }

    @Test
    void canonicalEncodingIgnoresDriverRepresentation() {
        assertThat(ColumnValues.epochMicros(Instant.parse("1970-01-01T00:00:01.000001999Z"))).isEqualTo(1_000_001L);
        assertThat(ColumnValues.epochMicros(Instant.parse("1969-12-31T23:59:59.999999Z"))).isEqualTo(-1L);
        assertThat(StoreSchema.kind(java.sql.Types.TIMESTAMP, "timestamptz")).isEqualTo(StoreSchema.Kind.TIMESTAMP_TZ);
        assertThat(StoreSchema.kind(java.sql.Types.TIMESTAMP_WITH_TIMEZONE, "TIMESTAMP WITH TIME ZONE"))
                .isEqualTo(StoreSchema.Kind.TIMESTAMP_TZ);
        assertThat(StoreSchema.kind(java.sql.Types.TIMESTAMP, "timestamp")).isEqualTo(StoreSchema.Kind.TIMESTAMP);
        assertThat(StoreSchema.kind(java.sql.Types.BIT, "bool")).isEqualTo(StoreSchema.Kind.BOOLEAN);
        assertThat(StoreSchema.kind(java.sql.Types.BINARY, "bytea")).isEqualTo(StoreSchema.Kind.BINARY);
        assertThat(StoreSchema.kind(java.sql.Types.VARBINARY, "BINARY VARYING")).isEqualTo(StoreSchema.Kind.BINARY);
    }

    /** The copy only reads the H2 store, and leaves its connections fit for the store classes (lazy reads reset). */
    @Test
    void theSourceIsUnchangedByTheCopy() {
        Database h2 = source();
        Map<String, Long> before = counts(h2);
        List<StoreCopy.TableCheck> first = StoreCopy.copy(h2, target(), progress::add).tables();
        assertThat(counts(h2)).isEqualTo(before);
        assertThat(new JdbcChallengeStore(h2).findBySecretHash(unusedChallenge).orElseThrow().usableAt(now)).isTrue();
        assertThat(first).allMatch(StoreCopy.TableCheck::matches);
    }
}
