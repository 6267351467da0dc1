package org.scepca.server.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.server.http.RateLimits;

/**
 * Transport settings. Defaults suit a SCEP endpoint on the open network: small bodies, short idle timeouts, no
 * server version in headers.
 *
 * @param host            bind address (0.0.0.0 for every interface)
 * @param port            0 picks a free port (tests)
 * @param maxMessageBytes largest SCEP message accepted (a 4096-bit PKCSReq is about 5 KiB)
 * @param maxRequestBytes hard cap on any request body's announced length, checked before a servlet reads it (a chunked
 *                        body is bounded by its route's own reader; see BodyLimitHandler)
 * @param idleTimeout     connection idle timeout
 * @param maxThreads      request threads
 * @param limits          per-source rate and concurrency limits on this port ({@code limits.*} keys)
 * @param tls             the public HTTPS connector ({@code public.tls-*} keys), which EST needs
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int maxRequestBytes, Duration idleTimeout,
        int maxThreads, RateLimits limits, Optional<PublicTls> tls) {
    /**
     * The public HTTPS connector: the same servlets as the plain port (SCEP, OCSP, CA files) plus EST, which is
     * served over TLS only (RFC 7030 §3.2). Client certificates are asked for but not required (EST's simplereenroll
     * authenticates with one; everything else does not), and only certificates from this CA are accepted.
     *
     * @param port             0 picks a free port (tests)
     * @param certificateChain server certificate chain (PEM); empty: the server issues its own from this CA for the
     *                         host of public-base-url, on first start (kept in the data folder, renewed when near expiry)
     * @param privateKey       its unencrypted private key (PEM); present exactly when {@code certificateChain} is
     */
    public record PublicTls(int port, Optional<Path> certificateChain, Optional<Path> privateKey) {
        public PublicTls {
            Objects.requireNonNull(certificateChain, "certificateChain is null");
            Objects.requireNonNull(privateKey, "privateKey is null");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (certificateChain.isPresent() != privateKey.isPresent()) {
                throw new InvalidConfigException("public.tls-cert and public.tls-key go together");
            }
        }
    }

    /** Without a public HTTPS connector. */
    public ServerConfig(String host, int port, int maxMessageBytes, int maxRequestBytes, Duration idleTimeout,
            int maxThreads, RateLimits limits) {
        this(host, port, maxMessageBytes, maxRequestBytes, idleTimeout, maxThreads, limits, Optional.empty());
    }

    /** The {@code limits.*} keys of scepca.properties (also listed in CaConfig.KEYS, which reads the same file). */
    public static final java.util.Set<String> KEYS = java.util.Set.of("limits.enabled", "limits.per-source-rps",
            "limits.per-source-burst", "limits.pkioperation-per-source-rps", "limits.pkioperation-per-source-burst",
            "limits.max-concurrent-pkioperations", "limits.exempt-loopback", "limits.trust-forwarded-for");

    public ServerConfig {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(idleTimeout, "idleTimeout is null");
        Objects.requireNonNull(limits, "limits is null");
        Objects.requireNonNull(tls, "tls is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (maxMessageBytes < 1024 || maxRequestBytes < maxMessageBytes) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1024 and <= maxRequestBytes");
        }
    }

    public static ServerConfig defaults(String host, int port) {
        return new ServerConfig(host, port, 64 * 1024, 256 * 1024, Duration.ofSeconds(30), 64, RateLimits.defaults());
    }

    public ServerConfig withLimits(RateLimits l) {
        return new ServerConfig(host, port, maxMessageBytes, maxRequestBytes, idleTimeout, maxThreads, l, tls);
    }

    public ServerConfig withTls(Optional<PublicTls> t) {
        return new ServerConfig(host, port, maxMessageBytes, maxRequestBytes, idleTimeout, maxThreads, limits, t);
    }

    /**
     * Defaults with the {@code limits.*} and {@code public.tls-*} keys of {@code file} (scepca.properties), validated;
     * errors name the key.
     */
    public static ServerConfig load(String host, int port, Path file) {
        Properties p = CaConfig.read(file);
        return defaults(host, port).withLimits(limits(p)).withTls(publicTls(p, file.toAbsolutePath().getParent(), port));
    }

    /** The {@code public.tls-*} keys (also listed in CaConfig.KEYS); relative files resolve against {@code baseDir}. */
    public static Optional<PublicTls> publicTls(Properties p, Path baseDir, int plainPort) {
        String port = p.getProperty("public.tls-port");
        String cert = p.getProperty("public.tls-cert");
        String key = p.getProperty("public.tls-key");
        if (port == null) {
            if (cert != null || key != null) {
                throw new InvalidConfigException("public.tls-cert and public.tls-key need public.tls-port");
            }
            return Optional.empty();
        }
        int tp = CaConfig.intValue(p, "public.tls-port", 0, 1, 65535);
        if (tp == plainPort) {
            throw new InvalidConfigException("public.tls-port must differ from the plain-HTTP port (" + plainPort + ")");
        }
        if ((cert == null) != (key == null)) {
            throw new InvalidConfigException((cert == null ? "public.tls-cert" : "public.tls-key") + " is missing:"
                    + " give both public.tls-cert and public.tls-key (e.g. from 'scepca cert issue-server'), or neither"
                    + " for a certificate the server issues itself for the host of public-base-url");
        }
        return Optional.of(new PublicTls(tp, Optional.ofNullable(cert).map(c -> baseDir.resolve(c.strip())),
                Optional.ofNullable(key).map(k -> baseDir.resolve(k.strip()))));
    }

    public static RateLimits limits(Properties p) {
        RateLimits d = RateLimits.defaults();
        int rps = intValue(p, "limits.per-source-rps", d.perSourceRps());
        int burst = intValue(p, "limits.per-source-burst", Math.max(d.perSourceBurst(), rps));
        int pkiRps = intValue(p, "limits.pkioperation-per-source-rps", d.pkiPerSourceRps());
        int pkiBurst = intValue(p, "limits.pkioperation-per-source-burst", Math.max(d.pkiPerSourceBurst(), pkiRps));
        if (burst < rps) {
            throw new InvalidConfigException("limits.per-source-burst must be at least limits.per-source-rps (" + rps + ")");
        }
        if (pkiBurst < pkiRps) {
            throw new InvalidConfigException("limits.pkioperation-per-source-burst must be at least"
                    + " limits.pkioperation-per-source-rps (" + pkiRps + ")");
        }
        return new RateLimits(bool(p, "limits.enabled", d.enabled()), rps, burst, pkiRps, pkiBurst,
                intValue(p, "limits.max-concurrent-pkioperations", d.maxConcurrentPkiOperations()),
                bool(p, "limits.exempt-loopback", d.exemptLoopback()),
                bool(p, "limits.trust-forwarded-for", d.trustForwardedFor()));
    }

    private static int intValue(Properties p, String key, int def) {
        return CaConfig.intValue(p, key, def, 1, 1_000_000);
    }

    private static boolean bool(Properties p, String key, boolean def) {
        return CaConfig.bool(p, key, def);
    }
}
