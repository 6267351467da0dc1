package org.scepca.intune.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A local HTTPS stand-in for Entra ID, Microsoft Graph and Intune's third-party CA services, following the contract
 * of Microsoft's own clients (microsoft/Intune-Resource-Access, src/CsrValidation) and asserting what a client sends.
 * One server on 127.0.0.1 (port 0) plays every host; it routes by path and records the Host header.
 *
 * <ul>
 * <li>{@code POST /{tenant}/oauth2/v2.0/token}: client credentials with client_secret or a certificate assertion
 * (RS256/PS256 JWT, aud = the token endpoint); the scope must be Graph's or Intune's {@code .default}; tokens are
 * opaque and remembered with their scope.
 * <li>{@code GET /v1.0/servicePrincipals/appId=0000000a-0000-0000-c000-000000000000/endpoints} (Graph token):
 * ScepRequestValidationFEService and PkiConnectorFEService on this server.
 * <li>{@code POST .../ScepActions/validateRequest|successNotification|failureNotification} (Intune token,
 * api-version 2018-02-20): exact body fields, a CSR that parses as PKCS#10, a notification only for a request that
 * was validated with Success (same CSR).
 * <li>{@code POST .../CertificateAuthorityRequests/downloadRevocationRequests|uploadRevocationResults}
 * (api-version 5019-05-05): a queue of revocation requests that a result removes (41xx codes leave it queued).
 * </ul>
 *
 * Every departure from the contract is answered 400/401 and listed in {@link #violations()}; tests assert it empty.
 * Scripting: per-transaction answers, injected statuses and delays per route, moving services, revoking tokens.
 */
public final class FakeIntune implements AutoCloseable {
    public static final String INTUNE_APP_ID = "0000000a-0000-0000-c000-000000000000";
    public static final String DEFAULT_RESOURCE = "https://api.manage.microsoft.com/";
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern SERVICE_PATH = Pattern.compile(
            "/(v\\d+)/(ScepRequestValidationFEService|PkiConnectorFEService)/(.+)");
    private static final String DISCOVERY_PATH = "/v1.0/servicePrincipals/appId=" + INTUNE_APP_ID + "/endpoints";
    private static final int MAX_BODY = 1024 * 1024;

    /** What a request was for. */
    public enum Route {
        TOKEN, DISCOVERY, VALIDATE, SUCCESS_NOTIFICATION, FAILURE_NOTIFICATION, DOWNLOAD_REVOCATIONS,
        UPLOAD_REVOCATIONS, UNKNOWN
    }

    /** One request as received. Header names are lower case; the body is UTF-8 text. */
    public record Recorded(Route route, String method, String host, String path, Map<String, String> headers,
            String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** status 0: answer normally (after the delay); oversized: a 2 MiB JSON answer instead. */
    private record Fault(int status, String retryAfter, Duration delay, boolean oversized) {
        Fault(int status, String retryAfter, Duration delay) {
            this(status, retryAfter, delay, false);
        }
    }

    private final SelfSignedTls tls = new SelfSignedTls();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpsServer server;
    private final ExecutorService executor;
    private final String tenant;
    private final String clientId;
    private final String secret;
    private final String resource;

    // All mutable state below is guarded by 'this'.
    private final List<Recorded> requests = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, String> tokenScopes = new HashMap<>();
    private final Map<String, Integer> tokenRequestsByScope = new HashMap<>();
    private final Set<String> clientRequestIds = new HashSet<>();
    private final Map<Route, Deque<Fault>> nextFaults = new EnumMap<>(Route.class);
    private final Map<Route, Fault> faults = new EnumMap<>(Route.class);
    private final Map<String, String[]> validationAnswers = new HashMap<>();
    private final Map<String, String> validatedCsrs = new HashMap<>();
    private final List<X509Certificate> clientCertificates = new ArrayList<>();
    private final Map<String, Map<String, Object>> pendingRevocations = new LinkedHashMap<>();
    private final List<JsonNode> uploadedResults = new ArrayList<>();
    private String notificationCode = "Success";
    private String serviceVersion = "v1";
    private final AtomicInteger tokenSerial = new AtomicInteger();

    private FakeIntune(String tenant, String clientId, String secret, String resource) {
        this.tenant = tenant;
        this.clientId = clientId;
        this.secret = secret;
        this.resource = resource;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-intune-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake", e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A fake for the public cloud's Intune resource ({@value #DEFAULT_RESOURCE}). */
    public static FakeIntune start() {
        return start(DEFAULT_RESOURCE);
    }

    /** A fake whose Intune tokens must be asked for {@code resource + "/.default"} (national clouds). */
    public static FakeIntune start(String resource) {
        return new FakeIntune(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "secret-" + UUID.randomUUID(), resource);
    }

    // ---------------------------------------------------------------- what a client needs

    /** {@code https://127.0.0.1:PORT}. */
    public String url() {
        return "https://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String tenant() {
        return tenant;
    }

    public String clientId() {
        return clientId;
    }

    /** A TLS context that trusts this fake, and nothing else. */
    public SSLContext clientSslContext() {
        return tls.clientContext();
    }

    /** The fake's TLS certificate (for a trust store file). */
    public X509Certificate tlsCertificate() {
        return tls.certificate();
    }

    /**
     * Writes a PKCS#12 trust store holding only this fake's certificate (for a server started in another process,
     * or for {@code javax.net.ssl.trustStore}); returns {@code file}.
     */
    public Path writeTrustStore(Path file, char[] password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("fake-intune", tls.certificate());
            ks.store(out, password);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot write the trust store", e);
        }
        return file;
    }

    /**
     * {@code intune.*} keys that point every host at this fake, with the client secret written to
     * {@code dir/intune-secret} (mode 600).
     */
    public Properties properties(Path dir) throws IOException {
        Path file = dir.resolve("intune-secret");
        Files.writeString(file, secret + "\n");
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX: fine for a test
        }
        Properties p = new Properties();
        p.setProperty("intune.tenant-id", tenant);
        p.setProperty("intune.client-id", clientId);
        p.setProperty("intune.client-secret-file", file.getFileName().toString());
        p.setProperty("intune.login-url", url());
        p.setProperty("intune.graph-url", url());
        p.setProperty("intune.resource-url", resource);
        return p;
    }

    // ---------------------------------------------------------------- scripting

    /** Intune's answer to validateRequest for this transaction (default: Success). */
    public synchronized FakeIntune answerValidation(String transactionId, String code, String description) {
        validationAnswers.put(transactionId, new String[] {code, description});
        return this;
    }

    /** Intune's code for every notification (default: Success). */
    public synchronized FakeIntune answerNotifications(String code) {
        notificationCode = code;
        return this;
    }

    /** The next {@code times} requests on {@code route} get {@code status} (and Retry-After, if not null). */
    public synchronized FakeIntune failNext(Route route, int times, int status, String retryAfter) {
        Deque<Fault> q = nextFaults.computeIfAbsent(route, r -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(new Fault(status, retryAfter, Duration.ZERO));
        }
        return this;
    }

    public FakeIntune failNext(Route route, int times, int status) {
        return failNext(route, times, status, null);
    }

    /** The next request on {@code route} gets a 200 answer of 2 MiB (a client must not read it all). */
    public synchronized FakeIntune oversizeNext(Route route) {
        nextFaults.computeIfAbsent(route, r -> new ArrayDeque<>()).add(new Fault(200, null, Duration.ZERO, true));
        return this;
    }

    /** Every request on {@code route} gets {@code status} until {@link #heal()}. */
    public synchronized FakeIntune failAlways(Route route, int status) {
        faults.put(route, new Fault(status, null, Duration.ZERO));
        return this;
    }

    /** Every request on {@code route} waits {@code delay} before its answer, until {@link #heal()}. */
    public synchronized FakeIntune delayAlways(Route route, Duration delay) {
        faults.put(route, new Fault(0, null, delay));
        return this;
    }

    /** Ends {@link #failAlways}, {@link #delayAlways} and pending {@link #failNext} faults. */
    public synchronized FakeIntune heal() {
        faults.clear();
        nextFaults.clear();
        return this;
    }

    /**
     * Intune moved the tenant: discovery lists new URIs, and the old ones answer 404 (what Microsoft's clients
     * handle by discovering again).
     */
    public synchronized FakeIntune moveServices() {
        serviceVersion = "v" + (Integer.parseInt(serviceVersion.substring(1)) + 1);
        return this;
    }

    /** Every token issued so far stops being accepted (401), as after a key roll-over. */
    public synchronized FakeIntune revokeTokens() {
        tokenScopes.clear();
        return this;
    }

    /** Accept client assertions signed by this certificate's key (certificate credential). */
    public synchronized FakeIntune trustClientCertificate(X509Certificate certificate) {
        clientCertificates.add(certificate);
        return this;
    }

    /** Intune asks to revoke this certificate (device retired or wiped). */
    public synchronized FakeIntune queueRevocation(String requestContext, String serialNumber, String issuerName,
            String caConfiguration) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("requestContext", requestContext);
        r.put("serialNumber", serialNumber);
        r.put("issuerName", issuerName);
        r.put("caConfiguration", caConfiguration);
        pendingRevocations.put(requestContext, r);
        return this;
    }

    // ---------------------------------------------------------------- what was seen

    public synchronized List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<Recorded> requests(Route route) {
        return requests.stream().filter(r -> r.route() == route).toList();
    }

    public synchronized int count(Route route) {
        return requests(route).size();
    }

    public synchronized int count() {
        return requests.size();
    }

    /** Token requests for {@code scope} (for example {@link #graphScope()}, {@link #intuneScope()}). */
    public synchronized int tokenRequests(String scope) {
        return tokenRequestsByScope.getOrDefault(scope, 0);
    }

    /** The Graph token scope a client of this fake must ask for: its own URL + "/.default". */
    public String graphScope() {
        return url() + "/.default";
    }

    /** The Intune token scope: resource + "/.default" (a double slash for Microsoft's resource). */
    public String intuneScope() {
        return resource + "/.default";
    }

    /** Departures from the contract, in order; empty when the client behaved. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** The results uploaded so far, as sent. */
    public synchronized List<JsonNode> uploadedResults() {
        return List.copyOf(uploadedResults);
    }

    /** Request contexts still waiting for a final result. */
    public synchronized Set<String> pendingRevocations() {
        return new TreeSet<>(pendingRevocations.keySet());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- serving

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = readBody(ex.getRequestBody());
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String path = ex.getRequestURI().getRawPath();
            Route route = route(ex.getRequestMethod(), path);
            Recorded rec = new Recorded(route, ex.getRequestMethod(), headers.getOrDefault("host", ""), path,
                    Map.copyOf(headers), new String(body, StandardCharsets.UTF_8));
            Fault fault;
            synchronized (this) {
                requests.add(rec);
                Deque<Fault> q = nextFaults.get(route);
                fault = q != null && !q.isEmpty() ? q.poll() : faults.get(route);
            }
            if (fault != null && !fault.delay().isZero()) {
                try {
                    Thread.sleep(fault.delay().toMillis());
                } catch (InterruptedException e) {
                    return; // closing
                }
            }
            if (fault != null && fault.oversized()) {
                send(ex, 200, json.createObjectNode().put("padding", "x".repeat(2 * 1024 * 1024)));
                return;
            }
            if (fault != null && fault.status() != 0) {
                if (fault.retryAfter() != null) {
                    ex.getResponseHeaders().add("Retry-After", fault.retryAfter());
                }
                send(ex, fault.status(), error("injected", "injected HTTP " + fault.status()));
                return;
            }
            Reply reply = switch (route) {
                case TOKEN -> token(rec);
                case DISCOVERY -> discovery(rec);
                case VALIDATE, SUCCESS_NOTIFICATION, FAILURE_NOTIFICATION -> scepAction(rec);
                case DOWNLOAD_REVOCATIONS, UPLOAD_REVOCATIONS -> pkiConnector(rec);
                case UNKNOWN -> violation(404, rec, "unexpected request " + rec.method() + " " + path);
            };
            send(ex, reply.status(), reply.body());
        } catch (IOException e) {
            // the client went away (timeout test): nothing to answer
        }
    }

    private record Reply(int status, JsonNode body) {
    }

    private Route route(String method, String path) {
        if ("POST".equals(method) && TOKEN_PATH.matcher(path).matches()) {
            return Route.TOKEN;
        }
        if ("GET".equals(method) && DISCOVERY_PATH.equals(path)) {
            return Route.DISCOVERY;
        }
        Matcher m = SERVICE_PATH.matcher(path);
        if ("POST".equals(method) && m.matches()) {
            return switch (m.group(3)) {
                case "ScepActions/validateRequest" -> Route.VALIDATE;
                case "ScepActions/successNotification" -> Route.SUCCESS_NOTIFICATION;
                case "ScepActions/failureNotification" -> Route.FAILURE_NOTIFICATION;
                case "CertificateAuthorityRequests/downloadRevocationRequests" -> Route.DOWNLOAD_REVOCATIONS;
                case "CertificateAuthorityRequests/uploadRevocationResults" -> Route.UPLOAD_REVOCATIONS;
                default -> Route.UNKNOWN;
            };
        }
        return Route.UNKNOWN;
    }

    // Entra ID: client credentials grant (RFC 6749 §4.4; certificate credential per RFC 7523).
    private synchronized Reply token(Recorded rec) {
        Matcher m = TOKEN_PATH.matcher(rec.path());
        if (!m.matches() || !m.group(1).equals(tenant)) {
            return violation(400, rec, "token request for another tenant: " + rec.path());
        }
        if (!String.valueOf(rec.header("content-type")).startsWith("application/x-www-form-urlencoded")) {
            return violation(400, rec, "token request is not a form");
        }
        Map<String, String> form = form(rec.body());
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return violation(400, rec, "grant_type is " + form.get("grant_type"));
        }
        // MSAL adds the OIDC scopes to every request; Entra ignores them for client credentials. One resource's
        // ".default" is what is asked for.
        List<String> asked = new ArrayList<>(List.of(form.getOrDefault("scope", "").split(" ")));
        asked.removeAll(List.of("openid", "profile", "offline_access", ""));
        String scope = asked.size() == 1 ? asked.get(0) : String.join(" ", asked);
        tokenRequestsByScope.merge(scope, 1, Integer::sum);
        if (!scope.equals(graphScope()) && !scope.equals(intuneScope())) {
            violation(400, rec, "unexpected scope '" + scope + "'");
            return new Reply(400, oauthError("invalid_scope", "AADSTS70011: The provided value for scope is not valid"));
        }
        if (!clientId.equals(form.get("client_id"))) {
            return new Reply(400, oauthError("unauthorized_client", "AADSTS700016: Application not found"));
        }
        if (form.containsKey("client_secret")) {
            if (!secret.equals(form.get("client_secret"))) {
                return new Reply(401, oauthError("invalid_client", "AADSTS7000215: Invalid client secret provided."));
            }
        } else if ("urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
            Optional<String> problem = assertionProblem(form.getOrDefault("client_assertion", ""),
                    "https://" + rec.host() + rec.path());
            if (problem.isPresent()) {
                violation(401, rec, "client assertion: " + problem.get());
                return new Reply(401, oauthError("invalid_client", "AADSTS700027: " + problem.get()));
            }
        } else {
            return violation(401, rec, "no client credential in the token request");
        }
        String token = "fake-token-" + tokenSerial.incrementAndGet() + "-" + UUID.randomUUID();
        tokenScopes.put(token, scope);
        ObjectNode r = json.createObjectNode();
        r.put("token_type", "Bearer");
        r.put("expires_in", 3599);
        r.put("ext_expires_in", 3599);
        r.put("access_token", token);
        return new Reply(200, r);
    }

    /** Checks a client assertion JWT: signature by a trusted certificate, aud, iss, sub, exp. */
    private Optional<String> assertionProblem(String jwt, String tokenEndpoint) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return Optional.of("not a JWS");
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            JsonNode header = json.readTree(d.decode(parts[0]));
            JsonNode claims = json.readTree(d.decode(parts[1]));
            byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            byte[] sig = d.decode(parts[2]);
            String alg = header.path("alg").asText();
            boolean verified = false;
            for (X509Certificate c : clientCertificates) {
                verified |= verify(alg, c.getPublicKey(), signed, sig);
            }
            if (!verified) {
                return Optional.of("signature (" + alg + ") not by a registered certificate");
            }
            if (!tokenEndpoint.equals(claims.path("aud").asText())) {
                return Optional.of("aud is " + claims.path("aud").asText() + ", not " + tokenEndpoint);
            }
            if (!clientId.equals(claims.path("iss").asText()) || !clientId.equals(claims.path("sub").asText())) {
                return Optional.of("iss/sub are not the client id");
            }
            if (claims.path("exp").asLong() <= Instant.now().getEpochSecond()) {
                return Optional.of("expired");
            }
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.of("unreadable: " + e.getMessage());
        }
    }

    private static boolean verify(String alg, PublicKey key, byte[] data, byte[] sig) {
        try {
            Signature s;
            if ("RS256".equals(alg)) {
                s = Signature.getInstance("SHA256withRSA");
            } else if ("PS256".equals(alg)) {
                s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            } else {
                return false;
            }
            s.initVerify(key);
            s.update(data);
            return s.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    // Microsoft Graph: the Intune service principal's endpoints.
    private synchronized Reply discovery(Recorded rec) {
        Optional<Reply> denied = checkToken(rec, graphScope());
        if (denied.isPresent()) {
            return denied.get();
        }
        checkClientRequestId(rec);
        ObjectNode r = json.createObjectNode();
        r.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('appId%3D"
                + INTUNE_APP_ID + "')/endpoints");
        ArrayNode value = r.putArray("value");
        endpoint(value, "ScepRequestValidationFEService");
        endpoint(value, "PkiConnectorFEService");
        endpoint(value, "IntuneAndroidFEService");
        return new Reply(200, r);
    }

    private void endpoint(ArrayNode value, String providerName) {
        ObjectNode e = value.addObject();
        e.put("id", UUID.randomUUID().toString());
        e.put("capability", providerName);
        e.put("providerId", UUID.randomUUID().toString());
        e.put("providerName", providerName);
        e.putNull("providerResourceId");
        e.put("uri", url() + "/" + serviceVersion + "/" + providerName);
    }

    // Intune ScepRequestValidationFEService.
    private synchronized Reply scepAction(Recorded rec) {
        Optional<Reply> early = checkService(rec, "ScepRequestValidationFEService", "2018-02-20");
        if (early.isPresent()) {
            return early.get();
        }
        JsonNode body = parse(rec);
        if (body == null) {
            return violation(400, rec, "body is not JSON");
        }
        String wrapper = rec.route() == Route.VALIDATE ? "request" : "notification";
        Set<String> fields = switch (rec.route()) {
            case VALIDATE -> Set.of("transactionId", "certificateRequest", "callerInfo");
            case SUCCESS_NOTIFICATION -> Set.of("transactionId", "certificateRequest", "certificateThumbprint",
                    "certificateSerialNumber", "certificateExpirationDateUtc", "issuingCertificateAuthority",
                    "callerInfo", "caConfiguration", "certificateAuthority");
            default -> Set.of("transactionId", "certificateRequest", "hResult", "errorDescription", "callerInfo");
        };
        JsonNode n = body.get(wrapper);
        if (body.size() != 1 || n == null || !n.isObject()) {
            return violation(400, rec, "body must be {\"" + wrapper + "\": {...}}");
        }
        Set<String> sent = fields(n);
        if (!sent.equals(new TreeSet<>(fields))) {
            return violation(400, rec, rec.route() + " fields are " + sent + ", expected " + new TreeSet<>(fields));
        }
        for (String f : fields) {
            boolean ok = "hResult".equals(f) ? n.get(f).isIntegralNumber()
                    : n.get(f).isTextual() && !n.get(f).asText().isBlank();
            if (!ok) {
                return violation(400, rec, f + " has the wrong type or is empty: " + n.get(f));
            }
        }
        String txid = n.get("transactionId").asText();
        String csr = n.get("certificateRequest").asText();
        try {
            new PKCS10CertificationRequest(Base64.getDecoder().decode(csr));
        } catch (IOException | IllegalArgumentException e) {
            return violation(400, rec, "certificateRequest is not a base64 PKCS#10 request");
        }
        switch (rec.route()) {
            case VALIDATE -> {
                String[] answer = validationAnswers.getOrDefault(txid, new String[] {"Success", ""});
                if ("Success".equals(answer[0])) {
                    validatedCsrs.put(txid, csr);
                }
                return new Reply(200, scepResult(answer[0], answer[1]));
            }
            case SUCCESS_NOTIFICATION -> {
                if (!csr.equals(validatedCsrs.get(txid))) {
                    return violation(400, rec, "successNotification for " + txid
                            + " without a successful validateRequest of the same CSR");
                }
                Optional<String> bad = successFormats(n);
                if (bad.isPresent()) {
                    return violation(400, rec, bad.get());
                }
            }
            default -> {
                if (n.get("errorDescription").asText().length() > 255) {
                    return violation(400, rec, "errorDescription longer than 255 characters");
                }
            }
        }
        return new Reply(200, scepResult(notificationCode, ""));
    }

    private static Optional<String> successFormats(JsonNode n) {
        if (!n.get("certificateThumbprint").asText().matches("[0-9A-Fa-f]{40}")) {
            return Optional.of("certificateThumbprint is not 40 hex digits");
        }
        if (!n.get("certificateSerialNumber").asText().matches("[0-9A-Fa-f]+")) {
            return Optional.of("certificateSerialNumber is not hex");
        }
        String expiry = n.get("certificateExpirationDateUtc").asText();
        try {
            Instant.parse(expiry);
        } catch (DateTimeParseException e) {
            return Optional.of("certificateExpirationDateUtc is not ISO 8601 UTC: " + expiry);
        }
        return Optional.empty();
    }

    private ObjectNode scepResult(String code, String description) {
        ObjectNode r = json.createObjectNode();
        r.put("@odata.context", "https://fef.msub01.manage.microsoft.com/$metadata#microsoft.management.services.api"
                + ".scepActionResult");
        r.put("code", code);
        r.put("errorDescription", description);
        return r;
    }

    // Intune PkiConnectorFEService.
    private synchronized Reply pkiConnector(Recorded rec) {
        Optional<Reply> early = checkService(rec, "PkiConnectorFEService", "5019-05-05");
        if (early.isPresent()) {
            return early.get();
        }
        JsonNode body = parse(rec);
        if (body == null) {
            return violation(400, rec, "body is not JSON");
        }
        if (rec.route() == Route.DOWNLOAD_REVOCATIONS) {
            JsonNode p = body.get("downloadParameters");
            if (body.size() != 1 || p == null || !fields(p).equals(Set.of("maxRequests", "issuerName"))
                    || !p.get("maxRequests").isInt() || p.get("maxRequests").asInt() < 1
                    || p.get("maxRequests").asInt() > 500 || !(p.get("issuerName").isNull()
                            || p.get("issuerName").isTextual())) {
                return violation(400, rec, "downloadParameters must be {maxRequests: 1..500, issuerName}: " + body);
            }
            String issuer = p.get("issuerName").isNull() ? null : p.get("issuerName").asText();
            ObjectNode r = json.createObjectNode();
            ArrayNode value = r.putArray("value");
            pendingRevocations.values().stream()
                    .filter(q -> issuer == null || issuer.equals(q.get("issuerName")))
                    .limit(p.get("maxRequests").asInt())
                    .forEach(q -> value.add(json.valueToTree(q)));
            return new Reply(200, r);
        }
        JsonNode results = body.get("results");
        if (body.size() != 1 || results == null || !results.isArray() || results.isEmpty()) {
            return violation(400, rec, "body must be {\"results\": [non-empty]}");
        }
        for (JsonNode r : results) {
            if (!fields(r).equals(Set.of("requestContext", "succeeded", "errorCode", "errorMessage"))
                    || !r.get("succeeded").isBoolean() || !r.get("errorCode").isTextual()
                    || !r.get("errorCode").asText().matches("0|400[0-7]|410[0-3]")) {
                return violation(400, rec, "malformed result " + r);
            }
            boolean ok = r.get("succeeded").asBoolean();
            if (ok != "0".equals(r.get("errorCode").asText()) || (ok && !r.get("errorMessage").isNull())) {
                return violation(400, rec, "succeeded must go with errorCode 0 and no message: " + r);
            }
            if (!pendingRevocations.containsKey(r.get("requestContext").asText())) {
                return violation(400, rec, "result for an unknown requestContext " + r.get("requestContext"));
            }
        }
        for (JsonNode r : results) {
            uploadedResults.add(r);
            if (Integer.parseInt(r.get("errorCode").asText()) < 4100) {
                pendingRevocations.remove(r.get("requestContext").asText());
            }
        }
        ObjectNode r = json.createObjectNode();
        r.put("value", true);
        return new Reply(200, r);
    }

    /** Headers every Intune service call carries; a 404 for a URI that discovery no longer lists. */
    private Optional<Reply> checkService(Recorded rec, String service, String apiVersion) {
        Matcher m = SERVICE_PATH.matcher(rec.path());
        if (!m.matches() || !m.group(2).equals(service)) {
            return Optional.of(violation(404, rec, "not a " + service + " path"));
        }
        if (!m.group(1).equals(serviceVersion)) {
            return Optional.of(new Reply(404, error("NotFound", "this service moved")));
        }
        Optional<Reply> denied = checkToken(rec, intuneScope());
        if (denied.isPresent()) {
            return denied;
        }
        checkClientRequestId(rec);
        if (!apiVersion.equals(rec.header("api-version"))) {
            return Optional.of(violation(400, rec, "api-version is " + rec.header("api-version")));
        }
        if (!String.valueOf(rec.header("content-type")).startsWith("application/json")) {
            return Optional.of(violation(400, rec, "Content-Type is " + rec.header("content-type")));
        }
        if (!String.valueOf(rec.header("user-agent")).contains("scepca")) {
            violation(0, rec, "User-Agent does not name scepca: " + rec.header("user-agent"));
        }
        return Optional.empty();
    }

    /** Bearer token issued by this fake for {@code scope}; unknown or revoked tokens get 401. */
    private Optional<Reply> checkToken(Recorded rec, String scope) {
        String auth = String.valueOf(rec.header("authorization"));
        if (!auth.startsWith("Bearer ")) {
            return Optional.of(violation(401, rec, "no bearer token"));
        }
        String issuedFor = tokenScopes.get(auth.substring("Bearer ".length()));
        if (issuedFor == null) {
            return Optional.of(new Reply(401, error("InvalidAuthenticationToken", "Access token is not valid")));
        }
        if (!issuedFor.equals(scope)) {
            return Optional.of(violation(401, rec, "token for " + issuedFor + " used where " + scope + " is needed"));
        }
        return Optional.empty();
    }

    private void checkClientRequestId(Recorded rec) {
        String id = rec.header("client-request-id");
        if (id == null || !GUID.matcher(id).matches()) {
            violation(0, rec, "client-request-id is not a GUID: " + id);
        } else if (!clientRequestIds.add(id.toLowerCase(Locale.ROOT))) {
            violation(0, rec, "client-request-id " + id + " was used before");
        }
    }

    private static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private JsonNode parse(Recorded rec) {
        try {
            JsonNode n = json.readTree(rec.body());
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private synchronized Reply violation(int status, Recorded rec, String what) {
        violations.add(rec.route() + " " + rec.path() + ": " + what);
        return new Reply(status == 0 ? 400 : status, error("ContractViolation", what));
    }

    private ObjectNode error(String code, String message) {
        ObjectNode r = json.createObjectNode();
        ObjectNode e = r.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return r;
    }

    private ObjectNode oauthError(String error, String description) {
        ObjectNode r = json.createObjectNode();
        r.put("error", error);
        r.put("error_description", description);
        r.putArray("error_codes").add(Integer.parseInt(description.replaceAll("\\D*(\\d+).*", "$1")));
        r.put("timestamp", Instant.now().toString());
        r.put("trace_id", UUID.randomUUID().toString());
        r.put("correlation_id", UUID.randomUUID().toString());
        return r;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            if (out.size() + n > MAX_BODY) {
                throw new IOException("request body too large");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** For tests that want to see everything on failure. */
    @Override
    public synchronized String toString() {
        StringBuilder b = new StringBuilder("FakeIntune[").append(url()).append("]\n");
        for (Iterator<Recorded> it = requests.iterator(); it.hasNext(); ) {
            Recorded r = it.next();
            b.append("  ").append(r.route()).append(' ').append(r.method()).append(' ').append(r.host())
                    .append(r.path()).append('\n');
        }
        violations.forEach(v -> b.append("  VIOLATION ").append(v).append('\n'));
        return b.toString();
    }
}
