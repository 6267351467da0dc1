package org.scepca.ca.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import org.scepca.ca.material.PublicUrls;
import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.policy.RequestLimits;
import org.scepca.ca.policy.SanType;

/**
 * Typed configuration, read once from {@code DIR/scepca.properties} (all keys optional) and validated. Unknown keys
 * are an error, so a typo never silently falls back to a default.
 */
public record CaConfig(IssuancePolicy policy, Duration crlNextUpdate, Duration rootCrlNextUpdate,
        Optional<URI> publicBaseUrl, Optional<String> staticChallenge, boolean manualApproval,
        boolean supersedeOnRenewal, boolean includeRootInCaCert, boolean allowSingleDes, DatabaseConfig database, boolean useRa,
        Map<String, String> delegated, Path configDir, Optional<Path> crlDir) {

    public CaConfig {
        delegated = Map.copyOf(delegated);
        Objects.requireNonNull(configDir, "configDir is null");
        Objects.requireNonNull(database, "database is null");
        Objects.requireNonNull(crlDir, "crlDir is null");
    }

    public int dbPoolSize() {
        return database.poolSize();
    }

    /** Without keys for the other models (tests). */
    public CaConfig(IssuancePolicy policy, Duration crlNextUpdate, Duration rootCrlNextUpdate,
            Optional<URI> publicBaseUrl, Optional<String> staticChallenge, boolean manualApproval,
            boolean supersedeOnRenewal, boolean includeRootInCaCert, boolean allowSingleDes, int dbPoolSize, boolean useRa) {
        this(policy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, staticChallenge, manualApproval, supersedeOnRenewal,
                includeRootInCaCert, allowSingleDes, DatabaseConfig.embedded(dbPoolSize), useRa, Map.of(), Path.of("."),
                Optional.empty());
    }

    /**
     * The keys of the families other models own ({@link #DELEGATED_PREFIXES}), as a Properties object those models
     * parse (IntuneConfig, JamfConfig, WebhookConfig).
     */
    public Properties delegatedProperties() {
        Properties p = new Properties();
        p.putAll(delegated);
        return p;
    }

    /** The enrollment endpoints this configuration describes (validated when the configuration was read). */
    public org.scepca.ca.endpoint.Endpoints endpoints() {
        return org.scepca.ca.endpoint.Endpoints.from(delegatedProperties(), this, configDir);
    }

    /** The searchable audit trail's settings (the {@code audit.*} keys, validated when the configuration was read). */
    public org.scepca.ca.audit.AuditConfig audit() {
        return org.scepca.ca.audit.AuditConfig.from(delegatedProperties());
    }

    public static final Set<String> KEYS = Set.of("policy.validity-days", "policy.rsa-min-bits", "policy.san-types",
            "policy.intune-sid", "policy.san-dns-pattern", "policy.san-email-pattern", "policy.san-uri-pattern",
            "policy.min-validity-days", "policy.max-csr-bytes", "policy.max-subject-attributes",
            "policy.max-attribute-length", "policy.max-subject-length", "policy.max-sans", "policy.max-san-length",
            "policy.max-sans-length",
            "crl.next-update-hours", "crl.root-next-update-days", "crl.dir", "public-base-url", "scep.static-challenge",
            "scep.approval", "scep.supersede-on-renewal", "scep.getcacert-include-root", "scep.allow-single-des",
            "db.pool-size", "db.url", "db.user", "db.password-file", "scep.use-ra", "include",
            // Read by the server's admin.AdminConfig (same file); listed here so they are not unknown keys.
            "admin.enabled", "admin.host", "admin.port", "admin.tls-port", "admin.tls-cert", "admin.tls-key",
            "admin.mtls-admins", "admin.mtls-viewers", "admin.metrics-public",
            // Read by the server's ServerConfig (rate limits on the public port).
            "limits.enabled", "limits.per-source-rps", "limits.per-source-burst", "limits.pkioperation-per-source-rps",
            "limits.pkioperation-per-source-burst", "limits.max-concurrent-pkioperations", "limits.exempt-loopback",
            "limits.trust-forwarded-for",
            // Read by the server's ServerConfig (the public HTTPS connector that EST needs).
            "public.tls-port", "public.tls-cert", "public.tls-key");

    /**
     * The {@code intune.*} keys. IntuneConfig (mdm-integrations) owns the family and takes its list from here, where
     * {@link ConfigEnvironment} can see it too: one list for both.
     */
    public static final Set<String> INTUNE_KEYS = Set.of("intune.tenant-id", "intune.client-id",
            "intune.client-secret-file", "intune.client-certificate-file", "intune.client-certificate-password-file",
            "intune.login-url", "intune.graph-url", "intune.resource-url", "intune.timeout-seconds", "intune.retries",
            "intune.breaker-failure-threshold", "intune.breaker-open-seconds", "intune.revocation-sync-interval",
            "intune.discovery-cache-minutes");
    /** The {@code jamf.*} keys, owned by JamfConfig (mdm-integrations) like {@link #INTUNE_KEYS}. */
    public static final Set<String> JAMF_KEYS = Set.of("jamf.webhook-username", "jamf.webhook-password-file",
            "jamf.url", "jamf.client-id", "jamf.client-secret-file", "jamf.device-sync-interval",
            "jamf.max-revocations-per-run");

    /**
     * Key families owned by other configuration models built from the same file (endpoints, the MDM integrations,
     * outbound webhooks). Each owner rejects the unknown keys of its own family, with an error naming the key.
     */
    public static final Set<String> DELEGATED_PREFIXES = Set.of("endpoint.", "intune.", "jamf.", "webhook.", "notify.",
            "profile.", "audit.");

    /** The {@code profile.*} keys, owned by the server's ProfileConfig like {@link #INTUNE_KEYS}. */
    public static final Set<String> PROFILE_KEYS = Set.of("profile.identifier-prefix");

    @Override
    public String toString() {
        return "CaConfig[policy=" + policy.describe() + ", crlNextUpdate=" + crlNextUpdate + ", publicBaseUrl="
                + publicBaseUrl.map(URI::toString).orElse("-") + ", staticChallenge="
                + (staticChallenge.isPresent() ? "set" : "none") + ", approval=" + (manualApproval ? "manual" : "auto") + "]";
    }

    public static CaConfig defaults() {
        return from(new Properties());
    }

    /** The configuration in {@code file} with the process environment over it ({@link ConfigEnvironment}). */
    public static CaConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * The configuration in {@code file} with the keys {@code env} sets over it. An error about a key the environment
     * set says so, with the variable's name.
     */
    public static CaConfig load(Path file, Map<String, String> env) {
        ConfigEnvironment environment = ConfigEnvironment.of(env);
        try {
            return from(read(file, environment), file.toAbsolutePath().getParent(), environment.variables());
        } catch (InvalidConfigException e) {
            throw environment.explain(e);
        }
    }

    /** {@link #read(Path, Map)} with the process environment: what the server's configs read. */
    public static Properties read(Path file) {
        return read(file, System.getenv());
    }

    /**
     * The properties in {@code file} (none if it does not exist) with the keys {@code env} sets over them
     * ({@link ConfigEnvironment}: {@code SCEPCA_DB_URL} sets {@code db.url}; the environment wins); every configuration
     * model reads its keys from what this returns. The file's {@code include} key (or {@code SCEPCA_INCLUDE}) names
     * another file (relative to this one's folder) whose keys are added, for example the endpoints kept apart; a key
     * set in both files is an error, so that no value silently wins.
     */
    public static Properties read(Path file, Map<String, String> env) {
        return read(file, ConfigEnvironment.of(env));
    }

    private static Properties read(Path file, ConfigEnvironment environment) {
        Properties p = readOne(file);
        String include = environment.keys().getOrDefault("include", p.getProperty("include"));
        if (include != null && !include.isBlank()) {
            Path other = file.toAbsolutePath().getParent().resolve(include.strip());
            if (!Files.isRegularFile(other)) {
                throw new InvalidConfigException("include: no file " + other);
            }
            Properties q = readOne(other);
            for (String k : q.stringPropertyNames()) {
                if (k.equals("include")) {
                    throw new InvalidConfigException("include: " + other + " includes another file; one level only");
                }
                if (p.containsKey(k)) {
                    throw new InvalidConfigException(k + " is set in both " + file.getFileName() + " and " + other);
                }
                p.setProperty(k, q.getProperty(k));
            }
        }
        return environment.overlay(p);
    }

    private static Properties readOne(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new InvalidConfigException("cannot read " + file + ": " + e.getMessage());
            }
        }
        return p;
    }

    public static CaConfig from(Properties p) {
        return from(p, Path.of("."));
    }

    /** @param configDir where file names in the configuration resolve (the folder of scepca.properties) */
    public static CaConfig from(Properties p, Path configDir) {
        return from(p, configDir, System.getenv());
    }

    /** @param env the environment's variables that are not keys (SCEPCA_DB_PASSWORD) */
    static CaConfig from(Properties p, Path configDir, Map<String, String> env) {
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k) && DELEGATED_PREFIXES.stream().noneMatch(k::startsWith)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known keys: "
                        + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        int validityDays = intValue(p, "policy.validity-days", 365, 1, 3650);
        IssuancePolicy policy = IssuancePolicy.defaults().withValidity(Duration.ofDays(validityDays));
        int minBits = intValue(p, "policy.rsa-min-bits", 2048, 2048, 8192);
        policy = policy.withRsaBits(minBits, Math.max(minBits, policy.maxRsaBits()));
        // 0 only refuses once the issuing CA has expired; the default keeps devices from getting day-old certificates.
        policy = policy.withMinRemaining(Duration.ofDays(intValue(p, "policy.min-validity-days", 1, 0, validityDays)));
        RequestLimits d = RequestLimits.defaults();
        policy = policy.withLimits(new RequestLimits(
                intValue(p, "policy.max-csr-bytes", d.maxCsrBytes(), 1024, RequestLimits.CSR_BYTES_CEILING),
                intValue(p, "policy.max-subject-attributes", d.maxSubjectAttributes(), 1,
                        RequestLimits.SUBJECT_ATTRIBUTES_CEILING),
                intValue(p, "policy.max-attribute-length", d.maxAttributeLength(), 1, RequestLimits.SUBJECT_LENGTH_CEILING),
                intValue(p, "policy.max-subject-length", d.maxSubjectLength(), 1, RequestLimits.SUBJECT_LENGTH_CEILING),
                intValue(p, "policy.max-sans", d.maxSans(), 0, RequestLimits.SANS_CEILING),
                intValue(p, "policy.max-san-length", d.maxSanLength(), 1, RequestLimits.SANS_LENGTH_CEILING),
                intValue(p, "policy.max-sans-length", d.maxSansLength(), 1, RequestLimits.SANS_LENGTH_CEILING)));
        String types = p.getProperty("policy.san-types");
        if (types != null) {
            Set<SanType> set = EnumSet.noneOf(SanType.class);
            for (String t : types.split(",")) {
                if (t.isBlank()) {
                    continue;
                }
                try {
                    set.add(SanType.valueOf(t.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("policy.san-types: unknown type '" + t.strip() + "'; one of "
                            + Arrays.toString(SanType.values()));
                }
            }
            policy = policy.withSanTypes(set);
        }
        if (bool(p, "policy.intune-sid", false)) {
            throw new InvalidConfigException("policy.intune-sid: Intune's SID names are accepted only on an endpoint with"
                    + " endpoint.NAME.auth = intune, where Intune validated the request; elsewhere a device could claim"
                    + " anyone's SID. Remove this key and configure an Intune endpoint");
        }
        policy = pattern(p, "policy.san-dns-pattern", SanType.DNS, policy);
        policy = pattern(p, "policy.san-email-pattern", SanType.EMAIL, policy);
        policy = pattern(p, "policy.san-uri-pattern", SanType.URI, policy);

        Optional<URI> base = Optional.ofNullable(p.getProperty("public-base-url")).map(String::strip)
                .filter(s -> !s.isEmpty()).map(CaConfig::baseUrl);
        if (base.isPresent()) {
            URI b = base.get();
            policy = policy.withUrls(Optional.of(PublicUrls.intermediateCrl(b)), Optional.of(PublicUrls.ocsp(b)),
                    Optional.of(PublicUrls.intermediateCertificate(b)));
        }
        String approval = p.getProperty("scep.approval", "auto").strip().toLowerCase(Locale.ROOT);
        if (!approval.equals("auto") && !approval.equals("manual")) {
            throw new InvalidConfigException("scep.approval must be auto or manual, not '" + approval + "'");
        }
        Optional<String> staticChallenge = Optional.ofNullable(p.getProperty("scep.static-challenge"))
                .filter(s -> !s.isEmpty());
        if (staticChallenge.isPresent() && staticChallenge.get().length() < 16) {
            throw new InvalidConfigException("scep.static-challenge must be at least 16 characters");
        }
        Map<String, String> delegated = new java.util.HashMap<>();
        for (String k : p.stringPropertyNames()) {
            if (DELEGATED_PREFIXES.stream().anyMatch(k::startsWith)) {
                delegated.put(k, p.getProperty(k));
            }
        }
        CaConfig config = new CaConfig(policy,
                Duration.ofHours(intValue(p, "crl.next-update-hours", 168, 1, 24 * 365)),
                Duration.ofDays(intValue(p, "crl.root-next-update-days", 365, 1, 3650)),
                base, staticChallenge, approval.equals("manual"),
                bool(p, "scep.supersede-on-renewal", true), bool(p, "scep.getcacert-include-root", true),
                bool(p, "scep.allow-single-des", false), DatabaseConfig.from(p, configDir, env),
                bool(p, "scep.use-ra", true),
                delegated, configDir, Optional.ofNullable(p.getProperty("crl.dir")).map(String::strip)
                        .filter(v -> !v.isEmpty()).map(configDir::resolve));
        config.endpoints(); // validates the endpoint.* keys now: errors name the key at start-up
        config.audit(); // and the audit.* keys
        return config;
    }

    public CaConfig withManualApproval(boolean manual) {
        return new CaConfig(policy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, staticChallenge, manual,
                supersedeOnRenewal, includeRootInCaCert, allowSingleDes, database, useRa, delegated, configDir, crlDir);
    }

    public CaConfig withStaticChallenge(Optional<String> challenge) {
        return new CaConfig(policy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, challenge, manualApproval,
                supersedeOnRenewal, includeRootInCaCert, allowSingleDes, database, useRa, delegated, configDir, crlDir);
    }

    public CaConfig withPoolSize(int size) {
        return new CaConfig(policy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, staticChallenge, manualApproval,
                supersedeOnRenewal, includeRootInCaCert, allowSingleDes, database.withPoolSize(size), useRa, delegated, configDir, crlDir);
    }

    /** The same configuration on another store (tests, and the replicas' shared PostgreSQL). */
    public CaConfig withDatabase(DatabaseConfig db) {
        return new CaConfig(policy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, staticChallenge, manualApproval,
                supersedeOnRenewal, includeRootInCaCert, allowSingleDes, db, useRa, delegated, configDir, crlDir);
    }

    public CaConfig withPolicy(IssuancePolicy newPolicy) {
        return new CaConfig(newPolicy, crlNextUpdate, rootCrlNextUpdate, publicBaseUrl, staticChallenge, manualApproval,
                supersedeOnRenewal, includeRootInCaCert, allowSingleDes, database, useRa, delegated, configDir, crlDir);
    }

    private static URI baseUrl(String s) {
        URI u;
        try {
            u = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("public-base-url is not a URL: " + s);
        }
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new InvalidConfigException("public-base-url must be an http(s) URL with a host: " + s);
        }
        return u;
    }

    private static IssuancePolicy pattern(Properties p, String key, SanType type, IssuancePolicy policy) {
        String v = p.getProperty(key);
        if (v == null) {
            return policy;
        }
        try {
            return policy.withSanPattern(type, Pattern.compile(v));
        } catch (PatternSyntaxException e) {
            throw new InvalidConfigException(key + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /** An integer key in [min, max]; errors name the key (also used for the server's keys in the same file). */
    public static int intValue(Properties p, String key, int def, int min, int max) {
        String v = p.getProperty(key);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.strip());
            if (i < min || i > max) {
                throw new InvalidConfigException(key + " must be between " + min + " and " + max + ", not " + i);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key + " must be a whole number, not '" + v + "'");
        }
    }

    /** A true/false key; errors name the key. */
    public static boolean bool(Properties p, String key, boolean def) {
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

    /** A configuration error; the message names the key and is printed as is. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }
}
