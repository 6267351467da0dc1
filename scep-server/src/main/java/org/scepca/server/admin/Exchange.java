package org.scepca.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import org.scepca.ca.audit.AuditLine;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** One admin API call: the request, its path parameters, who is calling, and helpers to read JSON and reply. */
final class Exchange {
    /** Admin requests are small JSON objects; anything bigger is refused before parsing. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Map<String, String> pathParams;
    private final Optional<AdminIdentity> identity;
    private final ObjectMapper json;
    private String requestId;

    Exchange(HttpServletRequest request, HttpServletResponse response, Map<String, String> pathParams,
            Optional<AdminIdentity> identity, ObjectMapper json) {
        this.request = request;
        this.response = response;
        this.pathParams = Map.copyOf(pathParams);
        this.identity = identity;
        this.json = json;
    }

    HttpServletRequest request() {
        return request;
    }

    HttpServletResponse response() {
        return response;
    }

    String path(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return v;
    }

    Optional<String> query(String name) {
        return Optional.ofNullable(request.getParameter(name)).map(String::strip).filter(s -> !s.isEmpty());
    }

    /**
     * Completes and writes an audit line for this call: actor, endpoint (admin-api or admin-mtls) and a request id as
     * its txid (also sent back as X-Request-Id, so an operator can find the line for a response).
     */
    void audit(AuditLine line) {
        String actor = identity().actor();
        line.token("actor", actor).token("endpoint", AuditLine.endpointOf(actor)).token("txid", requestId()).log();
    }

    String requestId() {
        if (requestId == null) {
            byte[] b = new byte[8];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
            requestId = java.util.HexFormat.of().formatHex(b);
            response.setHeader("X-Request-Id", requestId);
        }
        return requestId;
    }

    AdminIdentity identity() {
        return identity.orElseThrow(() -> new IllegalStateException("public route asked for an identity"));
    }

    /**
     * Reads the JSON body as {@code type}; an empty body reads as {@code {}}. Unknown fields, wrong types and
     * malformed JSON are 400 with the field named; more than {@link #MAX_BODY_BYTES} is 413.
     */
    <T> T body(Class<T> type) throws IOException {
        return body(type, MAX_BODY_BYTES);
    }

    /** {@link #body(Class)} with another limit (a bulk request's list), at most the connector's whole-request cap. */
    <T> T body(Class<T> type, int maxBytes) throws IOException {
        byte[] raw = readBounded(maxBytes);
        if (raw.length == 0) {
            raw = "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        } else {
            // The raw header: Jetty's getContentType() throws on an unknown charset parameter (a 500, found by
            // fuzzing). JSON is UTF-8 whatever the parameter says (RFC 8259 §8.1).
            String ct = request.getHeader("Content-Type");
            if (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new ApiException(415, "unsupported-media-type", "Unsupported media type",
                        "send the body as application/json");
            }
        }
        try {
            T value = json.readValue(raw, type);
            if (value == null) {
                throw ApiException.validation("body", "expected a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.validation(fieldOf(e), "unknown field");
        } catch (MismatchedInputException e) {
            String field = fieldOf(e);
            throw ApiException.validation(field.isEmpty() ? "body" : field,
                    field.isEmpty() ? "expected a JSON object" : "wrong type");
        } catch (JsonMappingException e) {
            String field = fieldOf(e);
            throw ApiException.validation(field.isEmpty() ? "body" : field, "invalid value");
        } catch (JsonProcessingException | CharConversionException e) {
            // CharConversionException: Jackson guesses UTF-16/32 from leading zero bytes and then meets an invalid
            // character; it is an IOException, not a JsonProcessingException, and was a 500 (found by fuzzing).
            throw new ApiException(400, "malformed-json", "Malformed JSON", "the body is not valid JSON");
        }
    }

    /** The body as a JSON tree when it is one (any content type); empty when absent or not JSON. Still bounded. */
    Optional<com.fasterxml.jackson.databind.JsonNode> lenientJson() throws IOException {
        byte[] raw = readBounded(MAX_BODY_BYTES);
        if (raw.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(json.readTree(raw));
        } catch (JsonProcessingException | CharConversionException e) {
            return Optional.empty();
        }
    }

    private static String fieldOf(JsonMappingException e) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            parts.add(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
        }
        return String.join(".", parts);
    }

    private byte[] readBounded(int max) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > max) {
            org.scepca.server.http.Bodies.discardRest(request);
            throw tooLarge(max);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try (InputStream in = request.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > max) {
                    org.scepca.server.http.Bodies.discardRest(request);
                    throw tooLarge(max);
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    private static ApiException tooLarge(int max) {
        return new ApiException(413, "too-large", "Request too large",
                "request bodies are limited to " + max / 1024 + " KiB");
    }

    void json(int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(json.writeValueAsBytes(body));
    }

    void noContent() {
        response.setStatus(204);
        response.setHeader("Cache-Control", "no-store");
    }

    /** A file the browser should save rather than show. */
    void download(String contentType, String filename, byte[] body) throws IOException {
        response.setStatus(200);
        response.setContentType(contentType);
        response.setContentLength(body.length);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        response.getOutputStream().write(body);
    }
}
