package org.scepca.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.scepca.acme.AcmeProblem.Type;

/**
 * http-01 (RFC 8555 section 8.3): GET {@code http://IDENTIFIER/.well-known/acme-challenge/TOKEN} must answer 200 with
 * the key authorization (trailing whitespace ignored). The request is made by hand on a socket to an address
 * {@link Targets} checked, so that every limit holds: connect and total timeouts, a small header and body cap,
 * redirects followed only to the same host and port over http (section 10.2 leaves redirects to the server; a
 * redirect to another host would let a client aim the CA elsewhere), no TLS (https redirects are refused).
 */
public final class Http01Validator implements ChallengeValidator {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(10);
    /** A key authorization is 87 characters; anything past a few KiB is not one. */
    static final int MAX_BODY = 4096;
    static final int MAX_HEAD = 8192;
    static final int MAX_REDIRECTS = 3;

    private final Targets targets;
    private final int port;
    private final Duration connectTimeout;
    private final Duration totalTimeout;

    /** @param port 80 (section 8.3); another port only for labs and tests */
    public Http01Validator(Targets targets, int port, Duration connectTimeout, Duration totalTimeout) {
        this.targets = Objects.requireNonNull(targets, "targets is null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        this.port = port;
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout is null");
        this.totalTimeout = Objects.requireNonNull(totalTimeout, "totalTimeout is null");
    }

    public Http01Validator(Targets targets, int port) {
        this(targets, port, CONNECT_TIMEOUT, TOTAL_TIMEOUT);
    }

    @Override
    public String type() {
        return "http-01";
    }

    @Override
    public boolean supports(Identifier identifier) {
        return identifier.isDns() && !identifier.isWildcard();
    }

    @Override
    public Outcome validate(Attempt attempt) {
        String host = attempt.identifier().value();
        String target = "/.well-known/acme-challenge/" + attempt.token();
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try {
            for (int hop = 0; ; hop++) {
                Response r = get(host, target, deadline);
                if (r.status() / 100 == 3 && r.location() != null) {
                    if (hop == MAX_REDIRECTS) {
                        return Outcome.invalid(Type.CONNECTION, "more than " + MAX_REDIRECTS + " redirects");
                    }
                    target = sameHostTarget(host, target, r.location());
                    continue;
                }
                if (r.status() != 200) {
                    return Outcome.invalid(Type.INCORRECT_RESPONSE, "http://" + host + target + " answered HTTP "
                            + r.status());
                }
                String body = new String(r.body(), StandardCharsets.US_ASCII).stripTrailing();
                if (!body.equals(attempt.keyAuthorization())) {
                    return Outcome.invalid(Type.INCORRECT_RESPONSE, "http://" + host + target
                            + " did not answer the key authorization");
                }
                return Outcome.valid();
            }
        } catch (AcmeProblem p) {
            return Outcome.invalid(p);
        }
    }

    /** A redirect's target path, if it stays on http://host:port; anything else is refused. */
    private String sameHostTarget(String host, String current, String location) {
        URI to;
        try {
            to = new URI("http://" + host + (port == 80 ? "" : ":" + port) + current).resolve(location.strip());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new AcmeProblem(Type.CONNECTION, "the redirect's Location is not a URL");
        }
        int toPort = to.getPort() == -1 ? 80 : to.getPort();
        if (!"http".equalsIgnoreCase(to.getScheme()) || to.getHost() == null
                || !to.getHost().toLowerCase(Locale.ROOT).equals(host) || toPort != port) {
            throw new AcmeProblem(Type.CONNECTION, "redirect to " + to.getScheme() + "://" + to.getHost() + ":" + toPort
                    + " refused: validation follows redirects only on http://" + host + ":" + port);
        }
        String path = to.getRawPath() == null || to.getRawPath().isEmpty() ? "/" : to.getRawPath();
        return to.getRawQuery() == null ? path : path + "?" + to.getRawQuery();
    }

    private record Response(int status, String location, byte[] body) {
    }

    private Response get(String host, String target, long deadline) {
        List<InetAddress> addresses = targets.resolve(host);
        IOException last = null;
        for (InetAddress a : addresses) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), (int) Math.max(1, Math.min(connectTimeout.toMillis(),
                        remainingMillis(deadline))));
                OutputStream out = s.getOutputStream();
                out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + (port == 80 ? "" : ":" + port)
                        + "\r\nUser-Agent: scepca-acme\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return read(s, deadline);
            } catch (SocketTimeoutException e) {
                throw new AcmeProblem(Type.CONNECTION, "http://" + host + ":" + port + " timed out");
            } catch (IOException e) {
                last = e;
            }
        }
        throw new AcmeProblem(Type.CONNECTION, "cannot connect to " + host + ":" + port
                + (last == null ? "" : " (" + last.getClass().getSimpleName() + ")"));
    }

    private static long remainingMillis(long deadline) {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new AcmeProblem(Type.CONNECTION, "validation took longer than allowed");
        }
        return ms;
    }

    /** Reads head and body within the caps and the deadline (a server dripping bytes cannot hold us longer). */
    private static Response read(Socket s, long deadline) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024];
        int headEnd = -1;
        while (true) {
            s.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
            int n = in.read(chunk);
            if (n < 0) {
                break;
            }
            buf.write(chunk, 0, n);
            byte[] all = buf.toByteArray();
            if (headEnd < 0) {
                headEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (headEnd < 0 && all.length > MAX_HEAD) {
                    throw new AcmeProblem(Type.CONNECTION, "the response headers exceed " + MAX_HEAD + " bytes");
                }
            }
            if (headEnd >= 0 && all.length - headEnd - 4 > MAX_BODY + 64) {
                break; // enough to know the body is too long (chunk framing aside)
            }
        }
        byte[] all = buf.toByteArray();
        if (headEnd < 0) {
            throw new AcmeProblem(Type.CONNECTION, "the connection closed before a complete HTTP response");
        }
        String[] head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = head[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.") || !statusLine[1].matches("[0-9]{3}")) {
            throw new AcmeProblem(Type.CONNECTION, "the answer is not an HTTP/1.x response");
        }
        int status = Integer.parseInt(statusLine[1]);
        String location = null;
        boolean chunked = false;
        long length = -1;
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = head[i].substring(colon + 1).strip();
            switch (name) {
                case "location" -> location = value;
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-length" -> length = value.matches("[0-9]{1,9}") ? Long.parseLong(value) : Long.MAX_VALUE;
                default -> { }
            }
        }
        byte[] raw = java.util.Arrays.copyOfRange(all, headEnd + 4, all.length);
        byte[] body = chunked ? dechunk(raw) : length >= 0 && length < raw.length
                ? java.util.Arrays.copyOf(raw, (int) length) : raw;
        if (body.length > MAX_BODY || (length > MAX_BODY)) {
            throw new AcmeProblem(Type.INCORRECT_RESPONSE, "the response body exceeds " + MAX_BODY + " bytes");
        }
        return new Response(status, location, body);
    }

    private static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length) {
            int eol = indexOf(java.util.Arrays.copyOfRange(raw, i, raw.length), new byte[] {'\r', '\n'});
            if (eol < 0) {
                break;
            }
            String size = new String(raw, i, eol, StandardCharsets.US_ASCII).split(";", 2)[0].strip();
            if (!size.matches("[0-9A-Fa-f]{1,6}")) {
                throw new AcmeProblem(Type.CONNECTION, "malformed chunked body");
            }
            int n = Integer.parseInt(size, 16);
            i += eol + 2;
            if (n == 0) {
                break;
            }
            out.write(raw, i, Math.min(n, raw.length - i));
            i += n + 2;
            if (out.size() > MAX_BODY) {
                break;
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
