package org.scepca.jamf.testing;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.jamf.JamfDevice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A Jamf Pro server for tests, over HTTPS on 127.0.0.1 (a throwaway self-signed certificate; {@link #clientTls()}
 * trusts it), following Jamf's documented API as far as the CA uses it:
 * <ul>
 * <li>{@code POST /api/oauth/token}: form {@code grant_type=client_credentials&client_id&client_secret}; the wrong
 * client is 401 {@code invalid_client}; answers {@code access_token, scope, token_type, expires_in}.</li>
 * <li>{@code GET /api/v1/computers-inventory?section=HARDWARE&page&page-size&sort}: {@code {totalCount, results}},
 * each result {@code id, udid, general, hardware{serialNumber}} (no hardware section unless asked for).</li>
 * <li>{@code GET /api/v2/mobile-devices?page&page-size&sort}: {@code {totalCount, results}}, each result
 * {@code id, name, serialNumber, udid, managementId}.</li>
 * </ul>
 * Inventory calls need a bearer token this server issued and has not invalidated (else 401). {@code page} counts
 * from 0, {@code page-size} defaults to 100 and more than 2000 is 400. Scriptable: the inventory, failures of the next
 * calls to a path, a short page, a totalCount that changes, invalidated tokens; every request is recorded.
 */
public final class FakeJamfPro implements AutoCloseable {
    public static final String TOKEN = "/api/oauth/token";
    public static final String COMPUTERS = "/api/v1/computers-inventory";
    public static final String MOBILE_DEVICES = "/api/v2/mobile-devices";

    /** One request as the server saw it. */
    public record Request(String method, String path, Map<String, String> query, String authorization,
            String contentType, String body) {
    }

    private final HttpsServer server;
    private final SSLContext clientTls;
    private final String clientId;
    private final String clientSecret;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<Integer>> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> shortPages = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Integer>> pageFailures = new ConcurrentHashMap<>();
    private final Map<String, Integer> growingFromPage = new ConcurrentHashMap<>();
    private volatile List<JamfDevice> computers = List.of();
    private volatile List<JamfDevice> mobileDevices = List.of();
    private volatile int tokenLifetimeSeconds = 599;
    private volatile int tokensIssued;

    private FakeJamfPro(String clientId, String clientSecret) throws Exception {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=Fake Jamf Pro");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, random).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                kp.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        char[] pw = "fake".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("fake", kp.getPrivate(), pw, new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pw);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, random);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("fake", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), random);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server that knows one API client. */
    public static FakeJamfPro start(String clientId, String clientSecret) throws Exception {
        return new FakeJamfPro(clientId, clientSecret);
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A client TLS context that trusts this server's certificate (and nothing else). */
    public SSLContext clientTls() {
        return clientTls;
    }

    public void computers(List<JamfDevice> devices) {
        computers = List.copyOf(devices);
    }

    public void mobileDevices(List<JamfDevice> devices) {
        mobileDevices = List.copyOf(devices);
    }

    /** {@code expires_in} of the tokens issued from now on. */
    public void tokenLifetimeSeconds(int seconds) {
        tokenLifetimeSeconds = seconds;
    }

    /** Every token issued so far stops working (Jamf invalidates tokens when the client secret is rotated). */
    public void invalidateTokens() {
        validTokens.clear();
    }

    /** The next calls to {@code path} answer these HTTP statuses, one each, in order. */
    public void failNext(String path, int... statuses) {
        Deque<Integer> q = failures.computeIfAbsent(path, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int s : statuses) {
                q.add(s);
            }
        }
    }

    /** The next request for page {@code page} of {@code path} answers {@code status} (once). */
    public void failPage(String path, int page, int status) {
        pageFailures.computeIfAbsent(path, k -> new ConcurrentHashMap<>()).put(page, status);
    }

    /** Page {@code page} of {@code path} loses its last device (totalCount stays): a partial answer. */
    public void shortPage(String path, int page) {
        shortPages.put(path, page);
    }

    /** From page {@code page} on, {@code path} reports one device more than before (a device enrolled meanwhile). */
    public void totalCountGrowsFromPage(String path, int page) {
        growingFromPage.put(path, page);
    }

    public int tokensIssued() {
        return tokensIssued;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            requests.add(new Request(ex.getRequestMethod(), path, query,
                    ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Content-Type"),
                    body));
            Deque<Integer> q = failures.get(path);
            Integer failure = null;
            if (q != null) {
                synchronized (q) {
                    failure = q.poll();
                }
            }
            if (failure != null) {
                send(ex, failure, Map.of("httpStatus", failure, "errors", List.of()));
                return;
            }
            switch (path) {
                case TOKEN -> token(ex, body);
                case COMPUTERS, MOBILE_DEVICES -> inventory(ex, path, query);
                default -> send(ex, 404, Map.of("httpStatus", 404, "errors", List.of()));
            }
        } finally {
            ex.close();
        }
    }

    private void token(HttpExchange ex, String body) throws IOException {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (!ex.getRequestMethod().equals("POST") || ct == null
                || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            send(ex, 400, Map.of("error", "invalid_request"));
            return;
        }
        Map<String, String> form = query(body);
        if (!"client_credentials".equals(form.get("grant_type"))) {
            send(ex, 400, Map.of("error", "unsupported_grant_type"));
            return;
        }
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            send(ex, 401, Map.of("error", "invalid_client"));
            return;
        }
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = "eyJ" + HexFormat.of().formatHex(b);
        validTokens.add(token);
        tokensIssued++;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", token);
        answer.put("scope", "api-role:1");
        answer.put("token_type", "Bearer");
        answer.put("expires_in", tokenLifetimeSeconds);
        send(ex, 200, answer);
    }

    private void inventory(HttpExchange ex, String path, Map<String, String> query) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (!ex.getRequestMethod().equals("GET")) {
            send(ex, 405, Map.of("httpStatus", 405, "errors", List.of()));
            return;
        }
        if (auth == null || !auth.startsWith("Bearer ") || !validTokens.contains(auth.substring(7))) {
            send(ex, 401, Map.of("httpStatus", 401, "errors", List.of()));
            return;
        }
        int page;
        int size;
        try {
            page = Integer.parseInt(query.getOrDefault("page", "0"));
            size = Integer.parseInt(query.getOrDefault("page-size", "100"));
        } catch (NumberFormatException e) {
            send(ex, 400, Map.of("httpStatus", 400, "errors", List.of()));
            return;
        }
        if (page < 0 || size < 1 || size > 2000) {
            send(ex, 400, Map.of("httpStatus", 400, "errors", List.of()));
            return;
        }
        Integer pageFailure = pageFailures.getOrDefault(path, Map.of()).isEmpty() ? null
                : pageFailures.get(path).remove(page);
        if (pageFailure != null) {
            send(ex, pageFailure, Map.of("httpStatus", pageFailure, "errors", List.of()));
            return;
        }
        boolean hardware = query.getOrDefault("section", "GENERAL").contains("HARDWARE");
        List<JamfDevice> all = new ArrayList<>(path.equals(COMPUTERS) ? computers : mobileDevices);
        all.sort(Comparator.comparing((JamfDevice d) -> new BigInteger(d.id())));
        long total = all.size() + (page >= growingFromPage.getOrDefault(path, Integer.MAX_VALUE) ? 1 : 0);
        List<Object> results = new ArrayList<>();
        for (int i = page * size; i < Math.min(all.size(), (page + 1) * size); i++) {
            results.add(path.equals(COMPUTERS) ? computer(all.get(i), hardware) : mobileDevice(all.get(i)));
        }
        if (shortPages.getOrDefault(path, -1) == page && !results.isEmpty()) {
            results.remove(results.size() - 1);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("totalCount", total);
        answer.put("results", results);
        send(ex, 200, answer);
    }

    private static Map<String, Object> computer(JamfDevice d, boolean hardware) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("udid", d.udid().orElse(null));
        m.put("general", Map.of("name", "Mac " + d.id(), "platform", "Mac"));
        if (hardware) {
            Map<String, Object> hw = new HashMap<>();
            hw.put("serialNumber", d.serialNumber().orElse(null));
            hw.put("model", "MacBook Pro (14-inch, 2023)");
            m.put("hardware", hw);
        }
        return m;
    }

    private static Map<String, Object> mobileDevice(JamfDevice d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", "iPad " + d.id());
        m.put("serialNumber", d.serialNumber().orElse(null));
        m.put("udid", d.udid().orElse(null));
        m.put("managementId", java.util.UUID.nameUUIDFromBytes(d.id().getBytes(StandardCharsets.UTF_8)).toString());
        m.put("type", "ios");
        return m;
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.merge(k, v, (a, b) -> a + "," + b);
        }
        return out;
    }
}
