package org.scepca.server.admin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import javax.security.auth.x500.X500Principal;

import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.tokens.AdminRole;

/**
 * Where the admin API and console listen and who may use them over mTLS, read from the same
 * {@code DIR/scepca.properties} as {@link org.scepca.ca.config.CaConfig}. The admin surface gets its own connector,
 * by default on 127.0.0.1:9090, so the SCEP port that devices reach never serves it.
 *
 * @param enabled    false: no admin connector at all
 * @param host       bind address of the plain-HTTP admin connector
 * @param port       its port (0 picks a free one, for tests)
 * @param tls        optional mTLS connector: clients must present a certificate from this CA
 * @param mtlsGrants which client certificates (by subject DN or SAN) get which role
 */
public record AdminConfig(boolean enabled, String host, int port, Optional<Tls> tls, List<MtlsGrant> mtlsGrants) {
    public static final int DEFAULT_PORT = 9090;
    public static final String DEFAULT_HOST = "127.0.0.1";

    public AdminConfig {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(tls, "tls is null");
        mtlsGrants = List.copyOf(mtlsGrants);
        if (port < 0 || port > 65535) {
            throw new InvalidConfigException("admin.port must be between 1 and 65535, not " + port);
        }
    }

    /** The mTLS connector: server certificate chain and key as PEM (what {@code scepca cert issue-server} writes). */
    public record Tls(String host, int port, Path certificateChain, Path privateKey) {
        public Tls {
            Objects.requireNonNull(host, "host is null");
            Objects.requireNonNull(certificateChain, "certificateChain is null");
            Objects.requireNonNull(privateKey, "privateKey is null");
        }
    }

    /**
     * One configured client identity: a subject DN or a SAN in the store's {@code type:value} form
     * ({@code email:alice@example.com}). A DN matches as an X.500 name (case and spacing of attribute types do not
     * matter) in either RDN order, because tools disagree on which end of "CN=alice,O=Example" comes first:
     * RFC 4514 strings list the last RDN first, OpenSSL and Bouncy Castle print them in encoding order.
     */
    public record MtlsGrant(List<X500Principal> subjectForms, Optional<String> san, AdminRole role) {
        public MtlsGrant {
            subjectForms = List.copyOf(subjectForms);
            Objects.requireNonNull(san, "san is null");
            Objects.requireNonNull(role, "role is null");
            if (subjectForms.isEmpty() == san.isEmpty()) {
                throw new IllegalArgumentException("a grant names either a subject or a SAN");
            }
        }

        /** @throws IllegalArgumentException if {@code dn} is not a distinguished name */
        public static MtlsGrant subject(String dn, AdminRole role) {
            X500Principal rfc4514 = new X500Principal(dn);
            X500Principal asWritten;
            try {
                asWritten = new X500Principal(new org.bouncycastle.asn1.x500.X500Name(dn).getEncoded());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("not a DN: " + dn);
            }
            return new MtlsGrant(rfc4514.equals(asWritten) ? List.of(rfc4514) : List.of(rfc4514, asWritten),
                    Optional.empty(), role);
        }

        public static MtlsGrant san(String typeAndValue, AdminRole role) {
            return new MtlsGrant(List.of(), Optional.of(typeAndValue), role);
        }

        public boolean matches(X500Principal certSubject, List<String> certSans) {
            return san.map(certSans::contains).orElseGet(() -> subjectForms.contains(certSubject));
        }
    }

    public static AdminConfig disabled() {
        return new AdminConfig(false, DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), List.of());
    }

    /** Plain-HTTP admin connector on 127.0.0.1 (port 0 for tests). */
    public static AdminConfig loopback(int port) {
        return new AdminConfig(true, DEFAULT_HOST, port, Optional.empty(), List.of());
    }

    public AdminConfig withTls(Tls newTls, List<MtlsGrant> grants) {
        return new AdminConfig(enabled, host, port, Optional.of(newTls), grants);
    }

    public static AdminConfig load(Path file) {
        return from(org.scepca.ca.config.CaConfig.read(file), file.toAbsolutePath().getParent());
    }

    /** Relative file names are resolved against {@code baseDir} (the data folder). */
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
        List<MtlsGrant> grants = new ArrayList<>();
        grants.addAll(grants(p, "admin.mtls-admins", AdminRole.ADMIN));
        grants.addAll(grants(p, "admin.mtls-viewers", AdminRole.VIEWER));
        if (!grants.isEmpty() && tls.isEmpty()) {
            throw new InvalidConfigException("admin.mtls-admins/admin.mtls-viewers need admin.tls-port");
        }
        return new AdminConfig(enabled, host, port, tls, grants);
    }

    /** Entries are separated by ';' because a DN contains commas: {@code CN=alice,O=Example; email:bob@example.com}. */
    private static List<MtlsGrant> grants(Properties p, String key, AdminRole role) {
        String v = p.getProperty(key);
        List<MtlsGrant> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        for (String raw : v.split(";")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            int eq = entry.indexOf('=');
            if (colon > 0 && (eq < 0 || colon < eq)) {
                String type = entry.substring(0, colon).toLowerCase(Locale.ROOT);
                if (!List.of("dns", "email", "uri", "upn", "ip").contains(type)) {
                    throw new InvalidConfigException(key + ": unknown SAN type '" + type + "' in '" + entry
                            + "'; use dns:, email:, uri:, upn: or ip:");
                }
                out.add(MtlsGrant.san(type + entry.substring(colon), role));
            } else {
                try {
                    out.add(MtlsGrant.subject(entry, role));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(key + ": '" + entry + "' is neither a DN (CN=...) nor a SAN (email:...)");
                }
            }
        }
        return out;
    }

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
