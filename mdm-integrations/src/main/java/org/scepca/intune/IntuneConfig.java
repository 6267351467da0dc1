package org.scepca.intune;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code intune.*} keys of scepca.properties, read and validated once at start-up (CaConfig delegates the family
 * here). Errors name the key.
 *
 * @param tenantId           Entra tenant (GUID or verified domain): the token authority is {@code loginUrl/tenantId}
 * @param clientId           the app registration's application (client) id
 * @param credential         client secret or certificate of that app registration (never printed)
 * @param loginUrl           Entra login host, e.g. {@code https://login.microsoftonline.us} for US Government
 * @param graphUrl           Microsoft Graph, used only for service discovery (token scope {@code graphUrl/.default})
 * @param resourceUrl        the Intune service's resource id; the token scope is {@code resourceUrl + "/.default"},
 *                           so the default {@code https://api.manage.microsoft.com/} gives Microsoft's own double slash
 * @param timeout            connect and request timeout of each HTTP exchange (token, discovery, Intune)
 * @param retries            extra attempts after a transient failure (5xx, 429, timeout, transport)
 * @param breakerFailureThreshold failed operations in a row that open the circuit
 * @param breakerOpen        how long an open circuit refuses calls before one probe is let through
 * @param revocationSyncInterval how often to poll the PKI connector for revocation requests; empty = off
 * @param discoveryCacheTtl  how long discovered service URIs are used before Graph is asked again
 */
public record IntuneConfig(String tenantId, String clientId, Credential credential, URI loginUrl, URI graphUrl,
        String resourceUrl, Duration timeout, int retries, int breakerFailureThreshold, Duration breakerOpen,
        Optional<Duration> revocationSyncInterval, Duration discoveryCacheTtl) {

    private static final Logger LOG = LoggerFactory.getLogger(IntuneConfig.class);

    public static final String PREFIX = "intune.";
    /** Listed in ca-core, where the environment's keys are known too. */
    public static final Set<String> KEYS = CaConfig.INTUNE_KEYS;

    public static final String DEFAULT_LOGIN_URL = "https://login.microsoftonline.com";
    public static final String DEFAULT_GRAPH_URL = "https://graph.microsoft.com";
    /** Microsoft's clients use this resource with a trailing slash and append "/.default" (Intune-Resource-Access). */
    public static final String DEFAULT_RESOURCE_URL = "https://api.manage.microsoft.com/";

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** A tenant id is a GUID or a domain name; either way it becomes one path segment of the authority URL. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?");
    private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

    public IntuneConfig {
        Objects.requireNonNull(tenantId, "tenantId is null");
        Objects.requireNonNull(clientId, "clientId is null");
        Objects.requireNonNull(credential, "credential is null");
        Objects.requireNonNull(loginUrl, "loginUrl is null");
        Objects.requireNonNull(graphUrl, "graphUrl is null");
        Objects.requireNonNull(resourceUrl, "resourceUrl is null");
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(breakerOpen, "breakerOpen is null");
        Objects.requireNonNull(revocationSyncInterval, "revocationSyncInterval is null");
        Objects.requireNonNull(discoveryCacheTtl, "discoveryCacheTtl is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (retries < 0 || breakerFailureThreshold < 1) {
            throw new IllegalArgumentException("retries must be >= 0 and breakerFailureThreshold >= 1");
        }
    }

    /** The authority MSAL gets: {@code {login-url}/{tenant}}. */
    public String authority() {
        return loginUrl + "/" + tenantId;
    }

    /** Token scope for Microsoft Graph (service discovery). */
    public String graphScope() {
        return graphUrl + "/.default";
    }

    /** Token scope for Intune (ScepActions, PKI connector): resource + "/.default", as Microsoft's clients build it. */
    public String intuneScope() {
        return resourceUrl + "/.default";
    }

    @Override
    public String toString() {
        return "IntuneConfig[tenant=" + tenantId + ", client=" + clientId + ", credential=" + credential
                + ", login=" + loginUrl + ", graph=" + graphUrl + ", resource=" + resourceUrl + ", timeout=" + timeout
                + ", retries=" + retries + ", breaker=" + breakerFailureThreshold + "/" + breakerOpen
                + ", revocationSync=" + revocationSyncInterval.map(Duration::toString).orElse("off") + "]";
    }

    /**
     * The Intune configuration in {@code p}, or empty when no {@code intune.*} key is set (the integration is off).
     * Relative file paths resolve against {@code configDir} (the folder of scepca.properties).
     *
     * @throws InvalidConfigException naming the key: unknown {@code intune.*} key, missing tenant, client or
     *                                credential, unreadable secret or certificate, bad URL or number
     */
    public static Optional<IntuneConfig> from(Properties p, Path configDir) {
        Objects.requireNonNull(p, "p is null");
        Objects.requireNonNull(configDir, "configDir is null");
        List<String> ours = p.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX)).sorted().toList();
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        for (String k : ours) {
            if (!KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known intune keys: "
                        + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        String tenant = required(p, "intune.tenant-id");
        if (!GUID.matcher(tenant).matches() && !TENANT.matcher(tenant).matches()) {
            throw new InvalidConfigException("intune.tenant-id must be the tenant's GUID or domain name, not '"
                    + tenant + "'");
        }
        String client = required(p, "intune.client-id");
        if (!GUID.matcher(client).matches()) {
            throw new InvalidConfigException("intune.client-id must be the app registration's application id (a GUID),"
                    + " not '" + client + "'");
        }
        Credential credential = credential(p, configDir);
        URI login = hostUrl(p, "intune.login-url", DEFAULT_LOGIN_URL, false);
        URI graph = hostUrl(p, "intune.graph-url", DEFAULT_GRAPH_URL, true);
        String resource = p.getProperty("intune.resource-url", DEFAULT_RESOURCE_URL).strip();
        hostUrl(p, "intune.resource-url", DEFAULT_RESOURCE_URL, true); // validated only: it is a scope, never called
        Optional<Duration> sync = Optional.ofNullable(p.getProperty("intune.revocation-sync-interval"))
                .filter(s -> !s.isBlank())
                .map(s -> Duration.ofMinutes(CaConfig.intValue(p, "intune.revocation-sync-interval", 0, 1, 24 * 60)));
        return Optional.of(new IntuneConfig(tenant, client, credential, login, graph, resource,
                Duration.ofSeconds(CaConfig.intValue(p, "intune.timeout-seconds", 10, 1, 120)),
                CaConfig.intValue(p, "intune.retries", 2, 0, 5),
                CaConfig.intValue(p, "intune.breaker-failure-threshold", 5, 1, 100),
                Duration.ofSeconds(CaConfig.intValue(p, "intune.breaker-open-seconds", 30, 1, 3600)),
                sync,
                Duration.ofMinutes(CaConfig.intValue(p, "intune.discovery-cache-minutes", 60, 1, 24 * 60))));
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new InvalidConfigException(key + " is required when any intune.* key is set");
        }
        return v.strip();
    }

    private static Credential credential(Properties p, Path configDir) {
        String secretFile = p.getProperty("intune.client-secret-file");
        String certFile = p.getProperty("intune.client-certificate-file");
        if (secretFile != null && certFile != null) {
            throw new InvalidConfigException("set either intune.client-secret-file or intune.client-certificate-file,"
                    + " not both");
        }
        if (secretFile == null && certFile == null) {
            if (p.getProperty("intune.client-certificate-password-file") != null) {
                throw new InvalidConfigException("intune.client-certificate-password-file is set but"
                        + " intune.client-certificate-file is not");
            }
            throw new InvalidConfigException("intune.client-secret-file (or intune.client-certificate-file) is"
                    + " required when any intune.* key is set");
        }
        if (secretFile != null) {
            if (p.getProperty("intune.client-certificate-password-file") != null) {
                throw new InvalidConfigException("intune.client-certificate-password-file goes with"
                        + " intune.client-certificate-file, not with intune.client-secret-file");
            }
            String secret = secretText(resolve(configDir, secretFile), "intune.client-secret-file");
            if (secret.isEmpty()) {
                throw new InvalidConfigException("intune.client-secret-file: " + resolve(configDir, secretFile)
                        + " is empty");
            }
            return new ClientSecret(secret);
        }
        String pwFile = p.getProperty("intune.client-certificate-password-file");
        char[] password = pwFile == null ? new char[0]
                : secretText(resolve(configDir, pwFile), "intune.client-certificate-password-file").toCharArray();
        return ClientCertificate.load(resolve(configDir, certFile), password);
    }

    private static Path resolve(Path configDir, String value) {
        return configDir.resolve(value.strip());
    }

    /**
     * The trimmed content of a secret file. A file others can read is accepted with a warning, not refused:
     * Kubernetes mounts secrets 0644 by default, and refusing would break the most common deployment.
     */
    private static String secretText(Path file, String key) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidConfigException(key + ": " + file + " does not exist or is not a file");
            }
            if (Files.size(file) > MAX_SECRET_FILE_BYTES) {
                throw new InvalidConfigException(key + ": " + file + " is too large to be a secret");
            }
            warnIfWorldReadable(file, key);
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new InvalidConfigException(key + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void warnIfWorldReadable(Path file, String key) {
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("{}: {} is readable by every user of this machine; restrict it (chmod 600)", key, file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system (Windows): its ACLs are the administrator's business.
        }
    }

    /**
     * An https URL without query or fragment, trailing slash removed. {@code pathAllowed}: the login URL must be a
     * bare host, because MSAL takes the first path segment of the authority as the tenant.
     */
    private static URI hostUrl(Properties p, String key, String def, boolean pathAllowed) {
        String raw = p.getProperty(key, def).strip();
        URI u;
        try {
            u = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(key + " is not a URL: " + raw);
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getQuery() != null
                || u.getFragment() != null || u.getUserInfo() != null) {
            throw new InvalidConfigException(key + " must be an https URL with a host and no query: " + raw);
        }
        if (!pathAllowed && u.getPath() != null && !u.getPath().isEmpty()) {
            throw new InvalidConfigException(key + " must be the login host only (the tenant is added to it), not "
                    + raw);
        }
        return u;
    }

    /** How the app registration proves who it is. Implementations never print the secret. */
    public sealed interface Credential permits ClientSecret, ClientCertificate {
    }

    /** A client secret (the value, not its id). */
    public record ClientSecret(String value) implements Credential {
        public ClientSecret {
            Objects.requireNonNull(value, "value is null");
            if (value.isEmpty()) {
                throw new IllegalArgumentException("value is empty");
            }
        }

        @Override
        public String toString() {
            return "ClientSecret[***]";
        }
    }

    /** A certificate credential: MSAL signs a client assertion (JWT) with the key; Entra knows the certificate. */
    public record ClientCertificate(PrivateKey key, List<X509Certificate> chain) implements Credential {
        public ClientCertificate {
            Objects.requireNonNull(key, "key is null");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("chain is empty");
            }
        }

        @Override
        public String toString() {
            return "ClientCertificate[" + chain.get(0).getSubjectX500Principal().getName() + "]";
        }

        static ClientCertificate load(Path file, char[] password) {
            String key = "intune.client-certificate-file";
            try (InputStream in = Files.newInputStream(file)) {
                warnIfWorldReadable(file, key);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                for (String alias : Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(alias)) {
                        PrivateKey k = (PrivateKey) ks.getKey(alias, password);
                        List<X509Certificate> chain = new ArrayList<>();
                        Certificate[] certs = ks.getCertificateChain(alias);
                        for (Certificate c : certs == null ? new Certificate[0] : certs) {
                            chain.add((X509Certificate) c);
                        }
                        if (k == null || chain.isEmpty()) {
                            break;
                        }
                        return new ClientCertificate(k, chain);
                    }
                }
                throw new InvalidConfigException(key + ": " + file + " holds no private key with its certificate");
            } catch (IOException | GeneralSecurityException | ClassCastException e) {
                // A wrong password surfaces as IOException ("keystore password was incorrect").
                throw new InvalidConfigException(key + ": cannot read PKCS#12 " + file + " (wrong password in"
                        + " intune.client-certificate-password-file?): " + String.valueOf(e.getMessage()));
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }
}
