package org.scepca.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import org.scepca.server.http.Problem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The web console's static files, served from the jar (no CDN). A fixed list: nothing else on the classpath can be
 * reached through this servlet. Files are read once at start.
 */
final class ConsoleServlet extends org.scepca.server.http.MethodCheckingServlet {
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final transient Map<String, byte[]> contents;

    ConsoleServlet() {
        this.contents = FILES.keySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(n -> n,
                ConsoleServlet::load));
    }

    private static byte[] load(String name) {
        try (InputStream in = ConsoleServlet.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null) {
            resp.sendRedirect("/console/");
            return;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        byte[] body = contents.get(name);
        if (body == null) {
            Problem.send(resp, 404, "not-found", "Not found", "no console file at this path");
            return;
        }
        resp.setContentType(FILES.get(name));
        resp.setContentLength(body.length);
        // Small files; no-cache keeps the console in step with the server after an upgrade.
        resp.setHeader("Cache-Control", "no-cache");
        resp.getOutputStream().write(body);
    }
}
