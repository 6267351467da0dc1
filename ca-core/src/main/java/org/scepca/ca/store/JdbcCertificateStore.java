package org.scepca.ca.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.tokens.AdminRole;

/** {@link CertificateStore} over JDBC; one short transaction per issuance. */
public final class JdbcCertificateStore implements CertificateStore {
    static final String COLUMNS = "serial, issuer_dn, subject_dn, sans, not_before, not_after, status, revoked_at,"
            + " revocation_reason, transaction_id, requester, profile, issued_at, sha256, der, endpoint, challenge_id,"
            + " device_note, device_serial, device_udid, intune_device_id";

    private final Database db;
    /** Told of issuances and revocations inside their transactions (outbound webhooks), when configured. */
    private final Optional<StoreEvents> events;

    public JdbcCertificateStore(Database db) {
        this(db, Optional.empty());
    }

    public JdbcCertificateStore(Database db, Optional<StoreEvents> events) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.events = Objects.requireNonNull(events, "events is null");
    }

    @Override
    public void insertIssued(CertificateRecord cert, IssuanceEffects effects) {
        db.inDurableTransaction(c -> {
            Instant now = cert.issuedAt();
            if (effects.consumeChallengeHash().isPresent()) {
                if (!JdbcChallengeStore.consume(c, effects.consumeChallengeHash().get(), now)) {
                    throw new ConflictException(ConflictException.What.CHALLENGE_UNAVAILABLE,
                            "the one-time challenge was used or expired");
                }
            }
            if (effects.replaces().isPresent() && !JdbcRequestStore.deleteExactly(c, effects.replaces().get())) {
                throw new ConflictException(ConflictException.What.TRANSACTION_EXISTS,
                        "transaction " + effects.replaces().get().transactionId() + " changed meanwhile");
            }
            if (effects.request().isPresent()) {
                JdbcRequestStore.upsertIssued(c, effects.request().get().issued(cert.serial(), now));
            }
            insert(c, cert, effects.renews());
            if (events.isPresent()) {
                events.get().issued(c, cert, effects.renews());
            }
            if (effects.adminGrant().isPresent()) {
                insertAdminGrant(c, cert, effects.adminGrant().get());
            }
            if (effects.reportToMdm()) {
                MdmReports.insert(c, cert, effects.request().orElseThrow(), now);
            }
            if (effects.supersede().isPresent()) {
                revoke(c, effects.supersede().get(), RevocationReason.SUPERSEDED, now, Optional.of(cert.requester()));
            }
            if (effects.andThen().isPresent()) {
                effects.andThen().get().apply(c, cert);
            }
            return null;
        });
    }

    private static void insert(Connection c, CertificateRecord r, Optional<BigInteger> renews) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificates (" + COLUMNS
                + ", search_text, renews) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.serialHex());
            ps.setString(2, r.issuerDn());
            ps.setString(3, r.subjectDn());
            String sans = String.join("\n", r.subjectAltNames());
            ps.setString(4, sans);
            Sql.setInstant(ps, 5, r.notBefore());
            Sql.setInstant(ps, 6, r.notAfter());
            ps.setString(7, r.status().name());
            Sql.setInstant(ps, 8, r.revokedAt().orElse(null));
            ps.setString(9, r.revocationReason().map(Enum::name).orElse(null));
            ps.setString(10, r.transactionId().orElse(null));
            ps.setString(11, r.requester());
            ps.setString(12, r.profile().name());
            Sql.setInstant(ps, 13, r.issuedAt());
            ps.setString(14, r.sha256());
            ps.setBytes(15, r.der());
            IssuedFor f = r.issuedFor();
            ps.setString(16, f.endpoint().orElse(null));
            ps.setString(17, f.challengeId().orElse(null));
            ps.setString(18, f.note().orElse(null));
            ps.setString(19, f.deviceSerial().orElse(null));
            ps.setString(20, f.deviceUdid().orElse(null));
            ps.setString(21, f.intuneDeviceId().orElse(null));
            ps.setString(22, (r.subjectDn() + "\n" + sans).toLowerCase(Locale.ROOT) + f.searchText());
            ps.setString(23, renews.map(s -> s.toString(16)).orElse(null));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                // The index name is in the message on H2 and PostgreSQL alike.
                if (renews.isPresent() && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("renews")) {
                    throw new ConflictException(ConflictException.What.ALREADY_RENEWED,
                            "certificate " + renews.get().toString(16) + " was already renewed");
                }
                throw new ConflictException(ConflictException.What.SERIAL_EXISTS, "serial " + r.serialHex() + " exists");
            }
            throw e;
        }
    }

    private static void insertAdminGrant(Connection c, CertificateRecord r, IssuanceEffects.AdminGrant g)
            throws SQLException {
        if (r.profile() != CertificateProfile.ADMIN_CLIENT) {
            throw new IllegalArgumentException("only an ADMIN_CLIENT certificate carries an admin role");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO admin_certificates (serial, name, role, created_at) VALUES (?,?,?,?)")) {
            ps.setString(1, r.serialHex());
            ps.setString(2, g.name());
            ps.setString(3, g.role().name());
            Sql.setInstant(ps, 4, r.issuedAt());
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<AdminCertificate> findAdmin(BigInteger serial) {
        Optional<AdminCertificate> found = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, role FROM admin_certificates WHERE serial = ?")) {
                ps.setString(1, serial.toString(16));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<AdminCertificate>empty();
                    }
                    String name = rs.getString(1);
                    AdminRole role = AdminRole.valueOf(rs.getString(2));
                    return find(c, serial).map(cert -> new AdminCertificate(cert, name, role));
                }
            }
        });
        if (found.isPresent()) {
            db.awaitDurable();
        }
        return found;
    }

    @Override
    public List<AdminCertificate> listAdmins(int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT a.name, a.role, " + qualified("c")
                    + " FROM admin_certificates a JOIN certificates c ON c.serial = a.serial"
                    + " ORDER BY a.created_at DESC, a.serial LIMIT ?")) {
                ps.setInt(1, limit);
                List<AdminCertificate> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AdminCertificate(read(rs), rs.getString("name"), AdminRole.valueOf(rs.getString("role"))));
                    }
                }
                return out;
            }
        });
    }

    private static String qualified(String alias) {
        return Arrays.stream(COLUMNS.split(",")).map(col -> alias + "." + col.strip()).collect(java.util.stream.Collectors.joining(", "));
    }

    @Override
    public Optional<BigInteger> renewedBy(BigInteger serial) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT serial FROM certificates WHERE renews = ?")) {
                ps.setString(1, serial.toString(16));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new BigInteger(rs.getString(1), 16)) : Optional.<BigInteger>empty();
                }
            }
        });
    }

    @Override
    public Optional<CertificateRecord> find(BigInteger serial) {
        Optional<CertificateRecord> found = db.inTransaction(c -> find(c, serial));
        if (found.isPresent()) {
            db.awaitDurable(); // the caller may answer from it: never from a commit that a crash could still undo
        }
        return found;
    }

    private static Optional<CertificateRecord> find(Connection c, BigInteger serial) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM certificates WHERE serial = ?")) {
            ps.setString(1, serial.toString(16));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public List<CertificateRecord> activeWithDevice(Instant now, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM certificates WHERE status = 'VALID'"
                    + " AND not_after >= ? AND (device_serial IS NOT NULL OR device_udid IS NOT NULL)"
                    + " ORDER BY issued_at, serial LIMIT ?")) {
                Sql.setInstant(ps, 1, now);
                ps.setInt(2, limit);
                List<CertificateRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<CertificateRecord> expiring(Instant now, Instant before, Optional<String> endpoint, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM certificates WHERE not_after >= ?"
                + " AND not_after < ? AND status = 'VALID'");
        endpoint.ifPresent(e -> sql.append(endpointCondition(e)));
        sql.append(" ORDER BY not_after, serial LIMIT ?");
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                Sql.setInstant(ps, i++, now);
                Sql.setInstant(ps, i++, before);
                if (endpoint.isPresent()) {
                    ps.setString(i++, endpoint.get());
                }
                ps.setInt(i, limit);
                List<CertificateRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Certificates from before endpoints existed came through the default endpoint. One parameter: the name. */
    private static String endpointCondition(String endpoint) {
        return ChallengeOrigin.DEFAULT_ENDPOINT.equals(endpoint)
                ? " AND (endpoint = ? OR endpoint IS NULL AND profile = 'CLIENT')" : " AND endpoint = ?";
    }

    @Override
    public long unrevokedExpiringBetween(Instant from, Instant to) {
        return db.inTransaction(c -> Math.max(0,
                count(c, "SELECT COUNT(*) FROM certificates WHERE not_after >= ? AND not_after < ?", from, to)
                        - count(c, "SELECT COUNT(*) FROM revocations WHERE not_after >= ? AND not_after < ?", from, to)));
    }

    @Override
    public Page<CertificateRecord> list(CertificateQuery q, Instant now) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM certificates WHERE 1=1");
        List<Object> args = new ArrayList<>();
        switch (q.state()) {
            case ACTIVE -> { sql.append(" AND status = 'VALID' AND not_after >= ?"); args.add(now); }
            case REVOKED -> sql.append(" AND status = 'REVOKED'");
            case EXPIRED -> { sql.append(" AND status = 'VALID' AND not_after < ?"); args.add(now); }
            case ALL -> { }
        }
        q.text().ifPresent(t -> {
            sql.append(" AND search_text LIKE ? ESCAPE '\\'");
            args.add("%" + t.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        });
        q.expiringBefore().ifPresent(t -> {
            sql.append(" AND status = 'VALID' AND not_after >= ? AND not_after < ?");
            args.add(now);
            args.add(t);
        });
        q.device().ifPresent(d -> {
            sql.append(" AND (device_serial = ? OR device_udid = ? OR intune_device_id = ?)");
            args.add(d.toUpperCase(Locale.ROOT));
            args.add(d.toUpperCase(Locale.ROOT));
            args.add(d.toLowerCase(Locale.ROOT));
        });
        q.endpoint().ifPresent(e -> {
            sql.append(endpointCondition(e));
            args.add(e);
        });
        q.issuedAfter().ifPresent(t -> { sql.append(" AND issued_at >= ?"); args.add(t); });
        q.issuedBefore().ifPresent(t -> { sql.append(" AND issued_at < ?"); args.add(t); });
        if (q.cursor().isPresent()) {
            Cursor cur = Cursor.decode(q.cursor().get());
            sql.append(" AND (issued_at < ? OR (issued_at = ? AND serial < ?))");
            args.add(cur.issuedAt());
            args.add(cur.issuedAt());
            args.add(cur.serial());
        }
        sql.append(" ORDER BY issued_at DESC, serial DESC LIMIT ?");
        args.add(q.limit() + 1);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    Object a = args.get(i);
                    if (a instanceof Instant t) {
                        Sql.setInstant(ps, i + 1, t);
                    } else {
                        ps.setObject(i + 1, a);
                    }
                }
                List<CertificateRecord> items = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(read(rs));
                    }
                }
                return Page.of(items, q.limit(), last -> new Cursor(last.issuedAt(), last.serialHex()).encode());
            }
        });
    }

    @Override
    public Optional<CertificateRecord> revoke(BigInteger serial, RevocationReason reason, Instant at) {
        return revoke(serial, reason, at, Optional.empty());
    }

    @Override
    public Optional<CertificateRecord> revoke(BigInteger serial, RevocationReason reason, Instant at, String actor) {
        return revoke(serial, reason, at, Optional.of(actor));
    }

    private Optional<CertificateRecord> revoke(BigInteger serial, RevocationReason reason, Instant at,
            Optional<String> actor) {
        return db.inDurableTransaction(c -> {
            revoke(c, serial, reason, at, actor);
            return find(c, serial);
        });
    }

    @Override
    public List<BulkRevocation> revokeAll(List<BigInteger> serials, RevocationReason reason, Instant at, String actor) {
        return db.inDurableTransaction(c -> {
            List<BulkRevocation> out = new ArrayList<>(serials.size());
            for (BigInteger s : serials) {
                Optional<CertificateRecord> before = find(c, s);
                if (before.isEmpty() || before.get().status() == CertificateStatus.REVOKED) {
                    out.add(new BulkRevocation(s, before, false));
                } else {
                    revoke(c, s, reason, at, Optional.of(actor));
                    out.add(new BulkRevocation(s, find(c, s), true));
                }
            }
            return out;
        });
    }

    /**
     * One GROUP BY over the active certificates expiring in the window: the week is the whole number of 604800-second
     * steps from {@code now} (EXTRACT(EPOCH ...) reads the same on H2 and PostgreSQL).
     */
    @Override
    public long[] expiringPerWeek(Instant now, int weeks) {
        if (weeks < 1 || weeks > 520) {
            throw new IllegalArgumentException("weeks must be between 1 and 520");
        }
        long[] out = new long[weeks];
        return db.inTransaction(c -> {
            // The week in a derived table: neither database sees two expressions with parameters as the same one.
            try (PreparedStatement ps = c.prepareStatement("SELECT week, COUNT(*) AS n FROM (SELECT"
                    + " CAST(FLOOR((EXTRACT(EPOCH FROM not_after) - ?) / 604800) AS INTEGER) AS week FROM certificates"
                    + " WHERE status = 'VALID' AND not_after >= ? AND not_after < ?) w GROUP BY week")) {
                ps.setLong(1, now.getEpochSecond());
                Sql.setInstant(ps, 2, now);
                Sql.setInstant(ps, 3, now.plus(java.time.Duration.ofDays(7L * weeks)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int w = rs.getInt("week");
                        if (w >= 0 && w < weeks) {
                            out[w] = rs.getLong("n");
                        }
                    }
                }
            }
            return out;
        });
    }

    private void revoke(Connection c, BigInteger serial, RevocationReason reason, Instant at, Optional<String> actor)
            throws SQLException {
        int changed;
        try (PreparedStatement ps = c.prepareStatement("UPDATE certificates SET status = 'REVOKED', revoked_at = ?,"
                + " revocation_reason = ? WHERE serial = ? AND status = 'VALID'")) {
            Sql.setInstant(ps, 1, at);
            ps.setString(2, reason.name());
            ps.setString(3, serial.toString(16));
            changed = ps.executeUpdate();
        }
        if (changed == 1) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO revocations (serial, issuer_dn, not_after,"
                    + " revoked_at, revocation_reason) SELECT serial, issuer_dn, not_after, revoked_at, revocation_reason"
                    + " FROM certificates"
                    + " WHERE serial = ?")) {
                ps.setString(1, serial.toString(16));
                ps.executeUpdate();
            }
            if (events.isPresent()) {
                events.get().revoked(c, find(c, serial).orElseThrow(), actor);
            }
        }
    }

    @Override
    public void forEachRevoked(String issuerDn, Optional<Instant> notAfterFrom, Consumer<RevokedEntry> sink) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT serial, revoked_at, revocation_reason FROM revocations"
                    + " WHERE issuer_dn = ?" + (notAfterFrom.isPresent() ? " AND not_after >= ?" : ""))) {
                ps.setString(1, issuerDn);
                if (notAfterFrom.isPresent()) {
                    Sql.setInstant(ps, 2, notAfterFrom.get());
                }
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(new RevokedEntry(new BigInteger(rs.getString(1), 16), Sql.instant(rs, "revoked_at"),
                                RevocationReason.valueOf(rs.getString(3))));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public long revokedCount(String issuerDn, Optional<Instant> notAfterFrom) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM revocations WHERE issuer_dn = ?"
                    + (notAfterFrom.isPresent() ? " AND not_after >= ?" : ""))) {
                ps.setString(1, issuerDn);
                if (notAfterFrom.isPresent()) {
                    Sql.setInstant(ps, 2, notAfterFrom.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public long count() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM certificates");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Counted from the not_after index and the revocations table, never by reading every certificate: a scan of a
     * million-row table takes seconds, and the dashboard asks on every visit. Read committed, not repeatable read:
     * H2 answers a repeatable-read COUNT(*) by scanning the table. A write between two of the statements can skew a
     * difference by one for that moment, so none goes below zero.
     */
    @Override
    public CertificateCounts counts(Instant now, Instant expiringBefore) {
        return db.inTransaction(c -> {
            long total = count(c, "SELECT COUNT(*) FROM certificates");
            long revoked = count(c, "SELECT COUNT(*) FROM revocations");
            long current = count(c, "SELECT COUNT(*) FROM certificates WHERE not_after >= ?", now);
            long revokedCurrent = count(c, "SELECT COUNT(*) FROM revocations WHERE not_after >= ?", now);
            long soon = count(c, "SELECT COUNT(*) FROM certificates WHERE not_after >= ? AND not_after < ?", now,
                    expiringBefore);
            long revokedSoon = count(c, "SELECT COUNT(*) FROM revocations WHERE not_after >= ? AND not_after < ?", now,
                    expiringBefore);
            long active = Math.max(0, current - revokedCurrent);
            long expired = Math.max(0, (total - current) - (revoked - revokedCurrent)); // expired, never revoked
            return new CertificateCounts(total, active, revoked, expired, Math.max(0, soon - revokedSoon));
        });
    }

    private static long count(Connection c, String sql, Instant... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Sql.setInstant(ps, i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static CertificateRecord read(ResultSet rs) throws SQLException {
        String sans = rs.getString("sans");
        String reason = rs.getString("revocation_reason");
        return new CertificateRecord(new BigInteger(rs.getString("serial"), 16), rs.getString("issuer_dn"),
                rs.getString("subject_dn"), sans.isEmpty() ? List.of() : Arrays.asList(sans.split("\n")),
                Sql.instant(rs, "not_before"), Sql.instant(rs, "not_after"),
                CertificateStatus.valueOf(rs.getString("status")), Sql.optionalInstant(rs, "revoked_at"),
                Optional.ofNullable(reason).map(RevocationReason::valueOf),
                Optional.ofNullable(rs.getString("transaction_id")), rs.getString("requester"),
                CertificateProfile.valueOf(rs.getString("profile")), Sql.instant(rs, "issued_at"),
                rs.getString("sha256"), rs.getBytes("der"), new IssuedFor(Optional.ofNullable(rs.getString("endpoint")),
                        Optional.ofNullable(rs.getString("challenge_id")), Optional.ofNullable(rs.getString("device_note")),
                        Optional.ofNullable(rs.getString("device_serial")), Optional.ofNullable(rs.getString("device_udid")),
                        Optional.ofNullable(rs.getString("intune_device_id"))));
    }

    /** Keyset pagination position: (issued_at, serial) of the last row returned. */
    private record Cursor(Instant issuedAt, String serial) {
        String encode() {
            String raw = issuedAt.toString() + "|" + serial;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
                int bar = raw.indexOf('|');
                String serial = raw.substring(bar + 1);
                if (!serial.matches("[0-9a-f]{1,42}")) {
                    throw new IllegalArgumentException("bad serial");
                }
                return new Cursor(Instant.parse(raw.substring(0, bar)), serial);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid cursor");
            }
        }
    }
}
