package org.scepca.it.crash;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The admin API as an operator's script uses it: a bearer token and JSON (README, "Admin API"). */
final class AdminClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String api;
    private final String token;

    AdminClient(String adminBase, String token) {
        this.api = adminBase + "/api/v1";
        this.token = token;
    }

    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private Reply send(String method, String path, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = null;
        if (r.body().length > 0 && r.headers().firstValue("Content-Type").orElse("").contains("json")) {
            body = JSON.readTree(r.body());
        }
        return new Reply(r.statusCode(), body);
    }

    /** 200 while the token is good, 401 once the server no longer knows it. */
    int me() throws IOException, InterruptedException {
        return send("GET", "/me", null).status();
    }

    record Minted(String id, String secret) {
    }

    /** POST /challenges: a 201 is the server's word that the challenge exists. */
    Minted createChallenge(String note) throws IOException, InterruptedException {
        Reply r = send("POST", "/challenges", "{\"ttl\":\"24h\",\"note\":\"" + note + "\"}");
        if (r.status() != 201) {
            throw new IOException("POST /challenges: HTTP " + r.status());
        }
        return new Minted(r.body().path("id").asText(), r.body().path("challenge").asText());
    }

    /** POST /certificates/{serial}/revoke: 200 revoked now, 409 already revoked, 404 unknown. */
    int revoke(String serialHex, String reason) throws IOException, InterruptedException {
        return send("POST", "/certificates/" + serialHex + "/revoke", "{\"reason\":\"" + reason + "\"}").status();
    }

    /** GET /certificates/{serial}: the stored view (status, sha256 of the DER), or empty on 404. */
    Optional<JsonNode> certificate(String serialHex) throws IOException, InterruptedException {
        Reply r = send("GET", "/certificates/" + serialHex, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw new IOException("GET /certificates/" + serialHex + ": HTTP " + r.status());
        }
        return Optional.of(r.body());
    }

    /** GET /certificates/{serial}?format=der: the stored DER, or empty on 404. */
    Optional<byte[]> der(String serialHex) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/certificates/" + serialHex
                + "?format=der")).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET /certificates/" + serialHex + "?format=der: HTTP " + r.statusCode());
        }
        return Optional.of(r.body());
    }

    /** Every certificate the store lists (serial, status, sha256), page by page; duplicates kept: finding them is the point. */
    List<JsonNode> allCertificates() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            Reply r = send("GET", "/certificates?limit=500"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), null);
            if (r.status() != 200) {
                throw new IOException("GET /certificates: HTTP " + r.status());
            }
            r.body().path("items").forEach(out::add);
            cursor = r.body().path("next").isTextual() ? r.body().path("next").asText() : null;
        } while (cursor != null);
        return out;
    }

    /** Ids of unused, unexpired challenges; the API lists at most 1000, so {@code complete} says whether it is all. */
    record ActiveChallenges(Set<String> ids, boolean complete) {
    }

    ActiveChallenges activeChallenges() throws IOException, InterruptedException {
        Reply r = send("GET", "/challenges", null);
        if (r.status() != 200) {
            throw new IOException("GET /challenges: HTTP " + r.status());
        }
        Set<String> ids = new HashSet<>();
        r.body().path("items").forEach(i -> ids.add(i.path("id").asText()));
        return new ActiveChallenges(ids, ids.size() < 1000);
    }
}
