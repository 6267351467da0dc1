package org.scepca.server.admin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.jamf.JamfConfig;

/**
 * Where the admin API and console listen and who may use them over mTLS, read from the same
 * {@code DIR/scepca.properties} as {@link org.scepca.ca.config.CaConfig}. The admin surface gets its own connector,
 * by default on 127.0.0.1:9090, so the SCEP port that devices reach never serves it.
 *
 * @param enabled    false: no admin connector at all
 * @param host       bind address of the plain-HTTP admin connector
 * @param port       its port (0 picks a free one, for tests)
 * @param tls        optional mTLS connector: clients must present an admin client certificate from this CA
 *                   ({@code scepca admin cert issue}); the role comes from the store, never from the names
 * @param jamf       the {@code jamf.*} keys of the same file: the Basic credential Jamf Pro's SCEPChallenge webhook
 *                   may use on {@code POST /api/v1/jamf/scep-challenge}, and the Jamf Pro API client of the device sync
 * @param metricsPublic {@code admin.metrics-public}: {@code GET /metrics} on the admin connector needs no token
 *                   (docs/monitoring.md); off by default
 */
public record AdminConfig(boolean enabled, String host, int port, Optional<Tls> tls, Optional<JamfConfig> jamf,
        boolean metricsPublic) {
    public static final int DEFAULT_PORT = 9090;
    public static final String DEFAULT_HOST = "127.0.0.1";

    public AdminConfig {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(tls, "tls is null");
        Objects.requireNonNull(jamf, "jamf is null");
        if (port < 0 || port > 65535) {
            throw new InvalidConfigException("admin.port must be between 1 and 65535, not " + port);
        }
    }

    /** Without Jamf settings. */
    public AdminConfig(boolean enabled, String host, int port, Optional<Tls> tls) {
        this(enabled, host, port, tls, Optional.empty());
    }

    /** Metrics need a token. */
    public AdminConfig(boolean enabled, String host, int port, Optional<Tls> tls, Optional<JamfConfig> jamf) {
        this(enabled, host, port, tls, jamf, false);
    }

    /** The mTLS connector: server certificate chain and key as PEM (what {@code scepca cert issue-server} writes). */
    public record Tls(String host, int port, Path certificateChain, Path privateKey) {
        public Tls {
            Objects.requireNonNull(host, "host is null");
            Objects.requireNonNull(certificateChain, "certificateChain is null");
            Objects.requireNonNull(privateKey, "privateKey is null");
        }
    }

    public static AdminConfig disabled() {
        return new AdminConfig(false, DEFAULT_HOST, DEFAULT_PORT, Optional.empty());
    }

    /** Plain-HTTP admin connector on 127.0.0.1 (port 0 for tests). */
    public static AdminConfig loopback(int port) {
        return new AdminConfig(true, DEFAULT_HOST, port, Optional.empty());
    }

    public AdminConfig withTls(Tls newTls) {
        return new AdminConfig(enabled, host, port, Optional.of(newTls), jamf, metricsPublic);
    }

    public AdminConfig withJamf(Optional<JamfConfig> newJamf) {
        return new AdminConfig(enabled, host, port, tls, newJamf, metricsPublic);
    }

    public AdminConfig withMetricsPublic(boolean open) {
        return new AdminConfig(enabled, host, port, tls, jamf, open);
    }

    public static AdminConfig load(Path file) {
        return from(org.scepca.ca.config.CaConfig.read(file), file.toAbsolutePath().getParent());
    }

    /**
     * Relative file names are resolved against {@code baseDir} (the data folder). The {@code jamf.*} keys are read
     * and validated here too ({@link JamfConfig#from}), whether or not the admin connector is enabled, so that a
     * mistake in them stops the server at start.
     */
    public static AdminConfig from(Properties p, Path baseDir) {
        boolean enabled = bool(p, "admin.enabled", true);
        String host = p.getProperty("admin.host", DEFAULT_HOST).strip();
        if (host.isEmpty()) {
            throw new InvalidConfigException("admin.host must not be empty");
        }
        int port = port(p, "admin.port", DEFAULT_PORT);
        Optional<Tls> tls = Optional.empty();
        String tlsPort = p.getProperty("admin.tls-port");
        String cert = p.getProperty("admin.tls-cert");
        String key = p.getProperty("admin.tls-key");
        if (tlsPort != null) {
            if (cert == null || key == null) {
                throw new InvalidConfigException("admin.tls-port needs admin.tls-cert and admin.tls-key"
                        + " (e.g. from 'scepca cert issue-server': server-chain.pem and server.key)");
            }
            int tp = port(p, "admin.tls-port", 0);
            if (tp == port) {
                throw new InvalidConfigException("admin.tls-port must differ from admin.port");
            }
            tls = Optional.of(new Tls(host, tp, baseDir.resolve(cert.strip()), baseDir.resolve(key.strip())));
        } else if (cert != null || key != null) {
            throw new InvalidConfigException("admin.tls-cert and admin.tls-key need admin.tls-port");
        }
        for (String removed : REMOVED_GRANT_KEYS) {
            if (p.getProperty(removed) != null) {
                // Refused, not ignored: these keys gave a role to any certificate from this CA with the listed name,
                // and anyone holding a one-time challenge may ask for any name. Failing to start says so at once;
                // ignoring the key would lock its admins out without a word.
                throw new InvalidConfigException(removed + " is no longer supported: it granted admin roles by"
                        + " certificate names, which any enrolled device can choose. Remove it and give each admin a"
                        + " certificate of their own: 'scepca admin cert issue --name NAME --role admin|viewer'.");
            }
        }
        return new AdminConfig(enabled, host, port, tls, JamfConfig.from(p, baseDir),
                bool(p, "admin.metrics-public", false));
    }

    /** Keys of earlier releases that granted roles by subject DN or SAN. */
    static final List<String> REMOVED_GRANT_KEYS = List.of("admin.mtls-admins", "admin.mtls-viewers");

    private static int port(Properties p, String key, int def) {
        String v = p.getProperty(key);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.strip());
            if (i < 1 || i > 65535) {
                throw new InvalidConfigException(key + " must be between 1 and 65535, not " + i);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key + " must be a port number, not '" + v + "'");
        }
    }

    private static boolean bool(Properties p, String key, boolean def) {
        String v = p.getProperty(key);
        if (v == null) {
            return def;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new InvalidConfigException(key + " must be true or false, not '" + v + "'");
        };
    }
}
