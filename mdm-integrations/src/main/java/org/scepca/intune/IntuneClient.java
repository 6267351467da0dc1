package org.scepca.intune;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.scepca.intune.IntuneHttp.Reply;
import org.scepca.intune.IntuneUnavailableException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * Client of Microsoft Intune's third-party CA contract (microsoft/Intune-Resource-Access, src/CsrValidation): SCEP
 * request validation and notifications, and the PKI connector's revocation requests. Thread-safe; one per server.
 *
 * <p>Per call: a token for the Intune resource (MSAL cache), the service's URI (Graph discovery, cached), one POST
 * with {@code Authorization: Bearer}, a fresh {@code client-request-id} GUID, the service's {@code api-version} and a
 * JSON body. A 401 or 404 from a discovered URI drops the discovery cache (and, for 401, the token) and tries once
 * more: Intune moves tenants between scale units.
 *
 * <p>Failure handling: each HTTP exchange is bounded by {@code intune.timeout-seconds}. 5xx, 429 (Retry-After
 * honoured up to that timeout), timeouts and transport errors are retried {@code intune.retries} times with
 * exponential backoff and jitter. Each service has a circuit breaker: after {@code intune.breaker-failure-threshold}
 * failed operations in a row it refuses calls at once ({@link IntuneUnavailableException.Kind#CIRCUIT_OPEN}) for
 * {@code intune.breaker-open-seconds}, then lets one probe through. So an Intune outage costs an Intune enrollment
 * at most (retries + 1) timeouts, then nothing, and never holds a lock that other endpoints need.
 *
 * <p>Refusals are answers, not failures: {@link #validate} returns Intune's code, and only
 * {@link IntuneUnavailableException} means "no answer". Tokens, secrets, CSRs and bodies are never logged.
 */
public final class IntuneClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IntuneClient.class);
    /** Intune's first-party application id, whose service principal lists the service endpoints. */
    static final String INTUNE_APP_ID = "0000000a-0000-0000-c000-000000000000";
    /** Microsoft's clients refuse more (MAXREQUESTS_MAXVALUE). */
    public static final int MAX_REVOCATION_REQUESTS = 500;
    /** failureNotification's errorDescription: "Max length = 255 chars" (Microsoft's client). */
    static final int MAX_ERROR_DESCRIPTION = 255;
    private static final int MAX_TEXT = 4096;

    private final IntuneConfig config;
    private final IntuneHttp http;
    private final EntraTokens tokens;
    private final ServiceDirectory directory;
    private final ObjectMapper json = new ObjectMapper();
    private final Channel validation;
    private final Channel pkiConnector;

    private IntuneClient(Builder b) {
        this.config = b.config;
        this.http = new IntuneHttp(b.ssl, config.timeout(), b.clock);
        this.tokens = new EntraTokens(config, b.ssl, b.clock);
        this.directory = new ServiceDirectory(config.discoveryCacheTtl(), b.clock, this::discover);
        this.validation = new Channel(IntuneService.SCEP_VALIDATION, b);
        this.pkiConnector = new Channel(IntuneService.PKI_CONNECTOR, b);
    }

    /** A client with the JDK's trust store and the system clock. */
    public static IntuneClient create(IntuneConfig config) {
        return builder(config).build();
    }

    public static Builder builder(IntuneConfig config) {
        return new Builder(config);
    }

    /**
     * {@code POST {ScepRequestValidationFEService}/ScepActions/validateRequest}: does Intune vouch for this request
     * (its challenge password, expiry, subject, SANs, key size, EKUs)? Issue only if the result is
     * {@link ScepActionResult#success()}; otherwise refuse (SCEP FAILURE badRequest) and call {@link #notifyFailure}.
     *
     * @param transactionId the PKCSReq's SCEP transactionID, unchanged
     * @param csrDer        the device's CSR exactly as received (DER), not a re-encoding
     * @param callerInfo    who asks, e.g. "scepca/1.0"; Intune shows it in its reports
     * @throws IntuneUnavailableException no answer (timeout, 5xx, circuit open, ...): refuse, the device retries
     */
    public ScepActionResult validate(String transactionId, byte[] csrDer, String callerInfo) {
        ObjectNode body = json.createObjectNode();
        ObjectNode r = body.putObject("request");
        r.put("transactionId", text(transactionId, "transactionId"));
        r.put("certificateRequest", base64(csrDer));
        r.put("callerInfo", text(callerInfo, "callerInfo"));
        return scepAction("ScepActions/validateRequest", body);
    }

    /**
     * {@code ScepActions/successNotification}, after issuance and before the CertRep: Intune records the certificate
     * (and may later ask to revoke it by serial and issuer). If the result is not a success, Microsoft's guidance is
     * not to hand the certificate out.
     *
     * @param issued               the certificate issued for this request
     * @param issuingCaName        issuingCertificateAuthority: the issuer name Intune later sends back with revocation
     *                             requests (use the same string as {@link IntuneRevocationSync}'s issuer name)
     * @param caConfiguration      caConfiguration (ADCS: "host\CA name"); any stable name of this CA
     * @param certificateAuthority certificateAuthority: the CA's name
     * @throws IntuneUnavailableException no answer
     */
    public ScepActionResult notifySuccess(String transactionId, byte[] csrDer, X509Certificate issued,
            String issuingCaName, String caConfiguration, String certificateAuthority, String callerInfo) {
        Objects.requireNonNull(issued, "issued is null");
        ObjectNode body = json.createObjectNode();
        ObjectNode n = body.putObject("notification");
        n.put("transactionId", text(transactionId, "transactionId"));
        n.put("certificateRequest", base64(csrDer));
        n.put("certificateThumbprint", thumbprint(issued));
        n.put("certificateSerialNumber", serialHex(issued));
        n.put("certificateExpirationDateUtc", DateTimeFormatter.ISO_INSTANT.format(issued.getNotAfter().toInstant()));
        n.put("issuingCertificateAuthority", text(issuingCaName, "issuingCaName"));
        n.put("callerInfo", text(callerInfo, "callerInfo"));
        n.put("caConfiguration", text(caConfiguration, "caConfiguration"));
        n.put("certificateAuthority", text(certificateAuthority, "certificateAuthority"));
        return scepAction("ScepActions/successNotification", body);
    }

    /**
     * {@code ScepActions/failureNotification}: the request was refused, by Intune's validation or by our own policy,
     * so Intune can show why on the device's status.
     *
     * @param hResult          a 32-bit HRESULT (MS-ERREF 2.1), sent as a JSON integer, e.g. 0x80004005L (E_FAIL)
     * @param errorDescription shown to the Intune administrator; cut at 255 characters
     * @throws IntuneUnavailableException no answer
     */
    public ScepActionResult notifyFailure(String transactionId, byte[] csrDer, long hResult, String errorDescription,
            String callerInfo) {
        String description = text(errorDescription, "errorDescription");
        ObjectNode body = json.createObjectNode();
        ObjectNode n = body.putObject("notification");
        n.put("transactionId", text(transactionId, "transactionId"));
        n.put("certificateRequest", base64(csrDer));
        n.put("hResult", hResult);
        n.put("errorDescription", description.length() > MAX_ERROR_DESCRIPTION
                ? description.substring(0, MAX_ERROR_DESCRIPTION) : description);
        n.put("callerInfo", text(callerInfo, "callerInfo"));
        return scepAction("ScepActions/failureNotification", body);
    }

    /**
     * {@code POST {PkiConnectorFEService}/CertificateAuthorityRequests/downloadRevocationRequests}: the revocations
     * Intune wants (devices retired or wiped). Intune keeps a request until a result for it is uploaded.
     *
     * @param max        1..500
     * @param issuerName only requests for certificates this issuer issued (the issuingCertificateAuthority we sent);
     *                   null for all, which a tenant with other CAs must not use
     * @throws IntuneUnavailableException no answer
     */
    public List<RevocationRequest> downloadRevocationRequests(int max, String issuerName) {
        if (max < 1 || max > MAX_REVOCATION_REQUESTS) {
            throw new IllegalArgumentException("max must be between 1 and " + MAX_REVOCATION_REQUESTS);
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode p = body.putObject("downloadParameters");
        p.put("maxRequests", max);
        p.put("issuerName", issuerName);
        Answer a = pkiConnector.call(() -> exchange(IntuneService.PKI_CONNECTOR,
                "CertificateAuthorityRequests/downloadRevocationRequests", body));
        JsonNode value = a.body().get("value");
        if (value == null || !value.isArray()) {
            throw new IntuneUnavailableException(Kind.PROTOCOL, "downloadRevocationRequests: no 'value' array");
        }
        List<RevocationRequest> out = new ArrayList<>();
        for (JsonNode e : value) {
            String context = e.path("requestContext").asText("");
            if (context.isBlank()) {
                // Nothing can be answered without it; Microsoft declares it Required.Always.
                LOG.warn("Intune sent a revocation request without requestContext; skipped");
                continue;
            }
            out.add(new RevocationRequest(context, e.path("serialNumber").asText(""), nullableText(e, "issuerName"),
                    nullableText(e, "caConfiguration")));
        }
        return List.copyOf(out);
    }

    /**
     * {@code CertificateAuthorityRequests/uploadRevocationResults}; Intune answers {@code {"value": true}}. Nothing
     * is sent for an empty list (Microsoft's clients refuse one).
     *
     * @throws IntuneUnavailableException no answer, or Intune did not answer true
     */
    public void uploadRevocationResults(List<RevocationResult> results) {
        Objects.requireNonNull(results, "results is null");
        if (results.isEmpty()) {
            return;
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("results");
        for (RevocationResult r : results) {
            ObjectNode o = list.addObject();
            o.put("requestContext", r.requestContext());
            o.put("succeeded", r.succeeded());
            // A string of the number, as Microsoft's Java client sends CARequestErrorCodes ("0", "4004").
            o.put("errorCode", String.valueOf(r.errorCode().value()));
            o.put("errorMessage", r.errorMessage());
        }
        Answer a = pkiConnector.call(() -> exchange(IntuneService.PKI_CONNECTOR,
                "CertificateAuthorityRequests/uploadRevocationResults", body));
        JsonNode value = a.body().get("value");
        // Microsoft's C# client reads it as a string and parses it; accept both forms.
        if (value == null || !(value.isBoolean() ? value.booleanValue() : "true".equalsIgnoreCase(value.asText()))) {
            throw new IntuneUnavailableException(Kind.PROTOCOL, "Intune did not accept the revocation results");
        }
    }

    /**
     * Readiness: gets both tokens and discovers the validation service, through the validation circuit.
     *
     * @throws IntuneUnavailableException with the reason (wrong secret, missing permission, unreachable, ...)
     */
    public void checkReachable() {
        validation.call(() -> {
            directory.endpoint(IntuneService.SCEP_VALIDATION);
            return tokens.token(config.intuneScope(), false);
        });
    }

    /** True while the validation circuit is open (enrollments on Intune endpoints are refused at once). */
    public boolean validationCircuitOpen() {
        return validation.breaker.getState() == CircuitBreaker.State.OPEN;
    }

    public IntuneConfig config() {
        return config;
    }

    @Override
    public void close() {
        tokens.close();
    }

    private ScepActionResult scepAction(String path, ObjectNode body) {
        Answer a = validation.call(() -> exchange(IntuneService.SCEP_VALIDATION, path, body));
        JsonNode code = a.body().get("code");
        if (code == null || !code.isTextual() || code.asText().isBlank()) {
            throw new IntuneUnavailableException(Kind.PROTOCOL, path + ": the answer has no code");
        }
        String description = nullableText(a.body(), "errorDescription");
        return new ScepActionResult(code.asText(), description == null ? "" : description, a.clientRequestId());
    }

    /** One attempt: discovery, token, POST; a 401/404 from the discovered URI refreshes both and tries once more. */
    private Answer exchange(IntuneService service, String path, ObjectNode body) {
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a request body", e);
        }
        boolean renewToken = false;
        for (int round = 0; ; round++) {
            URI base = directory.endpoint(service);
            String token = tokens.token(config.intuneScope(), renewToken);
            UUID id = UUID.randomUUID();
            Reply reply = http.send(IntuneHttp.request(join(base, path), token, id)
                    .header("api-version", service.apiVersion)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)), id);
            if (round == 0 && (reply.status() == 401 || reply.status() == 404)) {
                LOG.info("{} {} answered HTTP {}: discovering the service again", service.providerName, path,
                        reply.status());
                directory.invalidate();
                renewToken = reply.status() == 401;
                continue;
            }
            return answer(reply, service.providerName + " " + path);
        }
    }

    /** The Graph call behind {@link ServiceDirectory}; runs inside the caller's attempt (same retry and circuit). */
    private Map<String, URI> discover() {
        URI uri = URI.create(config.graphUrl() + "/v1.0/servicePrincipals/appId=" + INTUNE_APP_ID + "/endpoints");
        for (int round = 0; ; round++) {
            UUID id = UUID.randomUUID();
            Reply reply = http.send(IntuneHttp.request(uri, tokens.token(config.graphScope(), round > 0), id).GET(), id);
            if (round == 0 && reply.status() == 401) {
                continue;
            }
            JsonNode value = answer(reply, "Graph service discovery").body().get("value");
            if (value == null || !value.isArray()) {
                throw new IntuneUnavailableException(Kind.PROTOCOL, "Graph service discovery: no 'value' array");
            }
            Map<String, URI> map = new HashMap<>();
            for (JsonNode e : value) {
                // providerName on Microsoft Graph; serviceName was AAD Graph's name for it (Microsoft's fallback).
                String name = e.hasNonNull("providerName") ? e.get("providerName").asText()
                        : e.path("serviceName").asText("");
                URI endpoint = httpsUri(e.path("uri").asText(""));
                if (!name.isBlank() && endpoint != null) {
                    map.putIfAbsent(name.toLowerCase(Locale.ROOT), endpoint);
                }
            }
            LOG.info("Intune service discovery: {} endpoints listed", map.size());
            return map;
        }
    }

    /** A 2xx JSON object, or the failure the status stands for. */
    private Answer answer(Reply reply, String what) {
        int s = reply.status();
        if (s == 429 || s >= 500) {
            throw new Transient(Kind.HTTP_STATUS, what + " answered HTTP " + s, reply.retryAfter(), null);
        }
        if (!reply.ok()) {
            String hint = s == 401 || s == 403
                    ? " (does the app registration have Intune scep_challenge_provider and Graph Application.Read.All,"
                            + " with admin consent?)" : "";
            throw new IntuneUnavailableException(Kind.HTTP_STATUS, what + " answered HTTP " + s + hint);
        }
        try {
            JsonNode node = json.readTree(reply.body());
            if (node == null || !node.isObject()) {
                throw new IntuneUnavailableException(Kind.PROTOCOL, what + ": the answer is not a JSON object");
            }
            return new Answer(node, reply.clientRequestId());
        } catch (IOException e) {
            throw new IntuneUnavailableException(Kind.PROTOCOL, what + ": the answer is not JSON");
        }
    }

    private record Answer(JsonNode body, UUID clientRequestId) {
    }

    private static URI join(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b : b + "/") + path);
    }

    private static URI httpsUri(String s) {
        try {
            URI u = new URI(s);
            // Intune's bearer token goes to this URI: https only.
            return "https".equalsIgnoreCase(u.getScheme()) && u.getHost() != null ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String nullableText(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String text(String value, String name) {
        Objects.requireNonNull(value, name + " is null");
        if (value.isBlank() || value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(name + " must be 1 to " + MAX_TEXT + " characters, not blank");
        }
        return value;
    }

    private static String base64(byte[] csrDer) {
        Objects.requireNonNull(csrDer, "csrDer is null");
        if (csrDer.length == 0) {
            throw new IllegalArgumentException("csrDer is empty");
        }
        return Base64.getEncoder().encodeToString(csrDer);
    }

    /** SHA-1 of the DER, 40 upper-case hex digits: how Windows (X509Certificate2.Thumbprint) and Intune show it. */
    static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot hash the issued certificate", e);
        }
    }

    /** The serial in upper-case hex, like the thumbprint; revocation requests bring it back (any case is parsed). */
    static String serialHex(X509Certificate c) {
        return c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    /** One service's circuit breaker around its retry policy. */
    private static final class Channel {
        final IntuneService service;
        final CircuitBreaker breaker;
        final Retry retry;
        private final IntuneConfig config;

        Channel(IntuneService service, Builder b) {
            this.service = service;
            this.config = b.config;
            Duration cap = config.timeout();
            // N failed operations in a row open the circuit: a window of N calls that must all have failed.
            this.breaker = CircuitBreaker.of("intune-" + service.providerName, CircuitBreakerConfig.custom()
                    .slidingWindow(config.breakerFailureThreshold(), config.breakerFailureThreshold(),
                            SlidingWindowType.COUNT_BASED)
                    .failureRateThreshold(100)
                    .waitDurationInOpenState(config.breakerOpen())
                    .permittedNumberOfCallsInHalfOpenState(1)
                    .writableStackTraceEnabled(false)
                    .clock(b.clock)
                    .build());
            IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(b.backoff, 2.0, 0.5, cap);
            this.retry = Retry.of("intune-" + service.providerName, RetryConfig.<Object>custom()
                    .maxAttempts(config.retries() + 1)
                    // Only what may pass: a Retry-After beyond the timeout is not waited for.
                    .retryOnException(t -> t instanceof Transient tr
                            && tr.retryAfter().map(d -> d.compareTo(cap) <= 0).orElse(true))
                    .intervalBiFunction((attempt, outcome) -> {
                        long base = backoff.apply(attempt);
                        if (outcome.isLeft() && outcome.getLeft() instanceof Transient tr
                                && tr.retryAfter().isPresent()) {
                            return Math.max(base, tr.retryAfter().get().toMillis());
                        }
                        return base;
                    })
                    .failAfterMaxAttempts(false)
                    .writableStackTraceEnabled(false)
                    .build());
            breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Intune {} circuit: {}",
                    service.providerName, e.getStateTransition()));
            retry.getEventPublisher().onRetry(e -> LOG.info("Intune {}: attempt {} failed ({}), retrying in {} ms",
                    service.providerName, e.getNumberOfRetryAttempts(), e.getLastThrowable().getMessage(),
                    e.getWaitInterval().toMillis()));
        }

        <T> T call(Supplier<T> attempt) {
            try {
                return breaker.executeSupplier(Retry.decorateSupplier(retry, attempt));
            } catch (CallNotPermittedException e) {
                throw new IntuneUnavailableException(Kind.CIRCUIT_OPEN, "circuit open: " + service.providerName
                        + " failed " + config.breakerFailureThreshold() + " times in a row; next try within "
                        + config.breakerOpen().toSeconds() + " s");
            } catch (Transient t) {
                throw t.unavailable();
            }
        }
    }

    /** Options a server rarely changes; tests inject trust, time and a short backoff. */
    public static final class Builder {
        private final IntuneConfig config;
        private SSLContext ssl;
        private Clock clock = Clock.systemUTC();
        private Duration backoff = Duration.ofMillis(250);

        private Builder(IntuneConfig config) {
            this.config = Objects.requireNonNull(config, "config is null");
        }

        /** TLS trust for Entra, Graph and Intune; default: the JDK's trust store. */
        public Builder sslContext(SSLContext ssl) {
            this.ssl = Objects.requireNonNull(ssl, "ssl is null");
            return this;
        }

        /** Time for the discovery cache, Retry-After dates and the circuit's open period. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock is null");
            return this;
        }

        /** First retry delay (doubled each attempt, ±50% jitter, capped at the timeout); default 250 ms. */
        public Builder retryBackoff(Duration initial) {
            if (initial.isNegative() || initial.isZero()) {
                throw new IllegalArgumentException("initial must be positive");
            }
            this.backoff = initial;
            return this;
        }

        public IntuneClient build() {
            if (ssl == null) {
                try {
                    ssl = SSLContext.getDefault();
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("no default TLS context", e);
                }
            }
            return new IntuneClient(this);
        }
    }
}
