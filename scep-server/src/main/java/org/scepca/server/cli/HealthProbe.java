package org.scepca.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container's health check: {@code java -cp scepca.jar org.scepca.server.cli.HealthProbe URL} exits 0 when
 * {@code URL} (the server's {@code /healthz}) answers 200 within a few seconds, 1 otherwise, with one line on stderr
 * that {@code docker inspect} shows. A class of its own, not a {@code scepca} subcommand: it loads neither picocli nor
 * the crypto providers, so the JVM it runs in every interval starts and exits in a fraction of a second. Slim JRE
 * images have no curl, and a wget that happens to be in the base image may be gone from the next one; this runs
 * wherever the server does.
 */
public final class HealthProbe {
    private static final int TIMEOUT_MILLIS = 3_000;

    private HealthProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: HealthProbe http://HOST:PORT/healthz");
            System.exit(2);
        }
        String problem = check(args[0]);
        if (problem != null) {
            System.err.println("unhealthy: " + problem);
            System.exit(1);
        }
    }

    private static final java.util.regex.Pattern DETAIL = java.util.regex.Pattern.compile(
            "\"detail\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,300})\"");

    /**
     * ": " and the problem JSON's detail (/readyz names its failing checks there), or nothing. A regular expression,
     * not a JSON parser: this class loads as little as it can.
     */
    static String detail(String body) {
        java.util.regex.Matcher m = DETAIL.matcher(body);
        return m.find() ? ": " + m.group(1).replace("\\\"", "\"") : "";
    }

    /** Null when {@code url} answers 200, else what went wrong, in a few words. */
    static String check(String url) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(TIMEOUT_MILLIS);
            c.setReadTimeout(TIMEOUT_MILLIS);
            c.setInstanceFollowRedirects(false);
            int status = c.getResponseCode();
            String text = "";
            try (InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (body != null) {
                    // bounded whatever answers on that port
                    text = new String(body.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            return status == 200 ? null : url + " answered " + status + detail(text);
        } catch (IOException | IllegalArgumentException e) {
            return url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
