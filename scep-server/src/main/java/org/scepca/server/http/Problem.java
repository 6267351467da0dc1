package org.scepca.server.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletResponse;

/**
 * RFC 9457 problem details. {@code type} is stable per kind of problem so clients can branch on it; {@code detail}
 * is a short human message that never contains internals.
 */
public final class Problem {
    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://scepca.org/problems/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problem() {
    }

    public static void send(HttpServletResponse resp, int status, String type, String title, String detail) throws IOException {
        send(resp, status, type, title, detail, Map.of());
    }

    public static void send(HttpServletResponse resp, int status, String type, String title, String detail,
            Map<String, Object> extra) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        resp.setStatus(status);
        resp.setContentType(CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write(body(status, type, title, detail, extra));
    }

    /** The JSON document alone, for answers written outside a servlet (Jetty's error handler). */
    static byte[] body(int status, String type, String title, String detail, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        body.putAll(extra);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a problem document of strings cannot fail to serialize", e);
        }
    }
}
