package org.scepca.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateCounts;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.Page;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.ApiException.FieldError;
import org.scepca.server.cli.Durations;
import org.scepca.server.profiles.AcmeOptions;
import org.scepca.server.profiles.ChallengeSource;
import org.scepca.server.profiles.GeneratedProfile;
import org.scepca.server.profiles.ProfileOptionException;
import org.scepca.server.profiles.ProfileOptions;
import org.scepca.server.profiles.ProfileService;
import org.scepca.profiles.Preset;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The admin API's operations under {@code /api/v1}, each a {@link Route}. Reads need the viewer role, changes the
 * admin role; every change is written to the audit log with the acting identity.
 */
final class AdminApi {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 500;
    /** The dashboard's "expiring soon" horizon. */
    static final int EXPIRING_SOON_DAYS = 30;

    private final CertificateAuthority ca;
    private final Optional<ProfileService> profiles;
    private final IntSupplier scepPort;
    private final byte[] openApiDocument;

    /**
     * @param profiles profile generation, if this server offers it
     * @param scepPort the SCEP connector's port, for the default SCEP URL of a profile
     */
    AdminApi(CertificateAuthority ca, Optional<ProfileService> profiles, IntSupplier scepPort) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.profiles = Objects.requireNonNull(profiles, "profiles is null");
        this.scepPort = Objects.requireNonNull(scepPort, "scepPort is null");
        this.openApiDocument = loadOpenApi();
    }

    static byte[] loadOpenApi() {
        try (InputStream in = AdminApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }

    List<Route> routes() {
        List<Route> r = new ArrayList<>();
        r.add(new Route("GET", "/openapi.json", Optional.empty(), this::openApi));
        r.add(Route.get("/me", AdminRole.VIEWER, this::me));
        r.add(Route.get("/dashboard", AdminRole.VIEWER, this::dashboard));
        r.add(Route.get("/ca", AdminRole.VIEWER, this::caInfo));
        r.add(Route.get("/ca/chain", AdminRole.VIEWER, this::chain));
        r.add(Route.get("/ca/crl", AdminRole.VIEWER, this::crl));
        r.add(Route.get("/endpoints", AdminRole.VIEWER, this::listEndpoints));
        r.add(Route.get("/replicas", AdminRole.VIEWER, this::listReplicas));
        r.add(Route.get("/challenges", AdminRole.VIEWER, this::listChallenges));
        r.add(Route.post("/challenges", AdminRole.ADMIN, this::createChallenge));
        r.add(Route.delete("/challenges/{id}", AdminRole.ADMIN, this::deleteChallenge));
        r.add(Route.get("/certificates", AdminRole.VIEWER, this::listCertificates));
        r.addAll(new OperationsApi(ca).routes());
        r.addAll(new AcmeDevicesApi(ca).routes());
        r.add(Route.get("/certificates/{serial}", AdminRole.VIEWER, this::showCertificate));
        r.add(Route.post("/certificates/{serial}/revoke", AdminRole.ADMIN, this::revoke));
        r.add(Route.get("/requests", AdminRole.VIEWER, this::listRequests));
        r.add(Route.post("/requests/{transactionId}/approve", AdminRole.ADMIN, this::approve));
        r.add(Route.post("/requests/{transactionId}/reject", AdminRole.ADMIN, this::reject));
        r.add(Route.get("/profiles", AdminRole.VIEWER, this::profileDefaults));
        // Admin: a generic profile carries a freshly minted one-time challenge.
        r.add(Route.post("/profiles/batch", AdminRole.ADMIN, this::profileBatch));
        r.add(Route.post("/profiles/{preset}", AdminRole.ADMIN, this::createProfile));
        r.add(Route.post("/jamf/scep-challenge", AdminRole.ENROLLER, this::jamfScepChallenge).withBasicAuth());
        return r;
    }

    // --- representations only this class returns

    public record IdentityView(String name, String role, String authenticatedBy) {
    }

    public record DashboardView(CountsView certificates, int expiringWithinDays, long pendingRequests,
            long activeChallenges, String issuingCaNotAfter, long issuingCaDaysLeft, String rootNotAfter,
            boolean nextCaStaged, List<String> warnings) {
    }

    public record CountsView(long total, long active, long revoked, long expired, long expiringSoon) {
        static CountsView of(CertificateCounts c) {
            return new CountsView(c.total(), c.active(), c.revoked(), c.expired(), c.expiringSoon());
        }
    }

    public record ListView<T>(List<T> items, String next) {
    }

    public record ApprovedView(RequestView request, CertificateView certificate) {
    }

    public record ProfileDefaultsView(boolean available, List<String> presets, String defaultScepUrl,
            boolean staticChallengeConfigured, String defaultChallengeTtl, List<String> protocols,
            String defaultAcmeDirectoryUrl) {
    }

    // --- handlers

    private void openApi(Exchange ex) throws IOException {
        ex.response().setContentType("application/json");
        ex.response().setHeader("Cache-Control", "max-age=300");
        ex.response().getOutputStream().write(openApiDocument);
    }

    private void me(Exchange ex) throws IOException {
        AdminIdentity id = ex.identity();
        ex.json(200, new IdentityView(id.name(), id.role().id(),
                id.source() == AdminIdentity.Source.TOKEN ? "token" : "client-certificate"));
    }

    private void dashboard(Exchange ex) throws IOException {
        Instant now = ca.clock().instant();
        CertificateCounts counts = ca.certificates().counts(now, now.plus(Duration.ofDays(EXPIRING_SOON_DAYS)));
        Instant caNotAfter = ca.material().intermediateCertificate().getNotAfter().toInstant();
        ex.json(200, new DashboardView(CountsView.of(counts), EXPIRING_SOON_DAYS,
                ca.requests().count(RequestStatus.PENDING), ca.challenges().countActive(), caNotAfter.toString(),
                Duration.between(now, caNotAfter).toDays(),
                ca.material().root().getNotAfter().toInstant().toString(), ca.material().next().isPresent(),
                org.scepca.ca.material.CaLifetime.warning(ca.material().intermediateCertificate(), now)
                        .map(List::of).orElse(List.of())));
    }

    private void caInfo(Exchange ex) throws IOException {
        ex.json(200, CaInfoView.of(ca.material(), ca.crls().current().crl()));
    }

    private void chain(Exchange ex) throws IOException {
        ex.download("application/x-pem-file", "chain.pem", Pem.encodeAll(ca.material().chain()));
    }

    private void crl(Exchange ex) throws IOException {
        CrlService.Published p = ca.crls().current();
        String format = ex.query("format").orElse("der").toLowerCase(Locale.ROOT);
        switch (format) {
            case "der" -> ex.download("application/pkix-crl", "intermediate.crl", p.der());
            case "pem" -> ex.download("application/x-pem-file", "intermediate-crl.pem",
                    Pem.encode(p.crl()).getBytes(StandardCharsets.US_ASCII));
            default -> throw ApiException.validation("format", "format must be der or pem");
        }
    }

    /** An enrollment endpoint as the API shows it. */
    public record EndpointView(String name, String path, List<String> auth, boolean manualApproval, long validityDays,
            List<String> eku, List<String> subjectAttributes, List<String> sanTypes, String subjectTemplate,
            List<String> sanTemplates, boolean renewal, long renewalWindowDays, boolean getCaCertIncludesRoot,
            boolean reportsToIntune) {
        static EndpointView of(org.scepca.ca.endpoint.EnrollmentEndpoint e) {
            var p = e.policy();
            String template = e.names().subjectTemplate().stream().map(r -> r.attribute() + "=" + r.value())
                    .collect(java.util.stream.Collectors.joining(","));
            return new EndpointView(e.name(), e.path(), e.authorization().stream().map(Authorization::id).sorted().toList(),
                    e.manualApproval(), p.validity().toDays(), p.clientEkus(), p.subjectAttributes().stream().sorted().toList(),
                    p.sanTypes().stream().map(t -> t.name().toLowerCase(Locale.ROOT)).sorted().toList(),
                    template.isEmpty() ? null : template, e.names().sanTemplates(), e.renewal().enabled(),
                    e.renewal().window().toDays(), e.includeRootInCaCert(), e.reportToIntune());
        }
    }

    private void listEndpoints(Exchange ex) throws IOException {
        List<EndpointView> items = ca.endpoints().all().stream().sorted(java.util.Comparator.comparing(
                (org.scepca.ca.endpoint.EnrollmentEndpoint e) -> !e.isDefault()).thenComparing(e -> e.name()))
                .map(EndpointView::of).toList();
        ex.json(200, new ListView<>(items, null));
    }

    /** The server processes on this database: live ones refreshed their row within {@link org.scepca.ca.store.Replicas#LIVE}. */
    record ReplicaView(String id, String host, String version, String startedAt, String lastSeen, boolean live) {
    }

    private void listReplicas(Exchange ex) throws IOException {
        java.time.Instant since = ca.clock().instant().minus(org.scepca.ca.store.Replicas.LIVE);
        List<ReplicaView> items = new org.scepca.ca.store.Replicas(ca.database(), ca.clock()).list().stream()
                .map(x -> new ReplicaView(x.id(), x.host(), x.version(), x.startedAt().toString(),
                        x.lastSeen().toString(), !x.lastSeen().isBefore(since))).toList();
        ex.json(200, new ListView<>(items, null));
    }

    private void listChallenges(Exchange ex) throws IOException {
        List<ChallengeView> items = ca.challenges().listActive(1000).stream().map(ChallengeView::of).toList();
        ex.json(200, new ListView<>(items, null));
    }

    private void createChallenge(Exchange ex) throws IOException {
        Bodies.CreateChallengeRequest body = ex.body(Bodies.CreateChallengeRequest.class);
        List<FieldError> errors = new ArrayList<>();
        Duration ttl = ttl(body.ttl(), errors);
        Optional<String> note = Optional.ofNullable(body.note()).map(String::strip).filter(s -> !s.isEmpty());
        if (note.isPresent() && note.get().length() > 256) {
            errors.add(new FieldError("note", "note must be at most 256 characters"));
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(ChallengeService.MAX_TTL) > 0)) {
            errors.add(new FieldError("ttl", "ttl must be between 1 second and " + ChallengeService.MAX_TTL.toDays()
                    + " days"));
        }
        Optional<NameBinding> binding = binding(body.subject(), body.sans(), errors);
        String endpoint = body.endpoint() == null || body.endpoint().isBlank() ? ChallengeOrigin.DEFAULT_ENDPOINT
                : body.endpoint().strip();
        endpointAccepting(endpoint, Authorization.ONE_TIME, "endpoint", errors);
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        ChallengeService.MintedChallenge minted = ca.challenges().mint(ttl, note, binding, ChallengeOrigin.admin(endpoint));
        ex.audit(AuditLine.op("challenge-create").token("id", minted.id()).token("expires", minted.expiresAt())
                .token("bound", String.valueOf(binding.isPresent())).token("outcome", "created").token("serial", "-")
                .text("subject", "-").token("device", "-").token("scep_endpoint", endpoint));
        ex.response().setHeader("Location", "/api/v1/challenges/" + minted.id());
        ex.json(201, ChallengeView.Created.of(minted.id(), minted.secret(), minted.expiresAt(), note.orElse(null),
                binding, endpoint));
    }

    /** Adds a field error unless {@code name} is a configured endpoint that accepts {@code kind} challenges. */
    private void endpointAccepting(String name, Authorization kind, String field, List<FieldError> errors) {
        Optional<org.scepca.ca.endpoint.EnrollmentEndpoint> e = ca.endpoints().find(name);
        if (e.isEmpty()) {
            errors.add(new FieldError(field, "no endpoint '" + name + "'; configured: " + ca.endpoints().all().stream()
                    .map(x -> x.name()).sorted().collect(java.util.stream.Collectors.joining(", "))));
        } else if (!e.get().allows(kind)) {
            errors.add(new FieldError(field, "endpoint '" + name + "' does not accept " + kind.id() + " challenges (its auth: "
                    + e.get().authorization().stream().map(Authorization::id).sorted()
                            .collect(java.util.stream.Collectors.joining(",")) + ")"));
        }
    }

    /** A challenge's name binding from request fields; a bad pattern is a field error naming it. */
    private static Optional<NameBinding> binding(String subject, List<String> sans, List<FieldError> errors) {
        List<String> sanList = sans == null ? List.of() : sans;
        if (sanList.stream().anyMatch(java.util.Objects::isNull)) {
            errors.add(new FieldError("sans", "sans must be strings"));
            return Optional.empty();
        }
        try {
            return NameBinding.of(Optional.ofNullable(subject), sanList);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(e.getMessage().startsWith("subject") ? "subject" : "sans", e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Jamf Pro's dynamic challenge: its SCEPChallenge webhook posts the event here and uses the response body, as is,
     * as the SCEP payload's Challenge. We mint a one-time challenge (one hour: Jamf delivers the profile at once) and
     * note which device it was for, from the event when Jamf sends one.
     */
    private void jamfScepChallenge(Exchange ex) throws IOException {
        // Jamf resolves the profile's $VARIABLES itself and its event does not carry the subject, so the binding is
        // whatever the webhook URL names: ?subject=...&san=... (e.g. subject=regex:O=Example,CN=.* for the fleet).
        List<FieldError> errors = new ArrayList<>();
        String[] sanParams = ex.request().getParameterValues("san");
        Optional<NameBinding> binding = binding(ex.request().getParameter("subject"),
                sanParams == null ? List.of() : List.of(sanParams), errors);
        // ?endpoint=NAME: the endpoint whose SCEP payload this webhook serves (one webhook per Jamf profile).
        String endpoint = Optional.ofNullable(ex.request().getParameter("endpoint")).map(String::strip)
                .filter(s -> !s.isEmpty()).orElse(ChallengeOrigin.DEFAULT_ENDPOINT);
        endpointAccepting(endpoint, Authorization.JAMF, "endpoint", errors);
        // Jamf's SCEPChallenge event names the device the profile is being sent to (event.targetDevice, or the event
        // itself in older versions): the challenge is then good for that device's serial number and UDID only,
        // wherever the endpoint's subject/SAN template puts $SERIALNUMBER and $UDID.
        Optional<com.fasterxml.jackson.databind.JsonNode> event = ex.lenientJson().map(n -> n.path("event"));
        Optional<com.fasterxml.jackson.databind.JsonNode> target = event.map(e -> e.path("targetDevice").isObject()
                ? e.path("targetDevice") : e);
        Optional<String> serial = target.map(t -> firstText(t, "serialNumber")).filter(s -> !s.isEmpty());
        Optional<String> udid = target.map(t -> firstText(t, "udid")).filter(s -> !s.isEmpty());
        for (var v : List.of(java.util.Map.entry("event.targetDevice.serialNumber", serial),
                java.util.Map.entry("event.targetDevice.udid", udid))) {
            if (v.getValue().isPresent() && !ChallengeOrigin.DEVICE_ID.matcher(v.getValue().get().toUpperCase(Locale.ROOT)).matches()) {
                errors.add(new FieldError(v.getKey(), "must be 1 to 64 letters, digits or dashes"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        String device = serial.or(() -> udid).or(() -> target.map(t -> firstText(t, "deviceName", "managementId")))
                .orElse("");
        String note = ("jamf" + (device.isEmpty() ? "" : ":" + device)).replaceAll("[^\\p{Graph} ]", "?");
        ChallengeService.MintedChallenge minted = ca.challenges().mint(Duration.ofHours(1),
                Optional.of(note.length() > 200 ? note.substring(0, 200) : note), binding,
                new ChallengeOrigin(endpoint, ChallengeOrigin.Source.JAMF, serial, udid));
        ex.audit(AuditLine.op("challenge-create").token("id", minted.id()).token("expires", minted.expiresAt())
                .token("via", "jamf-webhook").token("bound", String.valueOf(binding.isPresent())).token("outcome", "created").token("serial", "-").text("subject", "-")
                .text("device", device.isEmpty() ? "-" : device).token("scep_endpoint", endpoint));
        ex.response().setStatus(200);
        ex.response().setContentType("text/plain; charset=US-ASCII");
        ex.response().setHeader("Cache-Control", "no-store");
        ex.response().getOutputStream().write(minted.secret().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String firstText(com.fasterxml.jackson.databind.JsonNode node, String... names) {
        for (String n : names) {
            if (node.path(n).isTextual() && !node.path(n).asText().isBlank()) {
                return node.path(n).asText().strip();
            }
        }
        return "";
    }

    /** Seconds as a JSON number, or "60m" / "12h" / "7d" / "PT1H" as a string; absent means 60 minutes. */
    private static Duration ttl(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return Duration.ofMinutes(60);
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Duration.ofSeconds(node.longValue());
        }
        if (node.isTextual()) {
            try {
                return Durations.parse(node.textValue());
            } catch (RuntimeException e) {
                errors.add(new FieldError("ttl", "ttl must be seconds or a duration like 60m, 12h, 7d"));
                return null;
            }
        }
        errors.add(new FieldError("ttl", "ttl must be seconds or a duration like 60m, 12h, 7d"));
        return null;
    }

    private void deleteChallenge(Exchange ex) throws IOException {
        String id = ex.path("id");
        if (!ca.challenges().delete(id)) {
            throw ApiException.notFound("no challenge with id " + id);
        }
        ex.audit(AuditLine.op("challenge-delete").token("id", id).token("outcome", "deleted").token("serial", "-")
                .text("subject", "-").token("device", "-"));
        ex.noContent();
    }

    private void listCertificates(Exchange ex) throws IOException {
        Instant now = ca.clock().instant();
        CertificateQuery query = certificateQuery(ex, now);
        if (CsvExport.wanted(ex)) {
            CsvExport.certificates(ex, q -> page(q, now), query, now);
            return;
        }
        Page<CertificateRecord> page = page(query, now);
        ex.json(200, new ListView<>(page.items().stream().map(r -> CertificateView.of(r, now)).toList(),
                page.nextCursor().orElse(null)));
    }

    private Page<CertificateRecord> page(CertificateQuery query, Instant now) {
        try {
            return ca.certificates().list(query, now);
        } catch (IllegalArgumentException e) {
            // The store's only argument check here is the opaque cursor.
            throw ApiException.validation("cursor", "invalid cursor: pass back the 'next' value of a previous page");
        }
    }

    /** The certificate search of the query string (the JSON listing and the CSV export take the same). */
    private CertificateQuery certificateQuery(Exchange ex, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        CertificateQuery.State state = CertificateQuery.State.ALL;
        Optional<String> status = ex.query("status");
        if (status.isPresent()) {
            try {
                state = CertificateQuery.State.valueOf(status.get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("status", "status must be all, active, revoked or expired"));
            }
        }
        Optional<String> text = ex.query("q");
        if (text.isPresent() && text.get().length() > 200) {
            errors.add(new FieldError("q", "q must be at most 200 characters"));
        }
        Optional<Instant> expiringBefore = ex.query("expiringWithinDays")
                .map(v -> intParam("expiringWithinDays", v, 0, 3650, errors)).map(d -> now.plus(Duration.ofDays(d)));
        Optional<Instant> issuedAfter = ex.query("issuedAfter").map(v -> instantParam("issuedAfter", v, errors));
        Optional<Instant> issuedBefore = ex.query("issuedBefore").map(v -> instantParam("issuedBefore", v, errors));
        int limit = ex.query("limit").map(v -> intParam("limit", v, 1, MAX_PAGE, errors)).orElse(DEFAULT_PAGE);
        Optional<String> cursor = ex.query("cursor");
        if (cursor.isPresent() && cursor.get().length() > 200) {
            errors.add(new FieldError("cursor", "invalid cursor"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        Optional<String> device = ex.query("device").map(String::strip).filter(s -> !s.isEmpty());
        if (device.isPresent() && device.get().length() > 64) {
            throw ApiException.validation("device", "device must be at most 64 characters");
        }
        Optional<String> endpointFilter = ex.query("endpoint").map(String::strip).filter(s -> !s.isEmpty());
        if (endpointFilter.isPresent() && ca.endpoints().find(endpointFilter.get()).isEmpty()) {
            throw ApiException.validation("endpoint", "no endpoint '" + endpointFilter.get() + "'");
        }
        return new CertificateQuery(state, text, expiringBefore, issuedAfter, issuedBefore, cursor,
                limit, device, endpointFilter);
    }

    static Integer intParam(String name, String v, int min, int max, List<FieldError> errors) {
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError(name, name + " must be a whole number from " + min + " to " + max));
        return min;
    }

    /** RFC 3339 instant (2026-01-31T12:00:00Z) or a date (2026-01-31, meaning its start in UTC). */
    static Instant instantParam(String name, String v, List<FieldError> errors) {
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(name, name + " must be a date (2026-01-31) or a UTC time (2026-01-31T12:00:00Z)"));
            return Instant.EPOCH;
        }
    }

    private CertificateRecord certificate(Exchange ex) {
        BigInteger serial;
        try {
            serial = SerialNumbers.parse(ex.path("serial"));
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("serial", "serial must be hexadecimal (colons allowed)");
        }
        return ca.certificates().find(serial)
                .orElseThrow(() -> ApiException.notFound("no certificate with serial " + serial.toString(16)));
    }

    private void showCertificate(Exchange ex) throws IOException {
        CertificateRecord r = certificate(ex);
        Optional<String> format = ex.query("format").map(f -> f.toLowerCase(Locale.ROOT));
        if (format.isEmpty() || format.get().equals("json")) {
            ex.json(200, CertificateView.of(r, ca.clock().instant()));
            return;
        }
        switch (format.get()) {
            case "pem" -> ex.download("application/x-pem-file", r.serialHex() + ".pem",
                    Pem.encode(Pem.certificate(r.der())).getBytes(StandardCharsets.US_ASCII));
            case "der" -> ex.download("application/pkix-cert", r.serialHex() + ".cer", r.der());
            default -> throw ApiException.validation("format", "format must be json, pem or der");
        }
    }

    private void revoke(Exchange ex) throws IOException {
        CertificateRecord before = certificate(ex);
        Bodies.RevokeRequest body = ex.body(Bodies.RevokeRequest.class);
        RevocationReason reason;
        try {
            reason = body.reason() == null ? RevocationReason.UNSPECIFIED : RevocationReason.parse(body.reason());
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("reason", "reason must be one of unspecified, keyCompromise,"
                    + " affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn");
        }
        if (before.status() == CertificateStatus.REVOKED) {
            throw alreadyRevoked(before);
        }
        var outcome = ca.revocation().revoke(before.serial(), reason, ex.identity().actor());
        if (!outcome.changed()) {
            throw alreadyRevoked(outcome.certificate());
        }
        ex.json(200, CertificateView.of(outcome.certificate(), ca.clock().instant()));
    }

    private static ApiException alreadyRevoked(CertificateRecord r) {
        return ApiException.conflict("already-revoked", "certificate " + r.serialHex() + " was already revoked at "
                + r.revokedAt().map(Instant::toString).orElse("?"));
    }

    private void listRequests(Exchange ex) throws IOException {
        List<FieldError> errors = new ArrayList<>();
        Optional<RequestStatus> status = Optional.of(RequestStatus.PENDING);
        Optional<String> s = ex.query("status");
        if (s.isPresent()) {
            if (s.get().equalsIgnoreCase("all")) {
                status = Optional.empty();
            } else {
                try {
                    status = Optional.of(RequestStatus.valueOf(s.get().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldError("status", "status must be pending, issued, rejected or all"));
                }
            }
        }
        int limit = ex.query("limit").map(v -> intParam("limit", v, 1, 1000, errors)).orElse(100);
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        ex.json(200, new ListView<>(ca.requests().list(status, limit).stream().map(RequestView::of).toList(), null));
    }

    private RequestRecord pending(String transactionId) {
        RequestRecord r = ca.requests().find(transactionId)
                .orElseThrow(() -> ApiException.notFound("no request with transaction id " + transactionId));
        if (r.status() != RequestStatus.PENDING) {
            throw notPending(r);
        }
        return r;
    }

    private static ApiException notPending(RequestRecord r) {
        return ApiException.conflict("not-pending", "request " + r.transactionId() + " is "
                + r.status().name().toLowerCase(Locale.ROOT) + ", not pending");
    }

    private void approve(Exchange ex) throws IOException {
        String txid = ex.path("transactionId");
        ex.body(Bodies.ApproveRequest.class);
        pending(txid);
        IssuedCertificate issued;
        try {
            issued = ca.approvals().approve(txid, ex.identity().actor());
        } catch (PolicyViolationException e) {
            // The policy's message says which rule the CSR broke; it names no internals.
            throw new ApiException(422, "policy-violation", "Refused by policy", e.getMessage());
        } catch (IllegalStateException | ConflictException e) {
            throw notPending(ca.requests().find(txid).orElseThrow());
        }
        Instant now = ca.clock().instant();
        ex.json(200, new ApprovedView(RequestView.of(ca.requests().find(txid).orElseThrow()),
                CertificateView.of(issued.record(), now)));
    }

    private void reject(Exchange ex) throws IOException {
        String txid = ex.path("transactionId");
        Bodies.RejectRequest body = ex.body(Bodies.RejectRequest.class);
        String reason = Optional.ofNullable(body.reason()).map(String::strip).filter(x -> !x.isEmpty())
                .orElse("rejected by an operator");
        if (reason.length() > 512) {
            throw ApiException.validation("reason", "reason must be at most 512 characters");
        }
        pending(txid);
        try {
            ca.approvals().reject(txid, reason, ex.identity().actor());
        } catch (IllegalStateException e) {
            throw notPending(ca.requests().find(txid).orElseThrow());
        }
        ex.json(200, RequestView.of(ca.requests().find(txid).orElseThrow()));
    }

    // --- profiles (org.scepca.server.profiles.ProfileService)

    /** JSON field names for the option names ProfileService reports (the CLI's spelling). */
    private static final java.util.Map<String, String> PROFILE_FIELDS = java.util.Map.ofEntries(
            java.util.Map.entry("url", "scepUrl"), java.util.Map.entry("san-dns", "sanDns"),
            java.util.Map.entry("san-uri", "sanUri"), java.util.Map.entry("san-email", "sanEmail"),
            java.util.Map.entry("key-size", "keySize"), java.util.Map.entry("key-usage", "keyUsage"),
            java.util.Map.entry("retry-delay", "retryDelaySeconds"), java.util.Map.entry("display-name", "displayName"),
            java.util.Map.entry("renewal-days", "renewalDays"), java.util.Map.entry("jamf-challenge", "challenge"),
            java.util.Map.entry("static-challenge", "challenge"), java.util.Map.entry("challenge-ttl", "challengeTtl"),
            java.util.Map.entry("intermediate", "includeIntermediate"), java.util.Map.entry("signing-p12", "sign"),
            java.util.Map.entry("identifier-prefix", "identifierPrefix"),
            java.util.Map.entry("directory-url", "directoryUrl"),
            java.util.Map.entry("client-identifier", "clientIdentifier"),
            java.util.Map.entry("acme-key-type", "acmeKeyType"), java.util.Map.entry("acme-key-size", "acmeKeySize"),
            java.util.Map.entry("hardware-bound", "hardwareBound"), java.util.Map.entry("usage-flags", "usageFlags"),
            java.util.Map.entry("eku", "extendedKeyUsage"),
            java.util.Map.entry("options", "body"));

    private ProfileService profileService() {
        return profiles.orElseThrow(() -> ApiException.notFound("this server does not generate profiles"));
    }

    private String defaultScepUrl(Exchange ex) {
        return ca.config().publicBaseUrl().map(u -> u + "/scep")
                .orElseGet(() -> "http://" + hostForUrl(ex.request().getServerName()) + ":" + scepPort.getAsInt() + "/scep");
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private void profileDefaults(Exchange ex) throws IOException {
        ex.json(200, new ProfileDefaultsView(profiles.isPresent(),
                java.util.Arrays.stream(Preset.values()).map(Preset::id).toList(), defaultScepUrl(ex),
                ca.config().staticChallenge().isPresent(), ProfileOptions.DEFAULT_CHALLENGE_TTL.toDays() + "d",
                List.of("scep", "acme", "both"), profiles.flatMap(ProfileService::defaultAcmeDirectoryUrl).orElse(null)));
    }

    private void createProfile(Exchange ex) throws IOException {
        ProfileService service = profileService();
        Preset preset;
        try {
            preset = Preset.fromId(ex.path("preset"));
        } catch (RuntimeException e) {
            throw ApiException.validation("preset", "preset must be generic, jamf or intune");
        }
        Bodies.CreateProfileRequest body = ex.body(Bodies.CreateProfileRequest.class);
        List<FieldError> errors = new ArrayList<>();
        ProfileOptions.Builder b = ProfileOptions.builder(preset,
                Optional.ofNullable(body.scepUrl()).map(String::strip).filter(u -> !u.isEmpty())
                        .orElseGet(() -> defaultScepUrl(ex)));
        b.subject(blankToNull(body.subject())).sanDns(blankToNull(body.sanDns())).sanUri(blankToNull(body.sanUri()))
                .sanEmail(blankToNull(body.sanEmail())).displayName(blankToNull(body.displayName()))
                .organization(blankToNull(body.organization())).renewalDays(body.renewalDays())
                .identifierPrefix(blankToNull(body.identifierPrefix()));
        Optional.ofNullable(body.keySize()).ifPresent(b::keySize);
        Optional.ofNullable(body.keyUsage()).ifPresent(b::keyUsage);
        Optional.ofNullable(body.retries()).ifPresent(b::retries);
        Optional.ofNullable(body.retryDelaySeconds()).ifPresent(b::retryDelaySeconds);
        Optional.ofNullable(body.includeIntermediate()).ifPresent(b::includeIntermediate);
        Optional.ofNullable(body.sign()).ifPresent(b::sign);
        if (body.challenge() != null) {
            try {
                b.challenge(ChallengeSource.valueOf(body.challenge().strip().replace('-', '_').toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("challenge", "challenge must be auto, one-time, static or dynamic"));
            }
        }
        challengeTtl(body.challengeTtl(), b, errors);
        String protocol = body.protocol() == null ? "scep" : body.protocol().strip().toLowerCase(Locale.ROOT);
        if (!List.of("scep", "acme", "both").contains(protocol)) {
            errors.add(new FieldError("protocol", "protocol must be scep, acme or both"));
        }
        if (body.extendedKeyUsage() != null && body.extendedKeyUsage().contains(null)) {
            errors.add(new FieldError("extendedKeyUsage", "extendedKeyUsage must hold OID strings"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        GeneratedProfile scep = null;
        GeneratedProfile acme = null;
        try {
            ProfileOptions options = b.build();
            if (!protocol.equals("scep")) {
                // First: it mints nothing, so a bad ACME option leaves no SCEP challenge behind.
                acme = service.generateAcme(options, AcmeOptions.of(blankToNull(body.directoryUrl()),
                        blankToNull(body.clientIdentifier()), blankToNull(body.acmeKeyType()), body.acmeKeySize(),
                        body.hardwareBound(), body.attest(), body.usageFlags(), body.extendedKeyUsage()),
                        ex.identity().actor());
            }
            if (!protocol.equals("acme")) {
                scep = service.generate(options, ex.identity().actor());
            }
        } catch (ProfileOptionException e) {
            throw ApiException.validation(PROFILE_FIELDS.getOrDefault(e.field(), e.field()), e.detail());
        }
        HttpServletResponse resp = ex.response();
        GeneratedProfile main = scep != null ? scep : acme;
        resp.setHeader("Scepca-Challenge-Kind", main.challenge().kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        main.challenge().id().ifPresent(id -> resp.setHeader("Scepca-Challenge-Id", id));
        main.challenge().expiresAt().ifPresent(t -> resp.setHeader("Scepca-Challenge-Expires", t.toString()));
        resp.setHeader("Scepca-Profile-Signed", String.valueOf(main.signed()));
        if (scep == null || acme == null) {
            ex.download(GeneratedProfile.CONTENT_TYPE, main.fileName(), main.mobileconfig());
            return;
        }
        // Two profiles, not one with both payloads: see docs/profiles.md ("SCEP and ACME side by side").
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(zipped)) {
            for (GeneratedProfile p : List.of(scep, acme)) {
                zip.putNextEntry(new java.util.zip.ZipEntry(p.fileName()));
                zip.write(p.mobileconfig());
                zip.closeEntry();
            }
        }
        ex.download("application/zip", "scepca-" + scep.preset().id() + "-scep-acme.zip", zipped.toByteArray());
    }

    /** Devices per batch request: the CSV of this many fits the admin connector's 64 KiB request limit. */
    static final int MAX_BATCH_DEVICES = 250;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = AdminServer.jsonMapper();
    private static final int MAX_BATCH_BODY = 60 * 1024;

    /**
     * One generic profile per device of a CSV list, as {@code scepca profile batch --strict} makes them: each with its
     * own one-time challenge bound to the device's subject and SANs. The list is checked whole first (any bad line is a
     * 400 naming its line, and nothing is minted); the answer is a ZIP of {@code <serial|udid|name>.mobileconfig} plus
     * {@code summary.json}.
     */
    private void profileBatch(Exchange ex) throws IOException {
        ProfileService service = profileService();
        Bodies.ProfileBatchRequest body = ex.body(Bodies.ProfileBatchRequest.class, MAX_BATCH_BODY);
        if (body.csv() == null || body.csv().isBlank()) {
            throw ApiException.validation("csv", "csv is required: the device list with a header row (name, serial, udid, user)");
        }
        org.scepca.server.batch.DeviceList.Parsed list = org.scepca.server.batch.DeviceList.parse(
                body.csv().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<FieldError> errors = new ArrayList<>();
        list.errors().forEach(e -> errors.add(new FieldError("csv", e.toString())));
        if (list.devices().size() > MAX_BATCH_DEVICES) {
            errors.add(new FieldError("csv", list.devices().size() + " devices; at most " + MAX_BATCH_DEVICES
                    + " per request (send several)"));
        }
        if (list.devices().isEmpty() && errors.isEmpty()) {
            errors.add(new FieldError("csv", "the list holds no device"));
        }
        ProfileOptions.Builder b = ProfileOptions.builder(Preset.GENERIC,
                Optional.ofNullable(body.scepUrl()).map(String::strip).filter(u -> !u.isEmpty())
                        .orElseGet(() -> defaultScepUrl(ex)))
                .challenge(ChallengeSource.ONE_TIME).identifierPrefix(blankToNull(body.identifierPrefix()))
                .organization(blankToNull(body.organization())).displayName(blankToNull(body.displayName()));
        Optional.ofNullable(body.keySize()).ifPresent(b::keySize);
        Optional.ofNullable(body.includeIntermediate()).ifPresent(b::includeIntermediate);
        Optional.ofNullable(body.sign()).ifPresent(b::sign);
        challengeTtl(body.challengeTtl(), b, errors);
        if (!errors.isEmpty()) {
            throw ApiException.validation(errors);
        }
        ProfileOptions template;
        try {
            template = b.build();
        } catch (ProfileOptionException e) {
            throw ApiException.validation(PROFILE_FIELDS.getOrDefault(e.field(), e.field()), e.detail());
        }
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        org.scepca.server.batch.ProfileBatch.Summary summary;
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(zipped)) {
            java.util.Set<String> names = new java.util.HashSet<>();
            org.scepca.server.batch.ProfileBatch.Sink sink = new org.scepca.server.batch.ProfileBatch.Sink() {
                @Override
                public boolean exists(String fileName) {
                    return names.contains(fileName);
                }

                @Override
                public void write(String fileName, byte[] profile) throws IOException {
                    names.add(fileName);
                    zip.putNextEntry(new java.util.zip.ZipEntry(fileName));
                    zip.write(profile);
                    zip.closeEntry();
                }
            };
            summary = new org.scepca.server.batch.ProfileBatch(service, template, Optional.empty(),
                    ex.identity().actor()).run(list.devices(), sink, false, true, (i, n, o) -> { });
            List<java.util.Map<String, Object>> rows = new ArrayList<>();
            for (org.scepca.server.batch.ProfileBatch.Outcome o : summary.outcomes()) {
                java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("device", o.device().label());
                row.put("file", o.fileName());
                row.put("status", o.status().name().toLowerCase(Locale.ROOT));
                o.challengeId().ifPresent(id -> row.put("challengeId", id));
                o.detail().ifPresent(d -> row.put("detail", d));
                rows.add(row);
            }
            zip.putNextEntry(new java.util.zip.ZipEntry("summary.json"));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(rows));
            zip.closeEntry();
        }
        HttpServletResponse resp = ex.response();
        resp.setHeader("Scepca-Profiles-Written", Long.toString(summary.count(org.scepca.server.batch.ProfileBatch.Status.WRITTEN)));
        resp.setHeader("Scepca-Profiles-Failed", Long.toString(summary.count(org.scepca.server.batch.ProfileBatch.Status.FAILED)));
        ex.download("application/zip", "profiles.zip", zipped.toByteArray());
    }

    /** A profile body's {@code challengeTtl} (seconds or "7d"), if given, into the builder; errors name the field. */
    private static void challengeTtl(JsonNode value, ProfileOptions.Builder b, List<FieldError> errors) {
        if (value == null || value.isNull()) {
            return;
        }
        List<FieldError> ttlErrors = new ArrayList<>();
        Duration ttl = ttl(value, ttlErrors);
        ttlErrors.forEach(e -> errors.add(new FieldError("challengeTtl", e.message().replace("ttl", "challengeTtl"))));
        if (ttl != null) {
            b.challengeTtl(ttl);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
