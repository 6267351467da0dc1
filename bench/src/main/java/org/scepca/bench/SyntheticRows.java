package org.scepca.bench;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.SplittableRandom;

import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.store.Database;

/**
 * Bench-only bulk loader: fills the certificates and requests tables with synthetic rows shaped like real ones
 * (random 159-bit serials, a 1.1 KB DER blob, a transaction per certificate, issue dates over the past year), with
 * JDBC batches. The blobs are not parseable certificates; nothing on the issuance path reads old rows' DER.
 */
final class SyntheticRows {
    private static final int BATCH = 2_000;
    private static final int COMMIT_EVERY = 20_000;

    private final Database db;
    private final String issuerDn;

    SyntheticRows(Database db, X509Certificate issuer) {
        this.db = db;
        this.issuerDn = issuer.getSubjectX500Principal().getName();
    }

    /** Inserts {@code count} certificates, the first {@code revoked} of them revoked, each with its request row. */
    void load(int count, int revoked) throws SQLException {
        SplittableRandom random = new SplittableRandom(20261124L ^ System.nanoTime());
        byte[] der = new byte[1100];
        Instant now = Instant.now();
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement cert = c.prepareStatement("INSERT INTO certificates (serial, issuer_dn, subject_dn,"
                    + " sans, not_before, not_after, status, revoked_at, revocation_reason, transaction_id, requester,"
                    + " profile, issued_at, sha256, der, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
                    PreparedStatement req = c.prepareStatement("INSERT INTO requests (transaction_id, csr_sha256,"
                            + " csr_der, subject_dn, status, serial, requester, reason, created_at, updated_at)"
                            + " VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                byte[] csr = new byte[900];
                // Serials and transaction ids are random, as issued ones are, but inserted in key order: the indexes
                // then grow by appending, like a store that has been compacted after years of issuing, instead of
                // rewriting most index pages on every commit of the load.
                String[] serials = new String[count];
                String[] txids = new String[count];
                for (int i = 0; i < count; i++) {
                    byte[] s = new byte[20];
                    random.nextBytes(s);
                    s[0] &= 0x7f;
                    s[0] |= 0x40; // 159 bits, positive, like SerialNumbers
                    serials[i] = new BigInteger(1, s).toString(16);
                    byte[] tid = new byte[20];
                    random.nextBytes(tid);
                    txids[i] = HexFormat.of().formatHex(tid);
                }
                java.util.Arrays.sort(serials);
                java.util.Arrays.sort(txids);
                for (int i = 0; i < count; i++) {
                    String serial = serials[i];
                    random.nextBytes(der);
                    String txid = txids[i];
                    String subject = "CN=synthetic-" + i + ",O=scepca bench";
                    Instant issued = now.minus(Duration.ofSeconds(random.nextLong(365L * 24 * 3600)));
                    boolean isRevoked = (long) i * revoked / count != (long) (i + 1) * revoked / count; // spread evenly
                    cert.setString(1, serial);
                    cert.setString(2, issuerDn);
                    cert.setString(3, subject);
                    cert.setString(4, "");
                    cert.setObject(5, at(issued.minus(Duration.ofMinutes(5))));
                    cert.setObject(6, at(issued.plus(Duration.ofDays(365))));
                    cert.setString(7, isRevoked ? "REVOKED" : "VALID");
                    cert.setObject(8, isRevoked ? at(issued.plus(Duration.ofDays(1))) : null);
                    cert.setString(9, isRevoked ? (i % 3 == 0 ? "UNSPECIFIED" : "KEY_COMPROMISE") : null);
                    cert.setString(10, txid);
                    cert.setString(11, "scep:challenge:one_time");
                    cert.setString(12, "CLIENT");
                    cert.setObject(13, at(issued));
                    cert.setString(14, HexFormat.of().formatHex(der, 0, 32));
                    cert.setBytes(15, der);
                    cert.setString(16, subject.toLowerCase(java.util.Locale.ROOT) + "\n");
                    cert.addBatch();
                    random.nextBytes(csr);
                    req.setString(1, txid);
                    req.setString(2, HexFormat.of().formatHex(csr, 0, 32));
                    req.setBytes(3, csr);
                    req.setString(4, subject);
                    req.setString(5, "ISSUED");
                    req.setString(6, serial);
                    req.setString(7, "scep:challenge:one_time");
                    req.setString(8, null);
                    req.setObject(9, at(issued));
                    req.setObject(10, at(issued));
                    req.addBatch();
                    if ((i + 1) % BATCH == 0) {
                        cert.executeBatch();
                        req.executeBatch();
                    }
                    if ((i + 1) % COMMIT_EVERY == 0) {
                        c.commit();
                    }
                }
                cert.executeBatch();
                req.executeBatch();
                c.commit();
            }
            try (Statement st = c.createStatement()) {
                // The CRL's entries, as JdbcCertificateStore.revoke writes them.
                st.executeUpdate("INSERT INTO revocations (serial, issuer_dn, not_after, revoked_at, revocation_reason)"
                        + " SELECT serial, issuer_dn, not_after, revoked_at, revocation_reason FROM certificates"
                        + " WHERE status = 'REVOKED' ORDER BY revoked_at");
                c.commit();
            }
            checkpoint(c);
        }
    }

    /** One-time challenges stored the way ChallengeService stores them (SHA-256 of the secret), in batches. */
    static void insertChallenges(Database db, java.util.List<String> secrets) throws SQLException {
        Instant now = Instant.now();
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            // Endpoint and source written as JdbcChallengeStore writes them: the column default ('admin', from V5) is
            // not a name ChallengeOrigin.Source reads back.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO challenges (id, secret_sha256, created_at,"
                    + " expires_at, consumed_at, note, endpoint, source) VALUES (?,?,?,?,NULL,'bench',?,?)")) {
                int n = 0;
                for (String s : secrets) {
                    ps.setString(1, java.util.UUID.randomUUID().toString());
                    ps.setString(2, org.scepca.ca.challenge.ChallengeService.hashHex(s));
                    ps.setObject(3, at(now));
                    ps.setObject(4, at(now.plus(Duration.ofDays(1))));
                    ps.setString(5, ChallengeOrigin.DEFAULT.endpoint());
                    ps.setString(6, ChallengeOrigin.DEFAULT.source().name());
                    ps.addBatch();
                    if (++n % BATCH == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            checkpoint(c);
        }
    }

    /**
     * Writes the bulk insert out before anything is measured, so that the server does not pay for it in the window:
     * H2's {@code CHECKPOINT SYNC}; PostgreSQL's {@code CHECKPOINT} (superuser or pg_checkpoint; without that right,
     * PostgreSQL's own checkpoint does it later, perhaps during the window, which the report then says).
     */
    private static void checkpoint(Connection c) throws SQLException {
        boolean postgres = c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute(postgres ? "CHECKPOINT" : "CHECKPOINT SYNC");
        } catch (SQLException e) {
            if (!postgres) {
                throw e;
            }
            System.out.println("note: no CHECKPOINT after the bulk insert (" + e.getMessage().strip() + "): PostgreSQL"
                    + " writes it out on its own schedule, possibly during the measured window");
        }
    }

    private static OffsetDateTime at(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
