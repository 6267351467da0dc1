package org.scepca.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the servlets through a real in-process Jetty ({@link FuzzCa}), with raw HTTP/1.1 over a loopback socket so
 * that request targets reach the server exactly as written (no client-side normalization). The oracle: an answer
 * arrives within the socket timeout (else a hang), its status is never 500 (GuardFilter's last resort) nor any other
 * 5xx except a rate limit's 503 with Retry-After, and no body carries a stack trace.
 *
 * <p>Regression inputs: {@code src/test/resources/org/scepca/fuzz/HttpServerFuzzTestInputs/<method>/}.
 */
class HttpServerFuzzTest {
    private static final int TIMEOUT_MILLIS = 15_000;
    private static final int MAX_RESPONSE_BYTES = 4 << 20;
    private static final List<String> METHODS = List.of("GET", "POST", "HEAD", "PUT", "OPTIONS", "DELETE", "TRACE", "get");
    private static final List<String> PATHS = List.of("/scep", "/scep/pkiclient.exe", "/cgi-bin/pkiclient.exe", "/ocsp",
            "/ocsp/", "/ca/", "/crl/", "/healthz", "/readyz", "/");
    private static final List<String> CONTENT_TYPES = Arrays.asList(null, "application/x-pki-message", "text/plain",
            "application/ocsp-request", "application/octet-stream", "application/ocsp-request; charset=x");
    private static final List<String> ADMIN_METHODS = List.of("GET", "POST", "DELETE", "PUT");
    private static final List<String> ADMIN_CONTENT_TYPES = Arrays.asList("application/json", null, "text/plain",
            "application/x-www-form-urlencoded");
    /** What CaFilesServlet serves and nothing else serves: a 200 of these types must be one of the published files. */
    private static final Set<String> CA_FILE_TYPES = Set.of("application/x-pem-file", "application/pkix-cert",
            "application/pkix-crl");
    private static final List<String> CA_FILES = List.of("/ca/root.pem", "/ca/root.cer", "/ca/intermediate.pem",
            "/ca/intermediate.cer", "/ca/chain.pem", "/crl/intermediate.crl", "/crl/intermediate.pem", "/crl/root.crl",
            "/crl/crl.pem");

    private static FuzzCa ca;
    private static volatile List<byte[]> published;

    @BeforeAll
    static void start() {
        ca = FuzzCa.get();
        StallReport.start();
    }

    /**
     * Jazzer's SSRF detector refuses every connection unless told which are intended: only our own two ports. Called
     * in each target, not in {@code @BeforeAll}: Jazzer's agent (and the detector) is installed with the first target.
     */
    private static void allowOurPorts() {
        int scep = ca.running().port();
        int admin = ca.running().adminPort();
        BugDetectors.allowNetworkConnections((host, port) -> (host.equals("127.0.0.1") || host.equals("localhost"))
                && (port == scep || port == admin));
    }

    /**
     * The public port: byte 0 picks the method, byte 1 the servlet path, byte 2 the Content-Type; then the rest of the
     * request target (query included) up to a zero byte, and the body after it.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(30)
    void publicPort(byte[] input) {
        if (input.length < 3) {
            return;
        }
        allowOurPorts();
        Parts p = Parts.of(input, 3);
        String target = PATHS.get((input[1] & 0xff) % PATHS.size()) + p.target();
        Reply r = send(ca.running().port(), METHODS.get((input[0] & 0xff) % METHODS.size()), target,
                CONTENT_TYPES.get((input[2] & 0xff) % CONTENT_TYPES.size()), null, p.body());
        FuzzStats.of("HttpServerFuzzTest.publicPort").record(String.valueOf(r.status()));
    }

    /**
     * CA and CRL file paths (CaFilesServlet): any request target; a 200 of a CA file type must be byte for byte one of
     * the files we publish, so no path reaches another file.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(30)
    void caFilePath(byte[] input) {
        allowOurPorts();
        if (published == null) {
            published = fetchPublished();
        }
        Reply r = send(ca.running().port(), "GET", "/" + Parts.escape(input, 0, input.length), null, null, new byte[0]);
        if (r.status() == 200 && r.contentType() != null && CA_FILE_TYPES.contains(r.contentType())) {
            if (!isPublished(r.body())) {
                published = fetchPublished(); // the CRL may have been re-signed meanwhile
                if (!isPublished(r.body())) {
                    throw new AssertionError("a CA file path served something that is not a published file");
                }
            }
        }
        FuzzStats.of("HttpServerFuzzTest.caFilePath").record(String.valueOf(r.status()));
    }

    /**
     * The admin API with a valid admin token, so every route's path, query and body handling is reachable: byte 0 picks
     * the method, byte 1 the Content-Type, then the target below /api/v1 up to a zero byte, then the body.
     */
    @FuzzTest(maxDuration = "60s")
    @Timeout(30)
    void adminPort(byte[] input) {
        if (input.length < 2) {
            return;
        }
        allowOurPorts();
        Parts p = Parts.of(input, 2);
        Reply r = send(ca.running().adminPort(), ADMIN_METHODS.get((input[0] & 0xff) % ADMIN_METHODS.size()),
                "/api/v1" + p.target(), ADMIN_CONTENT_TYPES.get((input[1] & 0xff) % ADMIN_CONTENT_TYPES.size()),
                ca.adminToken(), p.body());
        FuzzStats.of("HttpServerFuzzTest.adminPort").record(String.valueOf(r.status()));
    }

    /** The request target (escaped so that the request line stays one line) and the body of an input. */
    private record Parts(String target, byte[] body) {
        static Parts of(byte[] input, int from) {
            int zero = from;
            while (zero < input.length && input[zero] != 0) {
                zero++;
            }
            return new Parts(escape(input, from, zero), Arrays.copyOfRange(input, Math.min(zero + 1, input.length),
                    input.length));
        }

        /** Percent-escapes controls, space and non-ASCII; everything else ('%', '/', '..', '?', '#') goes as is. */
        static String escape(byte[] b, int from, int to) {
            StringBuilder sb = new StringBuilder(to - from);
            for (int i = from; i < to; i++) {
                int c = b[i] & 0xff;
                if (c <= 0x20 || c >= 0x7f) {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                } else {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }

    record Reply(int status, String contentType, byte[] body) {
    }

    private static Reply send(int port, String method, String target, String contentType, String token, byte[] body) {
        return send(port, method, target, contentType, token, body, TIMEOUT_MILLIS);
    }

    /** One request on its own connection ({@code Connection: close}): the answer is everything up to the close. */
    static Reply send(int port, String method, String target, String contentType, String token, byte[] body,
            int timeoutMillis) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (body.length > 0 || method.equals("POST") || method.equals("PUT")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long sent = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            readAll(s.getInputStream(), got);
        } catch (SocketTimeoutException e) {
            // Whether the server answered and left the connection open (a server defect of its own, told apart from
            // not answering at all), and whether this JVM had the CPU while it waited.
            throw new AssertionError("no answer within " + timeoutMillis + " ms: " + method + " " + target + " "
                    + received(got) + " " + StallReport.describe(timeoutMillis), e);
        } catch (IOException e) {
            // Jetty may reset a connection it refused before reading the body; that is no answer, not an error.
            FuzzStats.of("HttpServerFuzzTest.connection").record("reset");
            return new Reply(0, null, new byte[0]);
        }
        byte[] raw = got.toByteArray();
        if (raw.length == 0) {
            // A clean close (not a reset) without a byte of answer: a request must get an answer, if only a 400.
            long ms = (System.nanoTime() - sent) / 1_000_000;
            throw new AssertionError("not an HTTP response: the server closed the connection after " + ms + " ms"
                    + " without a byte of answer: " + method + " " + target + " (" + body.length + "-byte body) "
                    + StallReport.describe(Math.max(1000, ms)));
        }
        return check(parse(raw), method + " " + target,
                target + new String(body, StandardCharsets.ISO_8859_1));
    }

    /**
     * @param sent what the request carried: the fuzzer learns the markers below from the comparisons and sends them
     *             itself, and an answer may legitimately echo them (an OCSP nonce, an unknown JSON field's name)
     */
    private static Reply check(Reply r, String request, String sent) {
        String text = new String(r.body(), StandardCharsets.ISO_8859_1);
        if (r.status() >= 500 && r.status() != 503 && r.status() != 501) {
            throw new AssertionError("HTTP " + r.status() + " for " + request + ": " + text);
        }
        for (String marker : List.of("\tat org.", "\tat java.", "Caused by:")) {
            if (text.contains(marker) && !sent.contains(marker)) {
                throw new AssertionError("stack trace in the answer to " + request);
            }
        }
        if (text.contains(FuzzCa.CANARY) && !sent.contains(FuzzCa.CANARY)) {
            throw new AssertionError("a file from the data folder was served for " + request);
        }
        return r;
    }

    /** What a connection that timed out had delivered: nothing, or the first line of an answer never closed. */
    static String received(ByteArrayOutputStream got) {
        if (got.size() == 0) {
            return "[nothing received]";
        }
        String text = got.toString(StandardCharsets.ISO_8859_1);
        int eol = text.indexOf('\r');
        return "[received " + got.size() + " bytes, but the connection stayed open: "
                + (eol < 0 ? text : text.substring(0, eol)).replaceAll("[^\\x20-\\x7e]", "?") + "]";
    }

    private static void readAll(InputStream in, ByteArrayOutputStream out) throws IOException {
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_RESPONSE_BYTES) {
                throw new AssertionError("answer larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
        }
    }

    /** Status, Content-Type and body of an HTTP/1.1 response (Connection: close, so the body runs to the end). */
    private static Reply parse(byte[] raw) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("not an HTTP response: " + all.substring(0, Math.min(200, all.length())));
        }
        int status = Integer.parseInt(all.substring(9, 12));
        String contentType = null;
        boolean chunked = false;
        for (String line : all.substring(0, end).split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                contentType = line.substring(13).strip().split(";")[0].strip().toLowerCase(Locale.ROOT);
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Reply(status, contentType, chunked ? dechunk(body) : body);
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = i;
            while (lineEnd + 1 < body.length && !(body[lineEnd] == '\r' && body[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            int size = Integer.parseInt(new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static boolean isPublished(byte[] body) {
        return published.stream().anyMatch(p -> Arrays.equals(p, body));
    }

    private static List<byte[]> fetchPublished() {
        List<byte[]> files = new ArrayList<>();
        for (String path : CA_FILES) {
            Reply r = send(ca.running().port(), "GET", path, null, null, new byte[0]);
            if (r.status() == 200) {
                files.add(r.body());
            }
        }
        return List.copyOf(files);
    }
}
