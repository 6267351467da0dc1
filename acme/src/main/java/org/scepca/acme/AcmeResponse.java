package org.scepca.acme;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the core answers: status, headers and body bytes; the HTTP adapter copies them out unchanged. */
public record AcmeResponse(int status, Map<String, String> headers, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public AcmeResponse {
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers is null"));
        Objects.requireNonNull(body, "body is null");
    }

    public static AcmeResponse json(int status, Object value, Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/json");
        return new AcmeResponse(status, h, write(value));
    }

    /** An RFC 7807 problem document with its ACME type (RFC 8555 section 6.7). */
    public static AcmeResponse problem(AcmeProblem p, Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.putAll(p.headers());
        h.put("Content-Type", "application/problem+json");
        return new AcmeResponse(p.status(), h, write(problemDocument(p)));
    }

    /** The problem document alone: answers, and the {@code error} of a challenge, authorization or order. */
    public static Map<String, Object> problemDocument(AcmeProblem p) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", p.type().urn());
        doc.put("detail", p.detail());
        doc.put("status", p.status());
        return doc;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
