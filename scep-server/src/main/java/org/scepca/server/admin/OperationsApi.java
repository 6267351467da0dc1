package org.scepca.server.admin;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditEvent;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.audit.AuditQuery;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.Page;
import org.scepca.ca.store.TokenRecord;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.ca.tokens.TokenService;
import org.scepca.server.admin.ApiException.FieldError;

/**
 * The admin API for running a fleet (issue 14): the searchable audit trail, expiries per week for the dashboard,
 * revoking a selection of certificates at once, and API token management.
 */
final class OperationsApi {
    /** A bulk revocation's body: up to {@link RevocationService#MAX_BULK} serials of up to 40 hex digits and a reason. */
    static final int MAX_BULK_BODY_BYTES = 60 * 1024;
    static final int DEFAULT_WEEKS = 26;
    static final int MAX_WEEKS = 104;

    private final CertificateAuthority ca;

    OperationsApi(CertificateAuthority ca) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
    }

    List<Route> routes() {
        return List.of(
                Route.get("/audit", AdminRole.VIEWER, this::audit),
                Route.get("/stats/expiry", AdminRole.VIEWER, this::expiry),
                Route.post("/certificates/revoke", AdminRole.ADMIN, this::revokeMany),
                // Token names and use are for admins: a viewer has no business with who else holds access.
                Route.get("/tokens", AdminRole.ADMIN, this::listTokens),
                Route.post("/tokens", AdminRole.ADMIN, this::createToken),
                Route.delete("/tokens/{id}", AdminRole.ADMIN, this::revokeToken));
    }

    // --- representations

    public record AuditEventView(String id, String at, String op, String txid, String endpoint, String subject,
            String device, String serial, String outcome, String actor, String line) {
        static AuditEventView of(AuditEvent e) {
            return new AuditEventView(e.id(), e.at().toString(), e.op(), e.txid().orElse(null),
                    e.endpoint().orElse(null), e.subject().orElse(null), e.device().orElse(null),
                    e.serial().orElse(null), e.outcome().orElse(null), e.actor().orElse(null), e.line());
        }
    }

    public record WeekView(String start, String end, long count) {
    }

    public record ExpiryView(String from, int weeks, long total, List<WeekView> items) {
    }

    public record BulkItemView(String serial, String outcome, CertificateView certificate) {
    }

    public record BulkRevokeView(String reason, int revoked, int alreadyRevoked, int unknown, List<BulkItemView> items) {
    }

    public record TokenView(String id, String name, String role, String status, String createdAt, String lastUsedAt,
            String revokedAt) {
        static TokenView of(TokenRecord t) {
            return new TokenView(t.id(), t.name(), t.role().id(), t.isRevoked() ? "revoked" : "active",
                    t.createdAt().toString(), t.lastUsedAt().map(Instant::toString).orElse(null),
                    t.revokedAt().map(Instant::toString).orElse(null));
        }
    }

    public record CreatedTokenView(String id, String name, String role, String createdAt, String token) {
    }

    /** {@code POST /certificates/revoke}. */
    record BulkRevokeRequest(List<String> serials, String reason) {
    }

    /** {@code POST /tokens}; role defaults to viewer. */
    record CreateTokenRequest(String name, String role) {
    }

    // --- audit

    private void audit(Exchange ex) throws IOException {
        List<FieldError> errors = new ArrayList<>();
        Optional<String> serial = ex.query("serial");
        if (serial.isPresent()) {
            try {
                serial = Optional.of(SerialNumbers.parse(serial.get()).toString(16));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("serial", "serial must be hexadecimal (colons allowed)"));
            }
        }
        Optional<String> device = bounded(ex, "device", 256, errors);
        Optional<String> actor = bounded(ex, "actor", 256, errors);
        Optional<String> outcome = bounded(ex, "outcome", 64, errors);
        Optional<String> op = bounded(ex, "op", 64, errors);
        Optional<Instant> from = ex.query("from").map(v -> AdminApi.instantParam("from", v, errors));
        Optional<Instant> to = ex.query("to").map(v -> AdminApi.instantParam("to", v, errors));
        int limit = ex.query("limit").map(v -> AdminApi.intParam("limit", v, 1, AuditQuery.MAX_LIMIT, errors))
                .orElse(AdminApi.DEFAULT_PAGE);
        Optional<String> cursor = ex.query("cursor");
        if (cursor.isPresent() && !org.scepca.ca.audit.AuditIds.isId(cursor.get())) {
            errors.add(new FieldError("cursor", "invalid cursor: pass back the 'next' value of a previous page"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        Page<AuditEvent> page = ca.auditTrail().search(new AuditQuery(serial, device, actor, outcome, op, from, to,
                cursor, limit));
        ex.json(200, new AdminApi.ListView<>(page.items().stream().map(AuditEventView::of).toList(),
                page.nextCursor().orElse(null)));
    }

    private static Optional<String> bounded(Exchange ex, String name, int max, List<FieldError> errors) {
        Optional<String> v = ex.query(name);
        if (v.isPresent() && v.get().length() > max) {
            errors.add(new FieldError(name, name + " must be at most " + max + " characters"));
            return Optional.empty();
        }
        return v;
    }

    // --- expiry per week

    private void expiry(Exchange ex) throws IOException {
        List<FieldError> errors = new ArrayList<>();
        int weeks = ex.query("weeks").map(v -> AdminApi.intParam("weeks", v, 1, MAX_WEEKS, errors)).orElse(DEFAULT_WEEKS);
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        Instant now = ca.clock().instant();
        long[] counts = ca.certificates().expiringPerWeek(now, weeks);
        List<WeekView> items = new ArrayList<>(weeks);
        long total = 0;
        for (int i = 0; i < weeks; i++) {
            items.add(new WeekView(now.plus(Duration.ofDays(7L * i)).toString(),
                    now.plus(Duration.ofDays(7L * (i + 1))).toString(), counts[i]));
            total += counts[i];
        }
        ex.json(200, new ExpiryView(now.toString(), weeks, total, items));
    }

    // --- bulk revocation

    private void revokeMany(Exchange ex) throws IOException {
        BulkRevokeRequest body = ex.body(BulkRevokeRequest.class, MAX_BULK_BODY_BYTES);
        List<FieldError> errors = new ArrayList<>();
        RevocationReason reason = RevocationReason.UNSPECIFIED;
        if (body.reason() != null) {
            try {
                reason = RevocationReason.parse(body.reason());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("reason", "reason must be one of unspecified, keyCompromise,"
                        + " affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn"));
            }
        }
        List<BigInteger> serials = new ArrayList<>();
        if (body.serials() == null || body.serials().isEmpty()) {
            errors.add(new FieldError("serials", "serials must list at least one serial"));
        } else if (body.serials().size() > RevocationService.MAX_BULK) {
            errors.add(new FieldError("serials", "at most " + RevocationService.MAX_BULK + " serials at once (got "
                    + body.serials().size() + ")"));
        } else {
            for (int i = 0; i < body.serials().size(); i++) {
                String s = body.serials().get(i);
                try {
                    serials.add(SerialNumbers.parse(Objects.requireNonNull(s)));
                } catch (RuntimeException e) {
                    errors.add(new FieldError("serials." + i, "serial must be hexadecimal (colons allowed)"));
                    if (errors.size() >= 10) {
                        break; // enough to show what is wrong
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        // One transaction, one CRL published before we answer, one audit line per certificate (RevocationService).
        List<RevocationService.BulkOutcome> outcomes = ca.revocation().revokeAll(serials, reason, ex.identity().actor());
        Instant now = ca.clock().instant();
        List<BulkItemView> items = outcomes.stream().map(o -> new BulkItemView(o.serial().toString(16), o.outcome(),
                o.certificate().map(c -> CertificateView.of(c, now)).orElse(null))).toList();
        ex.json(200, new BulkRevokeView(reason.rfcName(), count(outcomes, "revoked"), count(outcomes, "already-revoked"),
                count(outcomes, "unknown-serial"), items));
    }

    private static int count(List<RevocationService.BulkOutcome> outcomes, String outcome) {
        return (int) outcomes.stream().filter(o -> o.outcome().equals(outcome)).count();
    }

    // --- tokens

    private void listTokens(Exchange ex) throws IOException {
        List<TokenView> items = ca.tokens().list().stream()
                .sorted(java.util.Comparator.comparing(TokenRecord::isRevoked)
                        .thenComparing(TokenRecord::createdAt, java.util.Comparator.reverseOrder()))
                .map(TokenView::of).toList();
        ex.json(200, new AdminApi.ListView<>(items, null));
    }

    private void createToken(Exchange ex) throws IOException {
        CreateTokenRequest body = ex.body(CreateTokenRequest.class);
        List<FieldError> errors = new ArrayList<>();
        AdminRole role = AdminRole.VIEWER;
        if (body.role() != null) {
            try {
                role = AdminRole.parse(body.role());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("role", "role must be viewer, admin or enroller"));
            }
        }
        String name = body.name() == null ? "" : body.name().strip();
        if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
            errors.add(new FieldError("name", "name must be 1 to 64 letters, digits, '.', '_', '@' or '-'"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        TokenService.MintedToken minted = ca.tokens().create(name, role);
        TokenRecord r = minted.record();
        ex.audit(AuditLine.op("admin-token-create").token("id", r.id()).token("name", r.name()).token("role", role.id())
                .token("outcome", "created").token("serial", "-").text("subject", "-").token("device", "-"));
        ex.response().setHeader("Location", "/api/v1/tokens/" + r.id());
        ex.json(201, new CreatedTokenView(r.id(), r.name(), role.id(), r.createdAt().toString(), minted.token()));
    }

    private void revokeToken(Exchange ex) throws IOException {
        String id = ex.path("id");
        // By id only here: the console lists ids, and a name may be shared by several tokens.
        TokenRecord t = ca.tokens().list().stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no token with id " + id));
        if (t.isRevoked()) {
            throw ApiException.conflict("already-revoked", "token " + t.id() + " was already revoked at "
                    + t.revokedAt().orElseThrow());
        }
        TokenRecord revoked;
        try {
            revoked = ca.tokens().revoke(t.id());
        } catch (IllegalArgumentException e) {
            throw ApiException.conflict("already-revoked", "token " + t.id() + " was already revoked");
        }
        ex.audit(AuditLine.op("admin-token-revoke").token("id", revoked.id()).token("name", revoked.name())
                .token("outcome", "revoked").token("serial", "-").text("subject", "-").token("device", "-"));
        ex.json(200, TokenView.of(revoked));
    }
}
