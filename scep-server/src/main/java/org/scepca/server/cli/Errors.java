package org.scepca.server.cli;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.ConfigEnvironment;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.revocation.RevocationService;
import org.scepca.ca.store.StoreException;

import picocli.CommandLine;

/**
 * Turns exceptions into one line on stderr and an exit code. Expected failures (bad input, wrong passphrase, a
 * refused request) print their message; anything else prints its type only, unless SCEPCA_DEBUG is set.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int USER_ERROR = 1;
    static final int INTERNAL_ERROR = 70;

    private final ConfigEnvironment environment;

    Errors(ConfigEnvironment environment) {
        this.environment = java.util.Objects.requireNonNull(environment, "environment is null");
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        var err = cl.getErr();
        if (e instanceof KeyAccessException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof CaConfig.InvalidConfigException || e instanceof PolicyViolationException
                || e instanceof RevocationService.UnknownCertificateException || e instanceof UserException) {
            // A configuration error names its key; say so when the environment set it (the file shows another value).
            Exception shown = e instanceof CaConfig.InvalidConfigException c ? environment.explain(c) : e;
            err.println("scepca: " + oneLine(shown));
            return USER_ERROR;
        }
        if (bindFailure(e) != null) {
            // Jetty: IOException("Failed to bind to /127.0.0.1:9090") caused by BindException.
            err.println("scepca: " + oneLine(bindFailure(e))
                    + " (address in use: choose another --port, or admin.port in scepca.properties)");
            return USER_ERROR;
        }
        if (e instanceof StoreException) {
            err.println("scepca: " + oneLine(e));
            debug(e, err);
            return INTERNAL_ERROR;
        }
        err.println("scepca: internal error (" + e.getClass().getSimpleName() + "); set SCEPCA_DEBUG=1 for details");
        debug(e, err);
        return INTERNAL_ERROR;
    }

    private static Throwable bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return e instanceof java.io.IOException ? e : t;
            }
        }
        return null;
    }

    private static void debug(Exception e, java.io.PrintWriter err) {
        if (System.getenv("SCEPCA_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "failed";
        }
        return s.lines().findFirst().orElse(s);
    }

    /**
     * The first line of {@code t}'s message, never ending in "null": code that wrote {@code "...: " + e.getMessage()}
     * for an exception without a message (an AccessDeniedException has one; a bare IOException or a
     * NullPointerException may not) gets the type of the cause there instead, and a message-less exception its type.
     */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getCause() != null && t.getCause() != t ? oneLine(t.getCause())
                    : "failed (" + t.getClass().getSimpleName() + ")";
        }
        String line = oneLine(m);
        if (line.endsWith(": null") || line.equals("null")) {
            Throwable cause = t.getCause() != null ? t.getCause() : t;
            line = line.substring(0, line.length() - "null".length()) + cause.getClass().getSimpleName();
        }
        return line;
    }

    /** A usage mistake the command detected itself. */
    static final class UserException extends RuntimeException {
        UserException(String message) {
            super(message);
        }
    }
}
