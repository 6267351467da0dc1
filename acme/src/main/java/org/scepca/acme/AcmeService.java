package org.scepca.acme;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;

import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.JwsVerifier.KeyForm;
import org.scepca.acme.OrderStore.Authorization;
import org.scepca.acme.OrderStore.Challenge;
import org.scepca.acme.OrderStore.Order;
import org.scepca.acme.OrderStore.Status;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.policy.ValidatedCsr;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME core of one endpoint (RFC 8555): (method, path below {@code /acme/NAME}, bounded body) in,
 * {@link AcmeResponse} out, no HTTP server here. Every answer carries a fresh Replay-Nonce (section 6.5), a problem
 * too, so that a client can retry a badNonce at once, and the directory's {@code index} link (section 7.1). All
 * protocol state is in the database ({@link NonceStore}, {@link AccountStore}, {@link OrderStore}): any replica can
 * serve any request, and a validation whose replica died is taken over by the next replica a client polls.
 */
public final class AcmeService {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a pending order (and its authorizations) stays usable. */
    public static final Duration ORDER_LIFETIME = Duration.ofDays(7);
    /** How long one replica owns a validation before another may take it over (validations take at most ~20 s). */
    static final Duration VALIDATION_LEASE = Duration.ofSeconds(60);
    /** What a client waits before polling a challenge, authorization or order that is being processed (7.5.1). */
    static final String RETRY_AFTER = "2";
    static final int MAX_ORDERS_LISTED = 100;
    private static final Pattern PERMANENT_ID = org.scepca.ca.policy.PermanentIdentifiers.VALUE;
    /** One device's identifiers: a serial number, a UDID, or both (each attested with the one key the CSR has). */
    private static final int MAX_DEVICE_IDENTIFIERS = 2;
    private static final Pattern ALL_DIGITS_LABEL = Pattern.compile(".*\\.[0-9]+$|[0-9]+");

    private final String endpoint;
    private final Directory directory;
    private final NonceStore nonces;
    private final AccountStore accounts;
    private final OrderStore orders;
    private final Map<String, ChallengeValidator> validators;
    private final AcmeIssuer issuer;
    private final Executor executor;
    private final Clock clock;
    private final JwsVerifier verifier;

    /**
     * @param validators the challenge types this endpoint offers, by type, in the order offered
     * @param executor   bounded: runs validations (a full queue leaves the validation to be taken over on a poll)
     */
    public AcmeService(String endpoint, Directory directory, NonceStore nonces, AccountStore accounts,
            OrderStore orders, Map<String, ChallengeValidator> validators, AcmeIssuer issuer, Executor executor,
            Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        this.directory = Objects.requireNonNull(directory, "directory is null");
        this.nonces = Objects.requireNonNull(nonces, "nonces is null");
        this.accounts = Objects.requireNonNull(accounts, "accounts is null");
        this.orders = Objects.requireNonNull(orders, "orders is null");
        this.validators = new LinkedHashMap<>(validators);
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.executor = Objects.requireNonNull(executor, "executor is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.verifier = new JwsVerifier(nonces, accounts);
        validators.forEach((type, v) -> {
            if (!type.equals(v.type())) {
                throw new IllegalArgumentException("validator " + v.type() + " registered as " + type);
            }
        });
        if (validators.isEmpty()) {
            throw new IllegalArgumentException("an ACME endpoint offers at least one challenge type");
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public Directory directory() {
        return directory;
    }

    /**
     * @param method HTTP method
     * @param path   the path below the endpoint's base, e.g. {@code directory}, {@code acct/ID}
     * @param body   the request body, already bounded by the adapter
     * @throws StoreUnavailableException when the database cannot be reached (the adapter answers 503)
     */
    public AcmeResponse handle(String method, String path, byte[] body) {
        try {
            return route(method, path, body);
        } catch (AcmeProblem p) {
            return AcmeResponse.problem(p, headers());
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("ACME {} {} on {} failed: {}", method, path, endpoint, e.toString());
            return AcmeResponse.problem(new AcmeProblem(Type.SERVER_INTERNAL, "the server could not complete the"
                    + " request"), headers());
        }
    }

    /** A problem found before the core (the adapter's content type and size checks), with the usual headers. */
    public AcmeResponse handleProblem(AcmeProblem p) {
        return AcmeResponse.problem(p, headers());
    }

    private AcmeResponse route(String method, String path, byte[] body) {
        if (path.equals("directory") && (method.equals("GET") || method.equals("HEAD"))) {
            return AcmeResponse.json(200, directory.toJson(), Map.of());
        }
        if (path.equals("new-nonce")) {
            // Section 7.2: HEAD answers 200, GET 204; the nonce must not be cached.
            Map<String, String> h = headers();
            h.put("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                return new AcmeResponse(200, h, new byte[0]);
            }
            if (method.equals("GET")) {
                return new AcmeResponse(204, h, new byte[0]);
            }
        }
        if (!method.equals("POST")) {
            throw new AcmeProblem(Type.MALFORMED, "ACME resources other than the directory and newNonce take POST"
                    + " (section 6.3: POST-as-GET)", 405, Map.of("Allow", "POST"));
        }
        String url = directory.url(path);
        String[] seg = path.split("/", -1);
        switch (seg[0]) {
            case "new-account":
                if (seg.length == 1) {
                    return newAccount(verifier.verify(body, url, KeyForm.JWK));
                }
                break;
            case "acct":
                if (seg.length == 2) {
                    return account(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                if (seg.length == 3 && seg[2].equals("orders")) {
                    return accountOrders(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "key-change":
                if (seg.length == 1) {
                    return keyChange(verifier.verify(body, url, KeyForm.KID), url);
                }
                break;
            case "new-order":
                if (seg.length == 1) {
                    return newOrder(verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "order":
                if (seg.length == 2) {
                    return order(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                if (seg.length == 3 && seg[2].equals("finalize")) {
                    return finalize(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "authz":
                if (seg.length == 2) {
                    return authorization(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "chall":
                if (seg.length == 2) {
                    return challenge(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "cert":
                if (seg.length == 2) {
                    return certificate(seg[1], verifier.verify(body, url, KeyForm.KID));
                }
                break;
            case "revoke-cert":
                if (seg.length == 1) {
                    return revoke(verifier.verify(body, url, KeyForm.EITHER));
                }
                break;
            default:
                break;
        }
        throw AcmeProblem.notFound("ACME resource: " + path);
    }

    // ---- accounts (section 7.3) ----

    private AcmeResponse newAccount(JwsVerifier.Verified req) {
        JsonNode payload = payload(req);
        Optional<String> contact = contact(payload);
        AccountStore.Account account;
        if (payload.path("onlyReturnExisting").asBoolean(false)) {
            account = accounts.findByKey(req.key()).orElseThrow(() -> new AcmeProblem(Type.ACCOUNT_DOES_NOT_EXIST,
                    "no account for this key"));
        } else {
            account = accounts.findOrCreate(req.key(), contact);
        }
        if (account.status() != AccountStore.Status.VALID) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "the account of this key is deactivated");
        }
        Map<String, String> h = headers();
        h.put("Location", accounts.url(account.id()));
        return AcmeResponse.json(account.created() ? 201 : 200, accountJson(account), h);
    }

    private AcmeResponse account(String id, JwsVerifier.Verified req) {
        requireSelf(id, req);
        JsonNode payload = req.postAsGet() ? JSON.createObjectNode() : payload(req);
        if (payload.has("status")) {
            if (!"deactivated".equals(payload.path("status").asText(null))) {
                throw new AcmeProblem(Type.MALFORMED, "an account's status can only be set to deactivated");
            }
            accounts.deactivate(id);
        }
        AccountStore.Account account = accounts.find(id).orElseThrow(
                () -> new AcmeProblem(Type.ACCOUNT_DOES_NOT_EXIST, "no such account"));
        Map<String, String> h = headers();
        h.put("Location", accounts.url(id));
        return AcmeResponse.json(200, accountJson(account), h);
    }

    private AcmeResponse accountOrders(String id, JwsVerifier.Verified req) {
        requireSelf(id, req);
        List<String> urls = orders.orderIds(id, MAX_ORDERS_LISTED).stream().map(o -> directory.url("order/" + o))
                .toList();
        return AcmeResponse.json(200, Map.of("orders", urls), headers());
    }

    /** Section 7.3: only the account itself reads or changes its resource. */
    private void requireSelf(String id, JwsVerifier.Verified req) {
        if (!req.accountUrl().orElseThrow().equals(accounts.url(id))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "an account can only read or change itself");
        }
    }

    /** Section 7.3.5: the outer JWS by the old key (kid), the inner by the new key (jwk), naming each other. */
    private AcmeResponse keyChange(JwsVerifier.Verified outer, String url) {
        String accountUrl = outer.accountUrl().orElseThrow();
        String id = accountId(outer);
        JwsVerifier.Verified inner = verifier.verifyInner(outer.payload(), url);
        JsonNode p = parse(inner.payload(), "the inner payload");
        if (!accountUrl.equals(p.path("account").asText(null))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "the inner payload's account is not the signing account");
        }
        JWK oldKey;
        try {
            // A missing oldKey would serialise to "", which Nimbus parses to no object at all (a NullPointerException).
            if (!p.path("oldKey").isObject()) {
                throw new java.text.ParseException("oldKey is not a JSON object", 0);
            }
            oldKey = JWK.parse(JSON.writeValueAsString(p.path("oldKey")));
        } catch (java.text.ParseException | JsonProcessingException e) {
            throw new AcmeProblem(Type.MALFORMED, "the inner payload's oldKey is not a JWK");
        }
        if (!JwsVerifier.thumbprint(oldKey).equals(JwsVerifier.thumbprint(outer.key()))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "oldKey is not the account's current key");
        }
        Optional<String> holder = accounts.changeKey(id, outer.key(), inner.key());
        if (holder.isPresent()) {
            throw new AcmeProblem(Type.MALFORMED, "the new key is another account's key", 409,
                    Map.of("Location", accounts.url(holder.get())));
        }
        AuditLine.op("acme-key-change").token("txid", "-").token("outcome", "changed")
                .token("endpoint", auditEndpoint()).token("actor", "acme:" + id).log();
        return AcmeResponse.json(200, accountJson(accounts.find(id).orElseThrow()), headers());
    }

    private Map<String, Object> accountJson(AccountStore.Account account) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("status", account.status() == AccountStore.Status.VALID ? "valid" : "deactivated");
        account.contact().ifPresent(c -> a.put("contact", List.of(c.split("\n"))));
        a.put("orders", accounts.url(account.id()) + "/orders");
        return a;
    }

    private static Optional<String> contact(JsonNode payload) {
        JsonNode c = payload.path("contact");
        if (c.isMissingNode() || c.isNull()) {
            return Optional.empty();
        }
        if (!c.isArray() || c.size() > 4) {
            throw new AcmeProblem(Type.MALFORMED, "contact must be an array of at most 4 URLs");
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode u : c) {
            if (!u.isTextual() || !u.asText().startsWith("mailto:") || u.asText().contains("\n")
                    || u.asText().length() > 320) {
                throw new AcmeProblem(Type.UNSUPPORTED_CONTACT, "contact URLs must be mailto: URLs");
            }
            s.append(s.isEmpty() ? "" : "\n").append(u.asText());
        }
        return s.isEmpty() ? Optional.empty() : Optional.of(s.toString());
    }

    // ---- orders (section 7.4) ----

    private AcmeResponse newOrder(JwsVerifier.Verified req) {
        String accountId = accountId(req);
        JsonNode p = payload(req);
        if (p.has("notBefore") || p.has("notAfter")) {
            throw new AcmeProblem(Type.MALFORMED, "notBefore and notAfter are not supported: the endpoint's policy"
                    + " sets the validity");
        }
        JsonNode ids = p.path("identifiers");
        int max = issuer.policy().limits().maxSans();
        if (!ids.isArray() || ids.isEmpty() || ids.size() > max) {
            throw new AcmeProblem(Type.MALFORMED, "identifiers must be an array of 1 to " + max + " identifiers");
        }
        Set<Identifier> wanted = new LinkedHashSet<>();
        for (JsonNode i : ids) {
            if (!i.isObject() || !i.path("type").isTextual() || !i.path("value").isTextual()) {
                throw new AcmeProblem(Type.MALFORMED, "an identifier is an object with type and value");
            }
            wanted.add(new Identifier(i.get("type").asText(), i.get("value").asText()));
        }
        boolean dns = wanted.stream().anyMatch(Identifier::isDns);
        if (dns && wanted.stream().anyMatch(i -> !i.isDns())) {
            throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "an order is for dns names or for one device, not both");
        }
        if (wanted.stream().filter(i -> i.type().equals(Identifier.PERMANENT)).count() > MAX_DEVICE_IDENTIFIERS) {
            throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "an order is for one device: its serial number, its UDID"
                    + " or both");
        }
        List<Identifier> list = new ArrayList<>(wanted);
        List<List<String>> challenges = new ArrayList<>();
        for (Identifier i : list) {
            checkIdentifier(i);
            List<String> types = validators.values().stream().filter(v -> v.supports(i)).map(ChallengeValidator::type)
                    .toList();
            if (types.isEmpty()) {
                throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "no challenge type offered here can validate "
                        + i.value() + (i.isWildcard() ? " (a wildcard needs dns-01)" : ""));
            }
            challenges.add(types);
        }
        Order order = orders.create(accountId, list, challenges, ORDER_LIFETIME);
        AuditLine.op("acme-new-order").token("txid", order.id()).text("subject", names(list))
                .token("outcome", "pending").token("endpoint", auditEndpoint()).text("device", names(list))
                .token("actor", "acme:" + accountId).log();
        Map<String, String> h = headers();
        h.put("Location", directory.url("order/" + order.id()));
        return AcmeResponse.json(201, orderJson(order), h);
    }

    /** An identifier this endpoint may issue for: its type offered, its name within the endpoint's policy. */
    private void checkIdentifier(Identifier i) {
        IssuancePolicy policy = issuer.policy();
        switch (i.type()) {
            case Identifier.DNS -> {
                String v = i.value();
                if (v.length() > 253 || !IssuancePolicy.DNS_NAME.matcher(v).matches()) {
                    throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "'" + v + "' is not a dns name");
                }
                if (ALL_DIGITS_LABEL.matcher(v).matches()) {
                    throw new AcmeProblem(Type.REJECTED_IDENTIFIER, v + " looks like an IP address; ip identifiers are"
                            + " not supported");
                }
                if (!policy.sanTypes().contains(SanType.DNS)) {
                    throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "this endpoint's policy allows no dns names");
                }
                Pattern pattern = policy.sanPatterns().get(SanType.DNS);
                if (pattern != null && !pattern.matcher(v).matches()) {
                    throw new AcmeProblem(Type.REJECTED_IDENTIFIER, v + " is outside this endpoint's policy"
                            + " (san-dns-pattern)");
                }
            }
            case Identifier.PERMANENT -> {
                if (!validators.containsKey("device-attest-01")) {
                    throw new AcmeProblem(Type.UNSUPPORTED_IDENTIFIER, "permanent-identifier is validated by"
                            + " device-attest-01, which this endpoint does not offer");
                }
                if (!PERMANENT_ID.matcher(i.value()).matches()) {
                    throw new AcmeProblem(Type.REJECTED_IDENTIFIER, "a permanent-identifier is a serial number or"
                            + " UDID (letters, digits, '-')");
                }
            }
            default -> throw new AcmeProblem(Type.UNSUPPORTED_IDENTIFIER, "identifier type '" + i.type()
                    + "' is not supported; dns" + (validators.containsKey("device-attest-01")
                            ? " and permanent-identifier are" : " is"));
        }
    }

    private AcmeResponse order(String id, JwsVerifier.Verified req) {
        Order order = ownOrder(id, req);
        Map<String, String> h = headers();
        if (effective(order) == Status.PROCESSING) {
            h.put("Retry-After", RETRY_AFTER);
        }
        return AcmeResponse.json(200, orderJson(order), h);
    }

    private Order ownOrder(String id, JwsVerifier.Verified req) {
        Order order = orders.order(id).orElseThrow(() -> AcmeProblem.notFound("order"));
        if (!order.accountId().equals(accountId(req))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "the order belongs to another account");
        }
        return order;
    }

    /** The order's status as of now: a pending or ready order past its expiry is invalid (section 7.1.6). */
    private Status effective(Order o) {
        // (No order is stored as processing any more: finalize goes from ready to valid in one transaction. One that an
        // earlier version left processing by a crash is invalid once it expires.)
        if ((o.status() == Status.PENDING || o.status() == Status.READY || o.status() == Status.PROCESSING)
                && o.expires().isBefore(clock.instant())) {
            return Status.INVALID;
        }
        return o.status();
    }

    private Map<String, Object> orderJson(Order o) {
        Map<String, Object> m = new LinkedHashMap<>();
        Status status = effective(o);
        m.put("status", status.json());
        m.put("expires", o.expires().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("identifiers", o.identifiers().stream().map(Identifier::toJson).toList());
        m.put("authorizations", o.authorizationIds().stream().map(a -> directory.url("authz/" + a)).toList());
        m.put("finalize", directory.url("order/" + o.id() + "/finalize"));
        if (status == Status.VALID) {
            m.put("certificate", directory.url("cert/" + o.id()));
        }
        if (status == Status.INVALID) {
            m.put("error", o.error().map(AcmeService::readJson).orElseGet(() -> AcmeResponse.problemDocument(
                    new AcmeProblem(Type.MALFORMED, "the order expired or one of its authorizations failed"))));
        }
        return m;
    }

    // ---- authorizations and challenges (sections 7.5, 8) ----

    private AcmeResponse authorization(String id, JwsVerifier.Verified req) {
        Authorization a = ownAuthorization(orders.authorization(id), req);
        if (!req.postAsGet()) {
            JsonNode p = payload(req);
            if (!"deactivated".equals(p.path("status").asText(null))) {
                throw new AcmeProblem(Type.MALFORMED, "an authorization's status can only be set to deactivated");
            }
            orders.deactivate(id);
            a = orders.authorization(id).orElseThrow();
        }
        resumeStalled(a);
        Map<String, String> h = headers();
        if (a.challenges().stream().anyMatch(c -> c.status() == Status.PROCESSING)) {
            h.put("Retry-After", RETRY_AFTER);
        }
        return AcmeResponse.json(200, authorizationJson(a), h);
    }

    private AcmeResponse challenge(String id, JwsVerifier.Verified req) {
        Authorization a = ownAuthorization(orders.authorizationOfChallenge(id), req);
        Challenge c = a.challenges().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        if (!req.postAsGet() && c.status() == Status.PENDING) {
            // Section 7.5.1: the client says it is ready; its payload is the challenge response.
            JsonNode response = payload(req);
            ChallengeValidator v = validators.get(c.type());
            if (v == null) {
                throw new AcmeProblem(Type.MALFORMED, c.type() + " is no longer offered by this endpoint");
            }
            v.checkResponse(response);
            if (a.status() != Status.PENDING || a.expires().isBefore(clock.instant())) {
                throw new AcmeProblem(Type.MALFORMED, "the authorization is " + authzStatus(a).json()
                        + "; its challenges can no longer be answered");
            }
            if (orders.startValidation(id, response.toString(), clock.instant().plus(VALIDATION_LEASE))) {
                submit(id);
            }
            a = orders.authorizationOfChallenge(id).orElseThrow();
        } else {
            resumeStalled(a);
        }
        Challenge now = a.challenges().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        Map<String, String> h = headers();
        h.put("Link", h.get("Link") + ", <" + directory.url("authz/" + a.id()) + ">;rel=\"up\"");
        if (now.status() == Status.PROCESSING) {
            h.put("Retry-After", RETRY_AFTER);
        }
        return AcmeResponse.json(200, challengeJson(now), h);
    }

    private Authorization ownAuthorization(Optional<Authorization> found, JwsVerifier.Verified req) {
        Authorization a = found.orElseThrow(() -> AcmeProblem.notFound("authorization or challenge"));
        if (!a.accountId().equals(accountId(req))) {
            throw new AcmeProblem(Type.UNAUTHORIZED, "the authorization belongs to another account");
        }
        return a;
    }

    /** Validations whose replica died (or whose queue was full) are taken over once their lease runs out. */
    private void resumeStalled(Authorization a) {
        Instant now = clock.instant();
        for (Challenge c : a.challenges()) {
            if (c.status() == Status.PROCESSING && c.leaseUntil().map(l -> l.isBefore(now)).orElse(true)
                    && orders.takeOver(c.id(), now, now.plus(VALIDATION_LEASE))) {
                submit(c.id());
            }
        }
    }

    private void submit(String challengeId) {
        try {
            executor.execute(() -> validate(challengeId));
        } catch (RejectedExecutionException e) {
            // The lease runs out and a later poll (on any replica) takes the validation over.
            LOG.warn("ACME validation queue full on {}; challenge {} waits for its lease to run out", endpoint,
                    challengeId);
        }
    }

    /** Runs one validation and stores its outcome (on the executor). */
    void validate(String challengeId) {
        long start = System.nanoTime();
        try {
            Authorization a = orders.authorizationOfChallenge(challengeId).orElseThrow();
            Challenge c = a.challenges().stream().filter(x -> x.id().equals(challengeId)).findFirst().orElseThrow();
            if (c.status() != Status.PROCESSING) {
                return;
            }
            JWK key = accounts.find(a.accountId()).orElseThrow().key();
            ChallengeValidator v = validators.get(c.type());
            ChallengeValidator.Outcome outcome;
            try {
                outcome = v == null ? ChallengeValidator.Outcome.invalid(Type.MALFORMED, c.type()
                        + " is no longer offered by this endpoint")
                        : v.validate(new ChallengeValidator.Attempt(endpoint, a.identifier(), c.token(), key,
                                JwsVerifier.keyAuthorization(c.token(), key), readTree(c.response().orElse("{}"))));
            } catch (RuntimeException e) {
                LOG.error("ACME {} validation of {} failed: {}", c.type(), a.identifier().value(), e.toString());
                outcome = ChallengeValidator.Outcome.invalid(Type.SERVER_INTERNAL, "the validation failed");
            }
            Optional<String> error = outcome.problem().map(p -> writeJson(AcmeResponse.problemDocument(p)));
            boolean stored = orders.finishValidation(challengeId, error,
                    outcome.boundKey().map(k -> Base64.getEncoder().encodeToString(k.getEncoded())), outcome.note());
            AuditLine line = AuditLine.op("acme-challenge").token("txid", challengeId)
                    .text("subject", a.identifier().value()).token("serial", "-")
                    .token("outcome", !stored ? "superseded" : outcome.isValid() ? "valid" : "invalid");
            outcome.problem().ifPresent(p -> line.text("reason", p.type().urn() + ": " + p.detail()));
            line.token("endpoint", auditEndpoint()).text("device", a.identifier().value())
                    .token("actor", "acme:" + a.accountId()).token("challenge", c.type())
                    .token("ms", (System.nanoTime() - start) / 1_000_000).log();
        } catch (RuntimeException e) {
            // Left processing: its lease runs out and a poll retries it.
            LOG.error("ACME validation of challenge {} on {} could not be stored: {}", challengeId, endpoint,
                    e.toString());
        }
    }

    private Status authzStatus(Authorization a) {
        if ((a.status() == Status.PENDING || a.status() == Status.VALID) && a.expires().isBefore(clock.instant())) {
            return Status.EXPIRED;
        }
        return a.status();
    }

    private Map<String, Object> authorizationJson(Authorization a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("identifier", a.identifier().toJson());
        m.put("status", authzStatus(a).json());
        m.put("expires", a.expires().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("challenges", a.challenges().stream().map(this::challengeJson).toList());
        if (a.wildcard()) {
            m.put("wildcard", true);
        }
        return m;
    }

    private Map<String, Object> challengeJson(Challenge c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", c.type());
        m.put("url", directory.url("chall/" + c.id()));
        m.put("status", c.status().json());
        m.put("token", c.token());
        c.validated().ifPresent(v -> m.put("validated", v.truncatedTo(ChronoUnit.SECONDS).toString()));
        c.error().ifPresent(e -> m.put("error", readJson(e)));
        return m;
    }

    // ---- finalize, download (sections 7.4, 7.4.2) ----

    private AcmeResponse finalize(String id, JwsVerifier.Verified req) {
        long start = System.nanoTime();
        Order order = ownOrder(id, req);
        Status status = effective(order);
        if (status != Status.READY) {
            throw new AcmeProblem(Type.ORDER_NOT_READY, "the order is " + status.json() + ", not ready");
        }
        String csrText = payload(req).path("csr").asText("");
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(Base64.getUrlDecoder().decode(csrText));
        } catch (IOException | RuntimeException e) {
            // Whatever the parser throws on hostile input is the client's badCSR, never our serverInternal.
            throw new AcmeProblem(Type.BAD_CSR, "csr is not a base64url DER PKCS#10 request");
        }
        List<Authorization> authz = order.authorizationIds().stream()
                .map(a -> orders.authorization(a).orElseThrow()).toList();
        boolean device = order.identifiers().stream().noneMatch(Identifier::isDns);
        NameRule names = device ? NameRule.any() : exactNames(order.identifiers());
        String accountId = order.accountId();
        try {
            ValidatedCsr v = issuer.engine().validate(csr, names);
            for (Authorization a : authz) {
                if (a.boundKey().isPresent() && !a.boundKey().get().equals(Base64.getEncoder().encodeToString(
                        v.publicKey().getEncoded()))) {
                    throw new AcmeProblem(Type.BAD_CSR, "the CSR's key is not the key " + a.identifier().value()
                            + " was validated for");
                }
                if (device && a.boundKey().isEmpty()) {
                    throw new AcmeProblem(Type.BAD_CSR, "a device order needs an attested key");
                }
            }
        } catch (PolicyViolationException e) {
            audit(order, "refused", "-", "badCSR: " + e.getMessage(), start);
            throw new AcmeProblem(Type.BAD_CSR, e.getMessage());
        } catch (AcmeProblem p) {
            audit(order, "refused", "-", p.type().urn() + ": " + p.detail(), start);
            throw p;
        }
        Optional<String> note = authz.stream().map(Authorization::note).flatMap(Optional::stream).findFirst();
        // An attested device's serial number and UDID go into the record's device columns, so that device search,
        // expiry notices and the console find ACME devices as they find SCEP ones.
        org.scepca.acme.attest.DeviceAttest01Validator.DeviceIds ids = org.scepca.acme.attest.DeviceAttest01Validator
                .deviceIds(note.orElse(null));
        IssuedFor issuedFor = new IssuedFor(Optional.of(endpoint), Optional.empty(),
                note.or(() -> Optional.of("acme order " + id)), ids.serial(), ids.udid(), Optional.empty());
        try {
            // A device certificate names what the attestation proved, as RFC 4043 PermanentIdentifiers the CA writes.
            List<String> attested = device ? order.identifiers().stream().map(Identifier::value).toList() : List.of();
            // The order becomes valid in the transaction that stores the certificate (OrderStore.becomesValid): the
            // order is never left processing by a crash, and a racing second finalize stores nothing.
            // A dns order's names are the certificate's dNSNames, also one the CSR gives in its CN only (section 7.4).
            List<String> dnsNames = device ? List.of() : order.identifiers().stream().map(Identifier::value).toList();
            IssuedCertificate issued = issuer.issue(new IssuanceRequest(csr, "acme:" + accountId,
                    device ? CertificateProfile.CLIENT : CertificateProfile.SERVER,
                    IssuanceEffects.none().andThen(OrderStore.becomesValid(id)), names, issuedFor, attested,
                    dnsNames));
            audit(order, "issued", issued.record().serialHex(), "", start);
        } catch (ConflictException e) {
            if (e.what() != ConflictException.What.NOT_PENDING) {
                throw issuanceFailed(order, e, start);
            }
            audit(order, "refused", "-", "orderNotReady: finalized meanwhile", start);
            throw new AcmeProblem(Type.ORDER_NOT_READY, "the order is being finalized or was finalized already");
        } catch (PolicyViolationException e) {
            orders.fail(id, writeJson(AcmeResponse.problemDocument(new AcmeProblem(Type.BAD_CSR, e.getMessage()))));
            audit(order, "refused", "-", "badCSR: " + e.getMessage(), start);
            throw new AcmeProblem(Type.BAD_CSR, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw e; // nothing was stored: the order is still ready, and the client may finalize again
        } catch (RuntimeException e) {
            throw issuanceFailed(order, e, start);
        }
        Map<String, String> h = headers();
        h.put("Location", directory.url("order/" + id));
        return AcmeResponse.json(200, orderJson(orders.order(id).orElseThrow()), h);
    }

    /** An issuance that failed for a reason of ours: the order becomes invalid with serverInternal. */
    private AcmeProblem issuanceFailed(Order order, RuntimeException e, long start) {
        LOG.error("ACME issuance for order {} on {} failed: {}", order.id(), endpoint, e.toString());
        orders.fail(order.id(), writeJson(AcmeResponse.problemDocument(new AcmeProblem(Type.SERVER_INTERNAL,
                "issuance failed"))));
        audit(order, "error", "-", "issuance failed", start);
        return new AcmeProblem(Type.SERVER_INTERNAL, "issuance failed");
    }

    /**
     * A dns order's CSR names exactly its identifiers (section 7.4): the same dNSName set, nothing else, and a
     * subject that is empty or one CN among those names. Section 7.4 lets a dns identifier appear "either in the
     * commonName portion of the requested subject name or in an extensionRequest attribute [RFC2985] requesting a
     * subjectAltName extension, or both", so the CN counts as one of the CSR's names (the engine then writes it as a
     * dNSName). Names compare ignoring case (RFC 4343). The engine checks the CSR against the endpoint's policy too.
     */
    static NameRule exactNames(List<Identifier> identifiers) {
        Set<String> expected = new TreeSet<>();
        identifiers.forEach(i -> expected.add("dns:" + i.value()));
        return (subject, der, sans) -> {
            Set<String> got = new TreeSet<>();
            for (String s : sans) {
                int colon = s.indexOf(':');
                got.add(colon < 0 ? s : s.substring(0, colon).toLowerCase(Locale.ROOT) + ":"
                        + s.substring(colon + 1).toLowerCase(Locale.ROOT));
            }
            RDN[] subjectRdns = org.bouncycastle.asn1.x500.X500Name.getInstance(der).getRDNs();
            if (subjectRdns.length == 1 && subjectRdns[0].getTypesAndValues().length == 1
                    && subjectRdns[0].getFirst().getType().equals(BCStyle.CN)) {
                String cn = IETFUtils.valueToString(subjectRdns[0].getFirst().getValue()).toLowerCase(Locale.ROOT);
                if (IssuancePolicy.DNS_NAME.matcher(cn).matches()) {
                    got.add("dns:" + cn); // a CN that is no DNS name is refused below as a subject
                }
            }
            if (!got.equals(expected)) {
                Set<String> missing = new TreeSet<>(expected);
                missing.removeAll(got);
                Set<String> extra = new TreeSet<>(got);
                extra.removeAll(expected);
                throw new PolicyViolationException("the CSR's names must be the order's"
                        + (missing.isEmpty() ? "" : "; missing " + missing) + (extra.isEmpty() ? "" : "; not in the order "
                        + extra));
            }
            RDN[] rdns = org.bouncycastle.asn1.x500.X500Name.getInstance(der).getRDNs();
            if (rdns.length == 0) {
                return;
            }
            AttributeTypeAndValue[] atvs = rdns.length == 1 ? rdns[0].getTypesAndValues() : new AttributeTypeAndValue[0];
            if (atvs.length != 1 || !atvs[0].getType().equals(BCStyle.CN) || !expected.contains("dns:"
                    + IETFUtils.valueToString(atvs[0].getValue()).toLowerCase(Locale.ROOT))) {
                throw new PolicyViolationException("the CSR's subject must be empty or a CN that is one of the order's"
                        + " names");
            }
        };
    }

    private void audit(Order order, String outcome, String serial, String reason, long start) {
        AuditLine line = AuditLine.op("acme-finalize").token("txid", order.id()).text("subject", names(
                order.identifiers())).token("serial", serial).token("outcome", outcome);
        if (!reason.isEmpty()) {
            line.text("reason", reason);
        }
        line.token("endpoint", auditEndpoint()).text("device", names(order.identifiers()))
                .token("actor", "acme:" + order.accountId()).token("ms", (System.nanoTime() - start) / 1_000_000)
                .log();
    }

    private AcmeResponse certificate(String orderId, JwsVerifier.Verified req) {
        Order order = ownOrder(orderId, req);
        if (order.status() != Status.VALID || order.certSerial().isEmpty()) {
            throw AcmeProblem.notFound("certificate (the order is " + effective(order).json() + ")");
        }
        CertificateRecord record = issuer.find(new BigInteger(order.certSerial().get(), 16)).orElseThrow(
                () -> AcmeProblem.notFound("certificate"));
        Map<String, String> h = headers();
        h.put("Content-Type", "application/pem-certificate-chain");
        return new AcmeResponse(200, h, issuer.pemChain(record));
    }

    // ---- revocation (section 7.6) ----

    private AcmeResponse revoke(JwsVerifier.Verified req) {
        JsonNode p = payload(req);
        X509Certificate cert;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new java.io.ByteArrayInputStream(Base64.getUrlDecoder().decode(p.path("certificate").asText(""))));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new AcmeProblem(Type.MALFORMED, "certificate is not a base64url DER certificate");
        }
        RevocationReason reason = reason(p.path("reason"));
        CertificateRecord record = issuer.find(cert.getSerialNumber())
                .filter(r -> Arrays.equals(r.der(), derOf(cert)))
                .filter(r -> r.endpointName().equals(endpoint))
                .orElseThrow(() -> new AcmeProblem(Type.UNAUTHORIZED, "this endpoint did not issue that certificate"));
        String actor;
        if (req.accountUrl().isPresent()) {
            // By account: the account that ordered it (section 7.6; authorizations for all its names are not enough
            // here: an account revokes what it was issued).
            String accountId = accountId(req);
            boolean owner = orders.orderOfCertificate(record.serialHex()).map(o -> o.accountId().equals(accountId))
                    .orElse(false);
            if (!owner) {
                throw new AcmeProblem(Type.UNAUTHORIZED, "the certificate was not issued to this account");
            }
            actor = "acme:" + accountId;
        } else {
            // By the certificate's own key: the jwk must be the certificate's public key.
            boolean same;
            try {
                same = req.key() instanceof com.nimbusds.jose.jwk.AsymmetricJWK k && Arrays.equals(
                        k.toPublicKey().getEncoded(), cert.getPublicKey().getEncoded());
            } catch (com.nimbusds.jose.JOSEException e) {
                same = false;
            }
            if (!same) {
                throw new AcmeProblem(Type.UNAUTHORIZED, "the request is signed neither by an account nor by the"
                        + " certificate's key");
            }
            actor = "acme:certkey:" + record.serialHex();
        }
        if (record.status() == CertificateStatus.REVOKED) {
            throw new AcmeProblem(Type.ALREADY_REVOKED, "the certificate is already revoked");
        }
        issuer.revoke(record.serial(), reason, actor, String.join(",", record.subjectAltNames()));
        return new AcmeResponse(200, headers(), new byte[0]);
    }

    private static byte[] derOf(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AcmeProblem(Type.MALFORMED, "the certificate cannot be encoded");
        }
    }

    /** RFC 5280 reason codes an end entity may give (no CA compromise, no hold, no removeFromCRL). */
    private static RevocationReason reason(JsonNode r) {
        if (r.isMissingNode() || r.isNull()) {
            return RevocationReason.UNSPECIFIED;
        }
        if (!r.isInt()) {
            throw new AcmeProblem(Type.BAD_REVOCATION_REASON, "reason must be an RFC 5280 reason code");
        }
        return Arrays.stream(RevocationReason.values()).filter(x -> x.code() == r.asInt()).findFirst().orElseThrow(
                () -> new AcmeProblem(Type.BAD_REVOCATION_REASON, "reason " + r.asInt() + " is not accepted; one of "
                        + Arrays.stream(RevocationReason.values()).map(x -> x.code() + " (" + x.rfcName() + ")")
                                .toList()));
    }

    // ---- helpers ----

    private String accountId(JwsVerifier.Verified req) {
        return accounts.idOf(req.accountUrl().orElseThrow()).orElseThrow();
    }

    private String auditEndpoint() {
        return "acme/" + endpoint;
    }

    private static String names(List<Identifier> ids) {
        return String.join(",", ids.stream().map(Identifier::value).toList());
    }

    private static JsonNode payload(JwsVerifier.Verified req) {
        return parse(req.payload(), "the payload");
    }

    private static JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new AcmeProblem(Type.MALFORMED, what + " must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new AcmeProblem(Type.MALFORMED, what + " is not JSON");
        }
    }

    private static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }

    private static Object readJson(String s) {
        try {
            return JSON.readValue(s, Map.class);
        } catch (IOException e) {
            return Map.of("type", Type.SERVER_INTERNAL.urn());
        }
    }

    private static String writeJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh nonce and the directory's index link, on every answer (sections 6.5, 7.1). */
    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Replay-Nonce", nonces.issue());
        h.put("Link", "<" + directory.url("directory") + ">;rel=\"index\"");
        return h;
    }
}
