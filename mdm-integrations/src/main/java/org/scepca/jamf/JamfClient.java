package org.scepca.jamf;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client of the Jamf Pro API, for reading its device inventory.
 *
 * <p>Authentication is an API client's OAuth client credentials (Jamf Pro 10.49+): {@code POST /api/oauth/token}
 * with the form {@code grant_type=client_credentials&client_id&client_secret} answers {@code access_token} and
 * {@code expires_in} (seconds; 599 unless the API client says otherwise). The token is kept and reused until shortly
 * before it expires; a 401 on a read (a token Jamf invalidated early) gets one fresh token and one retry.
 *
 * <p>Inventory: {@code GET /api/v1/computers-inventory?section=HARDWARE} (the UDID at the top of each record, the
 * serial number in {@code hardware}) and {@code GET /api/v2/mobile-devices} ({@code serialNumber}, {@code udid}),
 * both paged with {@code page} (from 0) and {@code page-size}, answering {@code {totalCount, results}}; sorted by
 * {@code id} so pages do not overlap. A read is complete or a {@link JamfException}: an HTTP error, a short page, a
 * {@code totalCount} that changes between pages or a device seen twice all fail the whole read.
 *
 * <p>Every call has a connect and a request timeout and a bound on the body it reads; redirects are not followed (the
 * bearer token must not travel to another host). The API role needs the privileges "Read Computers" and "Read Mobile
 * Devices" only.
 */
public final class JamfClient implements JamfDeviceSync.InventorySource {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** A token answer is a few hundred bytes. */
    static final int MAX_TOKEN_BODY = 64 * 1024;
    /** A page of {@link #DEFAULT_PAGE_SIZE} computers with their hardware section is well under a megabyte. */
    static final int MAX_PAGE_BODY = 16 * 1024 * 1024;
    public static final int DEFAULT_PAGE_SIZE = 200;
    /** Jamf's limit for page-size on these endpoints. */
    static final int MAX_PAGE_SIZE = 2000;
    static final long MAX_DEVICES = 2_000_000;
    /** Refresh this long before the token expires, so that a read never starts with a token about to lapse. */
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    static final String TOKEN_PATH = "/api/oauth/token";
    static final String COMPUTERS_PATH = "/api/v1/computers-inventory";
    static final String MOBILE_DEVICES_PATH = "/api/v2/mobile-devices";

    private final URI base;
    private final String clientId;
    private final String clientSecret;
    private final HttpClient http;
    private final Clock clock;
    private final int pageSize;
    private final ObjectMapper json = new ObjectMapper();

    private Token token;

    private record Token(String value, Instant refreshAt) {
    }

    @FunctionalInterface
    private interface Parser {
        JamfDevice parse(JsonNode record) throws JamfException;
    }

    /**
     * @param ssl      the TLS context (tests trust their fake's certificate); empty: the JDK's default trust
     * @param pageSize devices per page, 1 to 2000
     */
    public JamfClient(URI base, String clientId, String clientSecret, Optional<SSLContext> ssl, Clock clock,
            int pageSize) {
        this.base = Objects.requireNonNull(base, "base is null");
        this.clientId = Objects.requireNonNull(clientId, "clientId is null");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        Objects.requireNonNull(ssl, "ssl is null");
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE);
        }
        this.pageSize = pageSize;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        ssl.ifPresent(b::sslContext);
        this.http = b.build();
    }

    /** The client for the configured Jamf Pro server, with the JDK's default trust. */
    public static JamfClient create(JamfConfig.Api api, Clock clock) {
        return new JamfClient(api.url(), api.clientId(), api.clientSecret(), Optional.empty(), clock,
                DEFAULT_PAGE_SIZE);
    }

    @Override
    public JamfInventory readInventory() throws JamfException {
        List<JamfDevice> devices = new ArrayList<>();
        devices.addAll(readAll(COMPUTERS_PATH, "section=HARDWARE&sort=id%3Aasc", JamfClient::computer));
        devices.addAll(readAll(MOBILE_DEVICES_PATH, "sort=id%3Aasc", JamfClient::mobileDevice));
        return new JamfInventory(devices);
    }

    /** All pages of one inventory endpoint, or an exception: never a partial list. */
    private List<JamfDevice> readAll(String path, String query, Parser parser) throws JamfException {
        List<JamfDevice> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        long total = -1;
        for (int page = 0; ; page++) {
            JsonNode body = get(path, query + "&page=" + page + "&page-size=" + pageSize);
            JsonNode count = body.path("totalCount");
            JsonNode results = body.path("results");
            if (!count.isIntegralNumber() || !results.isArray()) {
                throw new JamfException(path + ": the answer has no totalCount and results");
            }
            long t = count.longValue();
            if (t < 0 || t > MAX_DEVICES) {
                throw new JamfException(path + ": implausible totalCount " + t);
            }
            if (total < 0) {
                total = t;
            } else if (t != total) {
                // Devices were added or deleted while we paged: offsets shifted, so a device may have been skipped.
                throw new JamfException(path + ": the inventory changed while it was read (totalCount " + total
                        + ", then " + t + ")");
            }
            if (results.size() > pageSize) {
                throw new JamfException(path + ": page " + page + " holds more devices than the page size");
            }
            for (JsonNode r : results) {
                JamfDevice d = parser.parse(r);
                if (!ids.add(d.id())) {
                    throw new JamfException(path + ": device " + d.id() + " came twice (the inventory changed while"
                            + " it was read)");
                }
                out.add(d);
            }
            if (out.size() >= total) {
                break;
            }
            if (results.size() < pageSize) {
                throw new JamfException(path + ": page " + page + " came back short: " + out.size() + " of " + total
                        + " devices read");
            }
        }
        if (out.size() != total) {
            throw new JamfException(path + ": " + out.size() + " devices read, but Jamf counts " + total);
        }
        return out;
    }

    private static JamfDevice computer(JsonNode r) throws JamfException {
        String id = id(r, COMPUTERS_PATH);
        // Without the hardware section there is no serial number: a device matched by its serial would look deleted.
        JsonNode hardware = r.path("hardware");
        if (!hardware.isObject()) {
            throw new JamfException(COMPUTERS_PATH + ": computer " + id + " has no hardware section");
        }
        return new JamfDevice(JamfDevice.Kind.COMPUTER, id, text(hardware, "serialNumber"), text(r, "udid"));
    }

    private static JamfDevice mobileDevice(JsonNode r) throws JamfException {
        return new JamfDevice(JamfDevice.Kind.MOBILE_DEVICE, id(r, MOBILE_DEVICES_PATH), text(r, "serialNumber"),
                text(r, "udid"));
    }

    private static String id(JsonNode r, String path) throws JamfException {
        JsonNode id = r.path("id");
        if (!(id.isTextual() || id.isIntegralNumber()) || id.asText().isBlank() || id.asText().length() > 64) {
            throw new JamfException(path + ": a device without an id");
        }
        return id.asText();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && v.textValue().length() <= 256 ? Optional.of(v.textValue()) : Optional.empty();
    }

    /** A GET with the bearer token; a 401 gets one new token and one retry. */
    private JsonNode get(String path, String query) throws JamfException {
        URI uri = URI.create(base + path + "?" + query);
        HttpResponse<InputStream> r = send(authorized(uri, token(false)), path);
        if (r.statusCode() == 401) {
            discard(r);
            r = send(authorized(uri, token(true)), path);
        }
        return read(r, path, MAX_PAGE_BODY);
    }

    private static HttpRequest authorized(URI uri, String token) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .header("Authorization", "Bearer " + token).GET().build();
    }

    /** The cached token, or a new one when it is due (or {@code renew}). */
    synchronized String token(boolean renew) throws JamfException {
        Instant now = clock.instant();
        if (!renew && token != null && now.isBefore(token.refreshAt())) {
            return token.value();
        }
        token = null;
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + TOKEN_PATH)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)).build();
        HttpResponse<InputStream> r = send(req, TOKEN_PATH);
        if (r.statusCode() == 400 || r.statusCode() == 401) {
            discard(r);
            throw new JamfException(TOKEN_PATH + ": HTTP " + r.statusCode() + ", the API client was refused (check "
                    + JamfConfig.CLIENT_ID + ", the secret in " + JamfConfig.CLIENT_SECRET_FILE
                    + " and that the client is enabled)");
        }
        JsonNode body = read(r, TOKEN_PATH, MAX_TOKEN_BODY);
        JsonNode value = body.path("access_token");
        if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > 8192
                || !value.textValue().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new JamfException(TOKEN_PATH + ": the answer has no usable access_token");
        }
        long lifetime = body.path("expires_in").canConvertToLong() ? body.path("expires_in").asLong() : 0;
        // A token that lives less than twice the margin is refreshed halfway through its life; one without a
        // lifetime serves this read only.
        Duration life = Duration.ofSeconds(Math.max(0, Math.min(lifetime, 86_400)));
        Duration margin = life.compareTo(REFRESH_MARGIN.multipliedBy(2)) >= 0 ? REFRESH_MARGIN : life.dividedBy(2);
        token = new Token(value.textValue(), now.plus(life).minus(margin));
        return token.value();
    }

    private HttpResponse<InputStream> send(HttpRequest req, String what) throws JamfException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new JamfException(what + ": timed out", e);
        } catch (IOException e) {
            throw new JamfException(what + ": " + e.getClass().getSimpleName() + " talking to " + base.getHost(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JamfException(what + ": interrupted", e);
        }
    }

    /** A 200 JSON object body, read to at most {@code max} bytes. */
    private JsonNode read(HttpResponse<InputStream> r, String what, int max) throws JamfException {
        if (r.statusCode() != 200) {
            discard(r);
            throw new JamfException(what + ": HTTP " + r.statusCode()
                    + (r.statusCode() == 403 ? " (the API role lacks a privilege: Read Computers, Read Mobile Devices)"
                            : ""));
        }
        byte[] raw;
        try (InputStream in = r.body()) {
            raw = in.readNBytes(max + 1);
        } catch (IOException e) {
            throw new JamfException(what + ": the answer broke off (" + e.getClass().getSimpleName() + ")", e);
        }
        if (raw.length > max) {
            throw new JamfException(what + ": the answer is larger than " + max + " bytes");
        }
        try {
            JsonNode node = json.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new JamfException(what + ": the answer is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new JamfException(what + ": the answer is not JSON");
        } catch (IOException e) {
            throw new JamfException(what + ": the answer is not JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void discard(HttpResponse<InputStream> r) {
        try {
            r.body().close(); // releases the connection; an error body is not read
        } catch (IOException e) {
            // nothing to release
        }
    }

    @Override
    public String toString() {
        return "JamfClient[" + base + ", client " + clientId + "]";
    }
}
