package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.tokens.AdminRole;

/**
 * The contract every store implementation must meet. H2 runs it here; a PostgreSQL implementation extends it with
 * its own {@link #openDatabase()}.
 */
public abstract class StoreContractTest {
    protected Database db;
    protected CertificateStore certs;
    protected ChallengeStore challenges;
    protected RequestStore requests;
    private final SerialNumbers serials = new SerialNumbers(new SecureRandom());
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    protected abstract Database openDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = openDatabase();
        certs = new JdbcCertificateStore(db);
        challenges = new JdbcChallengeStore(db);
        requests = new JdbcRequestStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private CertificateRecord cert(String cn, Instant issuedAt, Instant notAfter, Optional<String> txid) {
        BigInteger s = serials.next();
        return new CertificateRecord(s, "CN=Issuer", "CN=" + cn, List.of("dns:" + cn + ".acme.test"), issuedAt.minusSeconds(60),
                notAfter, CertificateStatus.VALID, Optional.empty(), Optional.empty(), txid, "test", CertificateProfile.CLIENT,
                issuedAt, "00".repeat(32), new byte[] {1, 2, 3});
    }

    private RequestRecord request(String txid, String csrHash) {
        return new RequestRecord(txid, csrHash, new byte[] {4, 5}, "CN=x", RequestStatus.PENDING, Optional.empty(),
                "scep", Optional.empty(), now, now);
    }

    private ChallengeRecord challenge(String hash, Instant expires) {
        return new ChallengeRecord(java.util.UUID.randomUUID().toString(), hash, now, expires, Optional.empty(), Optional.of("n"));
    }

    @Test
    void storesAndFindsACertificate() {
        var c = cert("a", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(c, IssuanceEffects.none());
        var found = certs.find(c.serial()).orElseThrow();
        assertThat(found.subjectDn()).isEqualTo("CN=a");
        assertThat(found.subjectAltNames()).containsExactly("dns:a.acme.test");
        assertThat(found.notAfter()).isEqualTo(c.notAfter());
        assertThat(found.der()).containsExactly(1, 2, 3);
        assertThat(certs.find(BigInteger.TEN)).isEmpty();
    }

    @Test
    void countsCertificatesByState() {
        assertThat(certs.counts(now, now.plus(Duration.ofDays(30)))).isEqualTo(new CertificateCounts(0, 0, 0, 0, 0));
        certs.insertIssued(cert("soon", now, now.plus(Duration.ofDays(10)), Optional.empty()), IssuanceEffects.none());
        certs.insertIssued(cert("later", now, now.plus(Duration.ofDays(100)), Optional.empty()), IssuanceEffects.none());
        certs.insertIssued(cert("gone", now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(1)), Optional.empty()),
                IssuanceEffects.none());
        var revoked = cert("revoked", now, now.plus(Duration.ofDays(5)), Optional.empty());
        certs.insertIssued(revoked, IssuanceEffects.none());
        certs.revoke(revoked.serial(), RevocationReason.KEY_COMPROMISE, now);
        assertThat(certs.counts(now, now.plus(Duration.ofDays(30)))).isEqualTo(new CertificateCounts(4, 2, 1, 1, 1));
        // Revoked ones count as revoked only, whether they have expired since or would still run for months.
        var revokedOld = cert("revoked-old", now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(2)), Optional.empty());
        certs.insertIssued(revokedOld, IssuanceEffects.none());
        certs.revoke(revokedOld.serial(), RevocationReason.SUPERSEDED, now.minus(Duration.ofDays(300)));
        var revokedLater = cert("revoked-later", now, now.plus(Duration.ofDays(200)), Optional.empty());
        certs.insertIssued(revokedLater, IssuanceEffects.none());
        certs.revoke(revokedLater.serial(), RevocationReason.UNSPECIFIED, now);
        assertThat(certs.counts(now, now.plus(Duration.ofDays(30)))).isEqualTo(new CertificateCounts(6, 2, 3, 1, 1));
        // The horizon moves the expiring-soon count only.
        assertThat(certs.counts(now, now.plus(Duration.ofDays(150)))).isEqualTo(new CertificateCounts(6, 2, 3, 1, 2));
    }

    @Test
    void expiring_listsActiveCertificatesInTheWindow_soonestFirst_byEndpoint() {
        var in9 = cert("in9", now, now.plus(Duration.ofDays(9)), Optional.empty());
        var in2 = cert("in2", now, now.plus(Duration.ofDays(2)), Optional.empty());
        var in40 = cert("in40", now, now.plus(Duration.ofDays(40)), Optional.empty());
        var gone = cert("gone", now.minus(Duration.ofDays(60)), now.minus(Duration.ofHours(1)), Optional.empty());
        var revoked = cert("revoked", now, now.plus(Duration.ofDays(3)), Optional.empty());
        var other = new CertificateRecord(serials.next(), "CN=Issuer", "CN=other", List.of(), now, now.plus(Duration.ofDays(5)),
                CertificateStatus.VALID, Optional.empty(), Optional.empty(), Optional.empty(), "test",
                CertificateProfile.CLIENT, now, "00".repeat(32), new byte[] {1}, IssuedFor.endpoint("jamf"));
        for (var c : List.of(in9, in2, in40, gone, revoked, other)) {
            certs.insertIssued(c, IssuanceEffects.none());
        }
        certs.revoke(revoked.serial(), RevocationReason.KEY_COMPROMISE, now);
        Instant in30 = now.plus(Duration.ofDays(30));
        assertThat(certs.expiring(now, in30, Optional.empty(), 100)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=in2", "CN=other", "CN=in9");
        assertThat(certs.expiring(now, in30, Optional.empty(), 2)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=in2", "CN=other");
        // Certificates from before endpoints existed belong to the default endpoint.
        assertThat(certs.expiring(now, in30, Optional.of("default"), 100)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=in2", "CN=in9");
        assertThat(certs.expiring(now, in30, Optional.of("jamf"), 100)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=other");
        // Never revoked: expiring within 7 days (in2, other), within 30 (and in9), expired in the last day (gone).
        assertThat(certs.unrevokedExpiringBetween(now, now.plus(Duration.ofDays(7)))).isEqualTo(2);
        assertThat(certs.unrevokedExpiringBetween(now, in30)).isEqualTo(3);
        assertThat(certs.unrevokedExpiringBetween(now.minus(Duration.ofDays(1)), now)).isEqualTo(1);
    }

    @Test
    void expiryNotices_areClaimedOncePerThresholdAndChannel_andTheDailyRunOncePerDay() throws Exception {
        var notices = new ExpiryNotices(db);
        var a = cert("a", now, now.plus(Duration.ofDays(5)), Optional.empty());
        var b = cert("b", now, now.plus(Duration.ofDays(20)), Optional.empty());
        certs.insertIssued(a, IssuanceEffects.none());
        certs.insertIssued(b, IssuanceEffects.none());
        Instant in7 = now.plus(Duration.ofDays(7));
        assertThat(notices.due("email", 7, now, in7, 100)).extracting(CertificateRecord::subjectDn).containsExactly("CN=a");
        boolean first = notices.inTransaction(c -> ExpiryNotices.record(c, "email", a.serial(), 7, a.notAfter(), now));
        boolean again = notices.inTransaction(c -> ExpiryNotices.record(c, "email", a.serial(), 7, a.notAfter(), now));
        assertThat(first).isTrue();
        assertThat(again).isFalse();
        assertThat(notices.due("email", 7, now, in7, 100)).isEmpty();
        assertThat(notices.due("webhook", 7, now, in7, 100)).hasSize(1); // channels are independent
        assertThat(notices.due("email", 1, now, in7, 100)).hasSize(1); // and so are thresholds
        assertThat(notices.notified("email", a.serial(), 7)).isTrue();
        assertThat(notices.notified("email", a.serial(), 1)).isFalse();
        // A rolled-back transaction records nothing (a digest the relay refused).
        assertThatThrownBy(() -> notices.inTransaction(c -> {
            ExpiryNotices.record(c, "email", b.serial(), 30, b.notAfter(), now);
            throw new IllegalStateException("relay said no");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(notices.notified("email", b.serial(), 30)).isFalse();

        java.time.LocalDate today = java.time.LocalDate.of(2026, 12, 1);
        assertThat(notices.claimDay("expiry-summary", today, now)).isTrue();
        assertThat(notices.claimDay("expiry-summary", today, now)).isFalse();
        assertThat(notices.claimDay("expiry-summary", today.plusDays(1), now)).isTrue();
        assertThat(notices.purge(a.notAfter().plusSeconds(1))).isEqualTo(1);

        // A device that enrolled anew (Intune, Jamf Pro) holds a newer certificate: its old one is not notified.
        var old = new CertificateRecord(serials.next(), "CN=Issuer", "CN=phone", List.of(), now, now.plus(Duration.ofDays(4)),
                CertificateStatus.VALID, Optional.empty(), Optional.empty(), Optional.empty(), "test",
                CertificateProfile.CLIENT, now, "00".repeat(32), new byte[] {1}, new IssuedFor(Optional.of("devices"),
                        Optional.empty(), Optional.empty(), Optional.of("F2LXK0PHONE1"), Optional.empty(), Optional.empty()));
        certs.insertIssued(old, IssuanceEffects.none());
        assertThat(notices.due("webhook", 7, now, in7, 100)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=phone", "CN=a");
        var fresh = new CertificateRecord(serials.next(), "CN=Issuer", "CN=phone", List.of(), now, now.plus(Duration.ofDays(365)),
                CertificateStatus.VALID, Optional.empty(), Optional.empty(), Optional.empty(), "test",
                CertificateProfile.CLIENT, now, "00".repeat(32), new byte[] {1}, old.issuedFor());
        certs.insertIssued(fresh, IssuanceEffects.none());
        assertThat(notices.due("webhook", 7, now, in7, 100)).extracting(CertificateRecord::subjectDn)
                .containsExactly("CN=a");
        assertThat(notices.notified("email", a.serial(), 7)).isFalse();
    }

    @Test
    void issuanceConsumesTheChallengeAndRecordsTheRequestAtomically() {
        challenges.insert(challenge("h1", now.plusSeconds(600)));
        var c = cert("b", now, now.plus(Duration.ofDays(30)), Optional.of("tx-1"));
        certs.insertIssued(c, new IssuanceEffects(Optional.of("h1"), Optional.of(request("tx-1", "csr1"))));
        assertThat(challenges.findBySecretHash("h1").orElseThrow().consumedAt()).isPresent();
        var r = requests.find("tx-1").orElseThrow();
        assertThat(r.status()).isEqualTo(RequestStatus.ISSUED);
        assertThat(r.serial()).contains(c.serial());
    }

    @Test
    void aUsedChallengeRollsBackTheWholeIssuance() {
        challenges.insert(challenge("h2", now.plusSeconds(600)));
        assertThat(challenges.consume("h2", now)).isTrue();
        var c = cert("c", now, now.plus(Duration.ofDays(30)), Optional.of("tx-2"));
        assertThatThrownBy(() -> certs.insertIssued(c,
                new IssuanceEffects(Optional.of("h2"), Optional.of(request("tx-2", "csr")))))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).what()).isEqualTo(ConflictException.What.CHALLENGE_UNAVAILABLE));
        assertThat(certs.find(c.serial())).isEmpty();
        assertThat(requests.find("tx-2")).isEmpty();
    }

    @Test
    void aProtocolsStepCommitsWithTheCertificate_orRollsItBack() {
        challenges.insert(challenge("h-step", now.plusSeconds(600)));
        var kept = cert("step-ok", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(kept, IssuanceEffects.none().andThen((c, cert) -> {
            // The step sees the certificate it commits with, and the connection sees its row.
            try (var s = c.prepareStatement("SELECT COUNT(*) FROM certificates WHERE serial = ?")) {
                s.setString(1, cert.serialHex());
                try (var rs = s.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
            assertThat(cert.serial()).isEqualTo(kept.serial());
        }));
        assertThat(certs.find(kept.serial())).isPresent();

        var lost = cert("step-lost", now, now.plus(Duration.ofDays(30)), Optional.of("tx-step"));
        assertThatThrownBy(() -> certs.insertIssued(lost, new IssuanceEffects(Optional.of("h-step"),
                Optional.of(request("tx-step", "csr"))).andThen((c, cert) -> {
                    throw new ConflictException(ConflictException.What.NOT_PENDING, "the order moved on");
                }))).isInstanceOf(ConflictException.class).hasMessage("the order moved on");
        assertThat(certs.find(lost.serial())).as("the certificate went with the step").isEmpty();
        assertThat(requests.find("tx-step")).isEmpty();
        assertThat(challenges.findBySecretHash("h-step").orElseThrow().consumedAt()).as("and the challenge stays unused")
                .isEmpty();
    }

    @Test
    void aDuplicateTransactionRollsBackAndLeavesTheChallengeUnused() {
        certs.insertIssued(cert("d", now, now.plus(Duration.ofDays(1)), Optional.of("tx-3")),
                new IssuanceEffects(Optional.empty(), Optional.of(request("tx-3", "csrA"))));
        challenges.insert(challenge("h3", now.plusSeconds(600)));
        var again = cert("d", now, now.plus(Duration.ofDays(1)), Optional.of("tx-3"));
        assertThatThrownBy(() -> certs.insertIssued(again,
                new IssuanceEffects(Optional.of("h3"), Optional.of(request("tx-3", "csrB")))))
                .isInstanceOf(ConflictException.class);
        assertThat(challenges.findBySecretHash("h3").orElseThrow().consumedAt()).isEmpty();
        assertThat(certs.find(again.serial())).isEmpty();
    }

    @Test
    void aOneTimeChallengeIsConsumedOnceUnderConcurrency() throws Exception {
        challenges.insert(challenge("race", now.plusSeconds(600)));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wins = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            fs.add(pool.submit(() -> {
                start.await();
                if (challenges.consume("race", now)) {
                    wins.incrementAndGet();
                }
                return null;
            }));
        }
        start.countDown();
        for (var f : fs) {
            f.get();
        }
        pool.shutdown();
        assertThat(wins.get()).isEqualTo(1);
    }

    @Test
    void expiredChallengeCannotBeConsumed() {
        challenges.insert(challenge("old", now.minusSeconds(1)));
        assertThat(challenges.consume("old", now)).isFalse();
        assertThat(challenges.listActive(now, 10)).noneMatch(c -> c.secretSha256().equals("old"));
    }

    @Test
    void countActive_countsUnusedUnexpiredChallenges_beyondAnyListingPage() {
        long before = challenges.countActive(now);
        for (int i = 0; i < 12; i++) {
            challenges.insert(challenge("count-" + i, now.plusSeconds(60)));
        }
        challenges.insert(challenge("count-expired", now.minusSeconds(1)));
        challenges.insert(challenge("count-used", now.plusSeconds(60)));
        assertThat(challenges.consume("count-used", now)).isTrue();
        assertThat(challenges.countActive(now)).isEqualTo(before + 12);
        assertThat(challenges.listActive(now, 5)).hasSize(5);
        Instant later = now.plusSeconds(61);
        assertThat(challenges.countActive(later)).as("these expired by then")
                .isEqualTo(challenges.listActive(later, Integer.MAX_VALUE).size())
                .isLessThanOrEqualTo(before);
    }

    /**
     * The transactions listing (admin API, console, CLI) over a store that holds a row per enrollment: the newest first,
     * of one status or all, and read from an index in that order instead of sorting every row (V16; before it, H2
     * scanned and sorted the table, PostgreSQL sorted all rows of the status).
     */
    @Test
    void requestListing_newestFirst_readFromAnIndexInOrder() throws Exception {
        int rows = 20_000;
        List<String> all = new ArrayList<>();
        List<String> issued = new ArrayList<>();
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO requests (transaction_id, csr_sha256, csr_der, subject_dn,"
                    + " status, requester, created_at, updated_at) VALUES (?, 'h', ?, 'CN=x', ?, 'scep', ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    // Ids out of time order; several rows a second, so ids break ties; a few pending and rejected.
                    String id = String.format("tx-%05d", (i * 7919) % rows);
                    RequestStatus st = i % 50 == 0 ? RequestStatus.PENDING : i % 50 == 1 ? RequestStatus.REJECTED
                            : RequestStatus.ISSUED;
                    java.sql.Timestamp at = java.sql.Timestamp.from(now.minusSeconds(rows - i / 4));
                    ps.setString(1, id);
                    ps.setBytes(2, new byte[] {1});
                    ps.setString(3, st.name());
                    ps.setTimestamp(4, at);
                    ps.setTimestamp(5, at);
                    ps.addBatch();
                    all.add(0, id);
                    if (st == RequestStatus.ISSUED) {
                        issued.add(0, id);
                    }
                }
                ps.executeBatch();
            }
            if (c.getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
                try (var st = c.createStatement()) {
                    st.execute("ANALYZE requests"); // the planner's statistics, as autovacuum would have them
                }
            }
            return null;
        });
        // Within one second (4 rows) the ids decide, ascending.
        java.util.function.UnaryOperator<List<String>> tiesById = l -> {
            List<String> out = new ArrayList<>(l);
            for (int i = 0; i + 4 <= out.size(); i += 4) {
                java.util.Collections.sort(out.subList(i, i + 4));
            }
            return out;
        };
        assertThat(requests.list(Optional.empty(), 40).stream().map(RequestRecord::transactionId))
                .containsExactlyElementsOf(tiesById.apply(all).subList(0, 40));
        assertThat(requests.list(Optional.of(RequestStatus.PENDING), 1000)).hasSize(rows / 50)
                .allMatch(r -> r.status() == RequestStatus.PENDING);
        List<String> newestIssued = requests.list(Optional.of(RequestStatus.ISSUED), 40).stream()
                .map(RequestRecord::transactionId).toList();
        assertThat(newestIssued).hasSize(40).isSubsetOf(issued.subList(0, 45));

        for (boolean byStatus : new boolean[] {false, true}) {
            String plan = db.inTransaction(c -> {
                boolean pg = c.getMetaData().getDatabaseProductName().contains("PostgreSQL");
                try (var ps = c.prepareStatement("EXPLAIN " + JdbcRequestStore.listSql(byStatus))) {
                    int i = 1;
                    if (byStatus) {
                        ps.setString(i++, RequestStatus.ISSUED.name());
                    }
                    ps.setInt(i, 50);
                    StringBuilder b = new StringBuilder(pg ? "postgresql\n" : "h2\n");
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            b.append(rs.getString(1)).append('\n');
                        }
                    }
                    return b.toString();
                }
            });
            if (plan.startsWith("h2")) {
                assertThat(plan).as("by status: %s", byStatus).contains("/* index sorted */");
            } else {
                assertThat(plan).as("by status: %s", byStatus).contains("Index Scan").doesNotContain("Sort");
            }
        }
    }

    @Test
    void countByStatus_countsEveryRequestWithThatStatus() {
        long pending = requests.count(RequestStatus.PENDING);
        requests.insertPending(request("tx-c1", "csrC1"), Optional.empty());
        requests.insertPending(request("tx-c2", "csrC2"), Optional.empty());
        assertThat(requests.count(RequestStatus.PENDING)).isEqualTo(pending + 2);
        long rejected = requests.count(RequestStatus.REJECTED);
        assertThat(requests.reject("tx-c1", "not ours", now)).isTrue();
        assertThat(requests.count(RequestStatus.PENDING)).isEqualTo(pending + 1);
        assertThat(requests.count(RequestStatus.REJECTED)).isEqualTo(rejected + 1);
    }

    @Test
    void pendingRequestsCanBeRejectedOnce() {
        requests.insertPending(request("tx-p", "csr"), Optional.empty());
        assertThat(requests.list(Optional.of(RequestStatus.PENDING), 10)).extracting(RequestRecord::transactionId).contains("tx-p");
        assertThat(requests.reject("tx-p", "not ours", now)).isTrue();
        assertThat(requests.reject("tx-p", "again", now)).isFalse();
        assertThat(requests.find("tx-p").orElseThrow().reason()).contains("not ours");
    }

    @Test
    void approvingAPendingRequestMovesItToIssued() {
        requests.insertPending(request("tx-a", "csrX"), Optional.empty());
        var c = cert("e", now, now.plus(Duration.ofDays(1)), Optional.of("tx-a"));
        certs.insertIssued(c, new IssuanceEffects(Optional.empty(), Optional.of(request("tx-a", "csrX"))));
        assertThat(requests.find("tx-a").orElseThrow().serial()).contains(c.serial());
    }

    @Test
    void aRenewalTakesOverAFinishedTransactionAtomically_onlyAsItWasSeen() {
        var c = cert("h", now, now.plus(Duration.ofDays(1)), Optional.of("tx-f"));
        certs.insertIssued(c, new IssuanceEffects(Optional.empty(), Optional.of(request("tx-f", "csr1"))));
        RequestRecord seen = requests.find("tx-f").orElseThrow();

        var renewal = request("tx-f", "csr1");
        renewal = new RequestRecord(renewal.transactionId(), renewal.csrSha256(), renewal.csrDer(), renewal.subjectDn(),
                renewal.status(), renewal.serial(), renewal.requester(), renewal.reason(), now, now, Optional.of(c.serial()));
        var next = cert("h", now, now.plus(Duration.ofDays(1)), Optional.of("tx-f"));
        certs.insertIssued(next, new IssuanceEffects(Optional.empty(), Optional.of(renewal)).renewing(c.serial(), false)
                .replacing(seen));
        RequestRecord now1 = requests.find("tx-f").orElseThrow();
        assertThat(now1.serial()).contains(next.serial());
        assertThat(now1.renews()).contains(c.serial());
        assertThat(certs.find(c.serial()).orElseThrow().transactionId()).contains("tx-f");

        // A second takeover based on the record as it was before fails and changes nothing.
        var third = cert("h", now, now.plus(Duration.ofDays(1)), Optional.of("tx-f"));
        RequestRecord stale = renewal;
        assertThatThrownBy(() -> certs.insertIssued(third, new IssuanceEffects(Optional.empty(), Optional.of(stale))
                .replacing(seen)))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).what()).isEqualTo(ConflictException.What.TRANSACTION_EXISTS));
        assertThat(certs.find(third.serial())).isEmpty();
        assertThat(requests.find("tx-f").orElseThrow().serial()).contains(next.serial());
    }

    @Test
    void aCertificateIsRenewedAtMostOnce_theSecondRenewalRollsBackWholly() {
        var old = cert("r", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(old, IssuanceEffects.none());
        challenges.insert(challenge("h-renew", now.plusSeconds(600)));
        var first = cert("r", now, now.plus(Duration.ofDays(60)), Optional.of("tx-r1"));
        certs.insertIssued(first, new IssuanceEffects(Optional.empty(), Optional.of(request("tx-r1", "c1")))
                .renewing(old.serial(), false));
        var second = cert("r", now, now.plus(Duration.ofDays(60)), Optional.of("tx-r2"));
        assertThatThrownBy(() -> certs.insertIssued(second, new IssuanceEffects(Optional.of("h-renew"),
                Optional.of(request("tx-r2", "c2"))).renewing(old.serial(), true)))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).what()).isEqualTo(ConflictException.What.ALREADY_RENEWED));
        assertThat(certs.find(second.serial())).isEmpty();
        assertThat(requests.find("tx-r2")).isEmpty();
        assertThat(challenges.findBySecretHash("h-renew").orElseThrow().consumedAt()).isEmpty();
        assertThat(certs.find(old.serial()).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);
        assertThat(certs.renewedBy(old.serial())).contains(first.serial());
        assertThat(certs.renewedBy(first.serial())).isEmpty();
    }

    @Test
    void anAdminClientCertificateIsStoredWithItsRole_andOnlyThatProfileMayCarryOne() {
        var c = cert("ops", now, now.plus(Duration.ofDays(30)), Optional.empty());
        var admin = new CertificateRecord(c.serial(), c.issuerDn(), c.subjectDn(), c.subjectAltNames(), c.notBefore(),
                c.notAfter(), c.status(), c.revokedAt(), c.revocationReason(), c.transactionId(), "cli", 
                CertificateProfile.ADMIN_CLIENT, c.issuedAt(), c.sha256(), c.der());
        certs.insertIssued(admin, IssuanceEffects.none().granting(new IssuanceEffects.AdminGrant("ops", AdminRole.VIEWER)));
        var found = certs.findAdmin(c.serial()).orElseThrow();
        assertThat(found.name()).isEqualTo("ops");
        assertThat(found.role()).isEqualTo(AdminRole.VIEWER);
        assertThat(found.certificate().profile()).isEqualTo(CertificateProfile.ADMIN_CLIENT);

        var device = cert("ops", now, now.plus(Duration.ofDays(30)), Optional.empty());
        assertThatThrownBy(() -> certs.insertIssued(device,
                IssuanceEffects.none().granting(new IssuanceEffects.AdminGrant("ops", AdminRole.ADMIN))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(certs.find(device.serial())).isEmpty();
        assertThat(certs.findAdmin(device.serial())).isEmpty();
    }

    @Test
    void revocationIsRecordedAndListedForTheCrl() {
        var c = cert("f", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(c, IssuanceEffects.none());
        var r = certs.revoke(c.serial(), RevocationReason.KEY_COMPROMISE, now).orElseThrow();
        assertThat(r.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(r.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
        List<CertificateStore.RevokedEntry> revoked = new ArrayList<>();
        certs.forEachRevoked("CN=Issuer", revoked::add);
        assertThat(revoked).extracting(CertificateStore.RevokedEntry::serial).contains(c.serial());
        // a second revocation keeps the first reason and time
        var again = certs.revoke(c.serial(), RevocationReason.SUPERSEDED, now.plusSeconds(5)).orElseThrow();
        assertThat(again.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
        List<CertificateStore.RevokedEntry> after = new ArrayList<>();
        certs.forEachRevoked("CN=Issuer", after::add);
        assertThat(after).containsExactly(new CertificateStore.RevokedEntry(c.serial(), now, RevocationReason.KEY_COMPROMISE));
        List<CertificateStore.RevokedEntry> otherIssuer = new ArrayList<>();
        certs.forEachRevoked("CN=Other Issuer", otherIssuer::add);
        assertThat(otherIssuer).isEmpty();
        assertThat(certs.revoke(BigInteger.valueOf(12345), RevocationReason.UNSPECIFIED, now)).isEmpty();
    }

    /** A CRL's entries leave it a while after their certificates expire: the bound is on notAfter, inclusive. */
    @Test
    void revokedEntriesCanBeBoundedByNotAfter() {
        var early = cert("expires-early", now, now.plus(Duration.ofDays(1)), Optional.empty());
        var late = cert("expires-late", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(early, IssuanceEffects.none());
        certs.insertIssued(late, IssuanceEffects.none());
        certs.revoke(early.serial(), RevocationReason.KEY_COMPROMISE, now);
        certs.revoke(late.serial(), RevocationReason.KEY_COMPROMISE, now);
        for (var bound : List.of(Optional.<java.time.Instant>empty(), Optional.of(early.notAfter()))) {
            List<CertificateStore.RevokedEntry> all = new ArrayList<>();
            certs.forEachRevoked("CN=Issuer", bound, all::add);
            assertThat(all).as("bound %s", bound).extracting(CertificateStore.RevokedEntry::serial)
                    .containsExactlyInAnyOrder(early.serial(), late.serial());
            assertThat(certs.revokedCount("CN=Issuer", bound)).isEqualTo(2);
        }
        var bound = Optional.of(early.notAfter().plusSeconds(1));
        List<CertificateStore.RevokedEntry> kept = new ArrayList<>();
        certs.forEachRevoked("CN=Issuer", bound, kept::add);
        assertThat(kept).extracting(CertificateStore.RevokedEntry::serial).containsExactly(late.serial());
        assertThat(certs.revokedCount("CN=Issuer", bound)).isEqualTo(1);
        assertThat(certs.find(early.serial()).orElseThrow().status()).isEqualTo(CertificateStatus.REVOKED);
    }

    @Test
    void renewalSupersedesTheOldCertificateInTheSameTransaction() {
        var old = cert("g", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(old, IssuanceEffects.none());
        var fresh = cert("g", now.plusSeconds(1), now.plus(Duration.ofDays(60)), Optional.empty());
        certs.insertIssued(fresh, IssuanceEffects.none().renewing(old.serial(), true));
        assertThat(certs.find(old.serial()).orElseThrow().revocationReason()).contains(RevocationReason.SUPERSEDED);
        List<CertificateStore.RevokedEntry> revoked = new ArrayList<>();
        certs.forEachRevoked("CN=Issuer", revoked::add);
        assertThat(revoked).extracting(CertificateStore.RevokedEntry::serial).containsExactly(old.serial());
    }

    @Test
    void listsWithFiltersAndCursorPagination() {
        for (int i = 0; i < 25; i++) {
            certs.insertIssued(cert("page-" + i, now.plusMillis(i), now.plus(Duration.ofDays(i < 5 ? 3 : 300)), Optional.empty()),
                    IssuanceEffects.none());
        }
        var q = new CertificateQuery(CertificateQuery.State.ACTIVE, Optional.of("PAGE-"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 10);
        List<String> seen = new ArrayList<>();
        var page = certs.list(q, now);
        int pages = 1;
        while (true) {
            page.items().forEach(c -> seen.add(c.subjectDn()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            page = certs.list(q.withCursor(page.nextCursor().get()), now);
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates();
        assertThat(seen.get(0)).isEqualTo("CN=page-24"); // newest first
        var expiring = new CertificateQuery(CertificateQuery.State.ALL, Optional.of("page-"),
                Optional.of(now.plus(Duration.ofDays(7))), Optional.empty(), Optional.empty(), Optional.empty(), 100);
        assertThat(certs.list(expiring, now).items()).hasSize(5);
        assertThatThrownBy(() -> certs.list(q.withCursor("garbage!"), now)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- bulk revocation, expiry by week, the searchable audit trail (issue 14)

    @Test
    void revokeAll_revokesTheValidOnes_andReportsEachSerial() {
        var a = cert("bulk-a", now, now.plus(Duration.ofDays(30)), Optional.empty());
        var b = cert("bulk-b", now, now.plus(Duration.ofDays(30)), Optional.empty());
        certs.insertIssued(a, IssuanceEffects.none());
        certs.insertIssued(b, IssuanceEffects.none());
        certs.revoke(b.serial(), RevocationReason.SUPERSEDED, now);
        var out = certs.revokeAll(List.of(a.serial(), b.serial(), BigInteger.TEN), RevocationReason.KEY_COMPROMISE, now,
                "token:alice");
        assertThat(out).extracting(CertificateStore.BulkRevocation::changed).containsExactly(true, false, false);
        assertThat(out.get(0).record().orElseThrow().status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(out.get(1).record().orElseThrow().revocationReason()).contains(RevocationReason.SUPERSEDED);
        assertThat(out.get(2).record()).isEmpty();
        assertThat(certs.revokedCount("CN=Issuer")).isEqualTo(2);
    }

    @Test
    void expiringPerWeek_countsActiveCertificatesByWeekOfExpiry() {
        certs.insertIssued(cert("w0", now, now.plus(Duration.ofDays(2)), Optional.empty()), IssuanceEffects.none());
        certs.insertIssued(cert("w0b", now, now.plus(Duration.ofDays(6)), Optional.empty()), IssuanceEffects.none());
        certs.insertIssued(cert("w3", now, now.plus(Duration.ofDays(22)), Optional.empty()), IssuanceEffects.none());
        var revoked = cert("w3r", now, now.plus(Duration.ofDays(22)), Optional.empty());
        certs.insertIssued(revoked, IssuanceEffects.none());
        certs.revoke(revoked.serial(), RevocationReason.UNSPECIFIED, now);
        certs.insertIssued(cert("late", now, now.plus(Duration.ofDays(400)), Optional.empty()), IssuanceEffects.none());
        certs.insertIssued(cert("gone", now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1)), Optional.empty()),
                IssuanceEffects.none());
        long[] weeks = certs.expiringPerWeek(now, 26);
        assertThat(weeks).hasSize(26);
        assertThat(weeks[0]).isEqualTo(2);
        assertThat(weeks[3]).isEqualTo(1);
        assertThat(java.util.Arrays.stream(weeks).sum()).isEqualTo(3);
    }

    private static org.scepca.ca.audit.AuditLine auditLine(String op, String serial, String device, String actor,
            String outcome) {
        return org.scepca.ca.audit.AuditLine.op(op).token("serial", serial).text("subject", "CN=x\u202e,O=\"q\"")
                .token("device", device).token("actor", actor).token("outcome", outcome).token("txid", "-")
                .token("endpoint", "scep");
    }

    @Test
    void auditTrail_storesQueuedLines_andSearchesByEachField() {
        try (AuditTrail trail = new AuditTrail(db, java.time.Clock.systemUTC())) {
            Instant before = Instant.now().minusSeconds(1);
            trail.accept(auditLine("enroll", "0A:FF", "C02ABC", "scep:device", "issued"));
            trail.accept(auditLine("revoke", "aff", "-", "token:alice", "revoked"));
            trail.accept(auditLine("revoke", "bee", "-", "cli:root", "already-revoked"));
            trail.flush();
            var all = trail.search(org.scepca.ca.audit.AuditQuery.latest(10)).items();
            assertThat(all).hasSize(3);
            assertThat(all.get(0).op()).isEqualTo("revoke"); // newest first
            var bySerial = trail.search(org.scepca.ca.audit.AuditQuery.latest(10).withSerial("0aff")).items();
            assertThat(bySerial).singleElement().satisfies(e -> {
                assertThat(e.device()).contains("C02ABC");
                assertThat(e.txid()).isEmpty();
                // The bidi override is stored escaped, as in the line; the line is stored as logged.
                assertThat(e.subject().orElseThrow()).isEqualTo("CN=x\\u202E,O=\"q\"");
                assertThat(e.line()).startsWith("op=enroll serial=0A:FF subject=");
            });
            var q = org.scepca.ca.audit.AuditQuery.latest(10);
            assertThat(trail.search(new org.scepca.ca.audit.AuditQuery(Optional.empty(), Optional.of("c02abc"),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), 10)).items()).hasSize(1);
            assertThat(trail.search(new org.scepca.ca.audit.AuditQuery(Optional.empty(), Optional.empty(),
                    Optional.of("alice"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), 10)).items()).extracting(e -> e.serial().orElseThrow()).containsExactly("aff");
            assertThat(trail.search(new org.scepca.ca.audit.AuditQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.of("already-revoked"), Optional.of("revoke"), Optional.of(before),
                    Optional.of(Instant.now().plusSeconds(1)), Optional.empty(), 10)).items())
                    .extracting(e -> e.actor().orElseThrow()).containsExactly("cli:root");
            assertThat(trail.search(new org.scepca.ca.audit.AuditQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(Instant.now().plusSeconds(5)),
                    Optional.empty(), Optional.empty(), 10)).items()).isEmpty();
            assertThat(q.limit()).isEqualTo(10);
        }
    }

    @Test
    void auditTrail_pagesByCursor_purgesByAge_andWritesTheQueueOnClose() {
        AuditTrail trail = new AuditTrail(db, java.time.Clock.systemUTC());
        for (int i = 0; i < 7; i++) {
            trail.accept(auditLine("enroll", Integer.toHexString(100 + i), "-", "scep:d", "issued"));
        }
        trail.close(); // an orderly shutdown writes what is queued
        trail.accept(auditLine("enroll", "ff", "-", "scep:d", "issued"));
        assertThat(trail.dropped()).isEqualTo(1);
        List<String> seen = new ArrayList<>();
        var q = org.scepca.ca.audit.AuditQuery.latest(3);
        while (true) {
            var page = trail.search(q);
            page.items().forEach(e -> seen.add(e.serial().orElseThrow()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            q = q.withCursor(page.nextCursor().get());
        }
        assertThat(seen).hasSize(7).doesNotHaveDuplicates();
        assertThat(trail.purge(Duration.ofDays(1))).isZero();
        AuditTrail later = new AuditTrail(db, java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(2)));
        assertThat(later.purge(Duration.ofDays(1))).isEqualTo(7);
        later.close();
        assertThatThrownBy(() -> org.scepca.ca.audit.AuditQuery.latest(3).withCursor("'; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
