package org.scepca.server.http;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.scep.ScepObserver;
import org.scepca.scep.ScepReply;
import org.scepca.scep.ScepService;
import org.scepca.scep.message.MalformedScepMessageException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * SCEP over HTTP (RFC 8894 §4.1): {@code ?operation=} selects the operation; PKIOperation comes as a binary POST
 * body or a base64 {@code message} in a GET. Only transport problems get HTTP errors; protocol refusals are signed
 * CertReps from {@link ScepService}.
 */
public final class ScepServlet extends MethodCheckingServlet {
    private final transient Map<String, ScepService> endpoints;
    private final int maxMessageBytes;

    /** The default endpoint only. */
    public ScepServlet(ScepService scep, int maxMessageBytes) {
        this(Map.of(ChallengeOrigin.DEFAULT_ENDPOINT, scep), maxMessageBytes);
    }

    /** @param endpoints each endpoint's service by name; {@value ChallengeOrigin#DEFAULT_ENDPOINT} serves /scep */
    public ScepServlet(Map<String, ScepService> endpoints, int maxMessageBytes) {
        this.endpoints = Map.copyOf(endpoints);
        if (!this.endpoints.containsKey(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            throw new IllegalArgumentException("the default endpoint is missing");
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * The endpoint a path names: {@code /scep} and {@code /cgi-bin/pkiclient.exe} the default, {@code /scep/NAME} a
     * named one. A trailing {@code /pkiclient.exe} is ignored: some clients append it to whatever URL they are given.
     */
    private Optional<ScepService> endpointFor(HttpServletRequest req) {
        String info = req.getPathInfo();
        if (!"/scep".equals(req.getServletPath()) || info == null || info.equals("/")) {
            return Optional.of(endpoints.get(ChallengeOrigin.DEFAULT_ENDPOINT));
        }
        String rest = info.substring(1);
        if (rest.endsWith("/pkiclient.exe")) {
            rest = rest.substring(0, rest.length() - "/pkiclient.exe".length());
        } else if (rest.equals("pkiclient.exe")) {
            return Optional.of(endpoints.get(ChallengeOrigin.DEFAULT_ENDPOINT));
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        // The default endpoint has one URL (/scep): /scep/default would be a second name for it in logs and profiles.
        if (rest.equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            return Optional.empty();
        }
        return Optional.ofNullable(endpoints.get(rest));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, false);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, true);
    }

    private void handle(HttpServletRequest req, HttpServletResponse resp, boolean post) throws IOException {
        Optional<ScepService> endpoint = endpointFor(req);
        if (endpoint.isEmpty()) {
            Problem.send(resp, 404, "unknown-endpoint", "Unknown SCEP endpoint", "no SCEP endpoint at this path");
            return;
        }
        ScepService scep = endpoint.get();
        long start = System.nanoTime();
        String query = req.getQueryString();
        Optional<String> op = Base64Message.rawParameter(query, "operation").map(Base64Message::percentDecodeSafe);
        if (op.isEmpty() || op.get().isEmpty()) {
            Problem.send(resp, 400, "missing-operation", "Missing SCEP operation",
                    "add ?operation=GetCACaps, GetCACert, GetNextCACert or PKIOperation");
            observe(scep, "none", ScepObserver.Result.MALFORMED, start);
            return;
        }
        // Operation names are case-sensitive in RFC 8894, but some clients vary the case; be lenient.
        switch (op.get().toLowerCase(Locale.ROOT)) {
            case "getcacaps" -> {
                write(resp, scep.getCaCaps(), "max-age=300");
                observe(scep, "GetCACaps", ScepObserver.Result.SUCCESS, start);
            }
            case "getcacert" -> {
                write(resp, scep.getCaCert(), "max-age=300");
                observe(scep, "GetCACert", ScepObserver.Result.SUCCESS, start);
            }
            case "getnextcacert" -> {
                Optional<ScepReply> next = scep.getNextCaCert();
                if (next.isEmpty()) {
                    Problem.send(resp, 404, "no-next-ca", "No next CA", "no CA rollover is staged");
                    observe(scep, "GetNextCACert", ScepObserver.Result.MALFORMED, start);
                } else {
                    write(resp, next.get(), "max-age=300");
                    observe(scep, "GetNextCACert", ScepObserver.Result.SUCCESS, start);
                }
            }
            case "pkioperation" -> {
                if (!pkiOperation(scep, req, resp, post, query)) {
                    observe(scep, "PKIOperation", ScepObserver.Result.MALFORMED, start);
                }
            }
            default -> {
                Problem.send(resp, 400, "unknown-operation", "Unknown SCEP operation",
                        "operation must be GetCACaps, GetCACert, GetNextCACert or PKIOperation");
                observe(scep, "unknown", ScepObserver.Result.MALFORMED, start);
            }
        }
    }

    /** What never reaches {@link ScepService#pkiOperation} (which reports the rest itself). */
    private static void observe(ScepService scep, String operation, ScepObserver.Result result, long start) {
        scep.observer().observe(ScepObserver.Event.plain(scep.endpoint().name(), operation, result,
                System.nanoTime() - start));
    }

    /** False if the request never became a decoded pkiMessage (answered with a 4xx problem). */
    private boolean pkiOperation(ScepService scep, HttpServletRequest req, HttpServletResponse resp, boolean post,
            String query) throws IOException {
        byte[] message;
        try {
            if (post) {
                message = Bodies.read(req, maxMessageBytes);
                if (looksLikeBase64(message)) {
                    // Some clients POST the base64 text instead of DER.
                    message = Base64Message.decode(new String(message, java.nio.charset.StandardCharsets.US_ASCII));
                }
            } else {
                Optional<String> raw = Base64Message.rawParameter(query, "message");
                if (raw.isEmpty() || raw.get().isEmpty()) {
                    Problem.send(resp, 400, "missing-message", "Missing SCEP message", "PKIOperation by GET needs ?message=");
                    return false;
                }
                if (raw.get().length() > maxMessageBytes * 2) {
                    Problem.send(resp, 413, "message-too-large", "Message too large", "the SCEP message exceeds the limit");
                    return false;
                }
                message = Base64Message.decode(raw.get());
            }
        } catch (Bodies.TooLargeException e) {
            Problem.send(resp, 413, "message-too-large", "Message too large",
                    "SCEP messages are limited to " + maxMessageBytes + " bytes");
            return false;
        } catch (IllegalArgumentException e) {
            Problem.send(resp, 400, "malformed-message", "Malformed SCEP message", "the message is not valid base64");
            return false;
        }
        if (message.length == 0) {
            Problem.send(resp, 400, "malformed-message", "Malformed SCEP message", "the message is empty");
            return false;
        }
        try {
            write(resp, scep.pkiOperation(message), "no-store");
            return true;
        } catch (MalformedScepMessageException e) {
            Problem.send(resp, 400, "malformed-message", "Malformed SCEP message", "not a SCEP pkiMessage");
            return false;
        }
    }

    private static boolean looksLikeBase64(byte[] body) {
        // DER SEQUENCE starts with 0x30; base64 of it starts with "MI".
        return body.length > 2 && body[0] == 'M' && body[1] == 'I';
    }

    private static void write(HttpServletResponse resp, ScepReply reply, String cacheControl) throws IOException {
        resp.setStatus(200);
        resp.setContentType(reply.contentType());
        resp.setContentLength(reply.body().length);
        resp.setHeader("Cache-Control", cacheControl);
        resp.getOutputStream().write(reply.body());
    }
}
