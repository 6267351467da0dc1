package org.scepca.ca.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.store.ChallengeOrigin;

/**
 * The configured enrollment endpoints, built once at start-up from {@code scepca.properties}. The default endpoint
 * ({@code /scep}) takes the file's {@code policy.*} and {@code scep.*} keys; {@code endpoint.NAME.*} keys configure
 * {@code /scep/NAME} (and {@code endpoint.default.*} refine the default). A named endpoint starts from the default's
 * policy and changes only what its keys say. Every error names the key.
 */
public final class Endpoints {
    /** The keys an endpoint accepts, after {@code endpoint.NAME.}. */
    public static final Set<String> ENDPOINT_KEYS = Set.of("auth", "static-challenge", "static-challenge-file",
            "approval", "subject-attributes", "subject-template", "subject-pattern", "subject-required", "san-types",
            "san-dns-pattern", "san-email-pattern", "san-uri-pattern", "san-upn-pattern", "san-templates",
            "san-required", "eku", "validity-days", "min-validity-days", "rsa-min-bits", "rsa-max-bits", "ec-curves",
            "renewal", "renewal-window-days", "supersede-on-renewal", "getcacert-include-root", "report-to", "est",
            "protocol", "acme-challenges", "acme-allow-private-targets", "acme-http-port", "acme-dns-resolver",
            "acme-base-url", "acme-terms-of-service", "acme-device-policy", "acme-device-list-from");
    /** Keys of SCEP's enrollment (challenges, approval, SCEP renewal, name templates) that an ACME endpoint refuses. */
    static final Set<String> SCEP_ONLY_KEYS = Set.of("auth", "static-challenge", "static-challenge-file", "approval",
            "subject-template", "subject-pattern", "subject-required", "san-templates", "san-required", "renewal",
            "renewal-window-days", "supersede-on-renewal", "getcacert-include-root", "report-to", "est");
    private static final Set<String> CURVES = Set.of("secp256r1", "secp384r1", "secp521r1");

    private final Map<String, EnrollmentEndpoint> byName;

    private Endpoints(Map<String, EnrollmentEndpoint> byName) {
        this.byName = Map.copyOf(byName);
    }

    public static Endpoints of(Collection<EnrollmentEndpoint> endpoints) {
        Map<String, EnrollmentEndpoint> m = new LinkedHashMap<>();
        for (EnrollmentEndpoint e : endpoints) {
            m.put(e.name(), e);
        }
        if (!m.containsKey(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            throw new IllegalArgumentException("the default endpoint is missing");
        }
        return new Endpoints(m);
    }

    /** The default endpoint alone, as {@code config} describes it (no {@code endpoint.*} keys). */
    public static Endpoints defaultOnly(CaConfig config) {
        return from(new Properties(), config, Path.of("."));
    }

    public EnrollmentEndpoint defaultEndpoint() {
        return byName.get(ChallengeOrigin.DEFAULT_ENDPOINT);
    }

    public Optional<EnrollmentEndpoint> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @throws IllegalArgumentException naming the configured endpoints if there is no such endpoint */
    public EnrollmentEndpoint get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no endpoint '" + name + "'; configured: "
                + String.join(", ", new TreeSet<>(byName.keySet()))));
    }

    public Collection<EnrollmentEndpoint> all() {
        return byName.values();
    }

    /**
     * @param p         the properties of scepca.properties (with its includes)
     * @param config    the file's CA configuration (the default endpoint's policy and SCEP settings)
     * @param configDir where relative file names (static-challenge-file) resolve
     */
    public static Endpoints from(Properties p, CaConfig config, Path configDir) {
        Map<String, Map<String, String>> keys = new LinkedHashMap<>();
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            if (!k.startsWith("endpoint.")) {
                continue;
            }
            String rest = k.substring("endpoint.".length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            if (dot < 0 || !ChallengeOrigin.ENDPOINT_NAME.matcher(name).matches()) {
                throw new InvalidConfigException(k + ": endpoint keys are endpoint.NAME.KEY, NAME matching "
                        + ChallengeOrigin.ENDPOINT_NAME.pattern());
            }
            String key = rest.substring(dot + 1);
            if (!ENDPOINT_KEYS.contains(key)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; an endpoint's keys are: "
                        + ENDPOINT_KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
            keys.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(key, p.getProperty(k).strip());
        }
        EnrollmentEndpoint base = legacyDefault(config);
        List<EnrollmentEndpoint> out = new ArrayList<>();
        EnrollmentEndpoint def = keys.containsKey(ChallengeOrigin.DEFAULT_ENDPOINT)
                ? build(ChallengeOrigin.DEFAULT_ENDPOINT, keys.get(ChallengeOrigin.DEFAULT_ENDPOINT), base, configDir, config)
                : base;
        out.add(def);
        for (var e : keys.entrySet()) {
            if (!e.getKey().equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
                out.add(build(e.getKey(), e.getValue(), def, configDir, config));
            }
        }
        return of(out);
    }

    /** The default endpoint as releases before endpoints configured it: scep.* and policy.* keys. */
    private static EnrollmentEndpoint legacyDefault(CaConfig config) {
        Set<Authorization> auth = EnumSet.of(Authorization.ONE_TIME, Authorization.JAMF);
        if (config.staticChallenge().isPresent()) {
            auth.add(Authorization.STATIC);
        }
        return new EnrollmentEndpoint(ChallengeOrigin.DEFAULT_ENDPOINT, auth, config.staticChallenge(),
                config.manualApproval(), config.policy(), NameTemplate.NONE,
                new EnrollmentEndpoint.Renewal(true, Duration.ZERO, config.supersedeOnRenewal()),
                config.includeRootInCaCert(), false);
    }

    private static EnrollmentEndpoint build(String name, Map<String, String> k, EnrollmentEndpoint base, Path configDir,
            CaConfig config) {
        String prefix = "endpoint." + name + ".";
        String protocol = k.getOrDefault("protocol", "scep").toLowerCase(Locale.ROOT);
        if (protocol.equals("acme")) {
            return acme(name, prefix, k, base, config);
        }
        if (!protocol.equals("scep")) {
            throw new InvalidConfigException(prefix + "protocol must be scep or acme, not '" + protocol + "'");
        }
        for (String key : k.keySet()) {
            if (key.startsWith("acme-")) {
                throw new InvalidConfigException(prefix + key + " is for ACME endpoints; set " + prefix
                        + "protocol=acme or remove it");
            }
        }
        Set<Authorization> auth = base.authorization();
        if (k.containsKey("auth")) {
            auth = EnumSet.noneOf(Authorization.class);
            for (String a : k.get("auth").split(",")) {
                auth.add(Authorization.of(a).filter(x -> x != Authorization.ACME).orElseThrow(() ->
                        new InvalidConfigException(prefix + "auth: unknown '" + a.strip() + "'; one or more of one-time,"
                                + " static, jamf; or intune; or none (ACME endpoints: " + prefix + "protocol=acme)")));
            }
            if ((auth.contains(Authorization.INTUNE) || auth.contains(Authorization.NONE)) && auth.size() > 1) {
                throw new InvalidConfigException(prefix + "auth: intune and none stand alone, not with other kinds");
            }
        } else if (!name.equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            // A named endpoint says how it is authorised: inheriting the default's would be a silent choice.
            throw new InvalidConfigException(prefix + "auth is required (one-time, static, jamf, intune or none)");
        }
        boolean intune = auth.contains(Authorization.INTUNE);
        Optional<String> staticChallenge = Optional.empty();
        if (auth.contains(Authorization.STATIC)) {
            staticChallenge = staticChallenge(prefix, k, configDir);
            if (staticChallenge.isEmpty() && base.isDefault() && name.equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
                staticChallenge = base.staticChallenge();
            }
            if (staticChallenge.isEmpty()) {
                throw new InvalidConfigException(prefix + "auth includes static: set " + prefix + "static-challenge-file");
            }
        } else if (k.containsKey("static-challenge") || k.containsKey("static-challenge-file")) {
            throw new InvalidConfigException(prefix + "static-challenge is set but " + prefix + "auth does not include static");
        }
        boolean manual = k.containsKey("approval") ? approval(prefix, k.get("approval"))
                : auth.contains(Authorization.NONE) || (!intune && base.manualApproval());
        if (auth.contains(Authorization.NONE) && !manual) {
            throw new InvalidConfigException(prefix + "approval: an endpoint with auth none issues only after manual"
                    + " approval (it would otherwise sign anything anyone sends)");
        }
        if (intune && manual) {
            throw new InvalidConfigException(prefix + "approval: Intune endpoints answer at once (Intune has validated"
                    + " the request); manual approval is not supported there");
        }
        IssuancePolicy policy = policy(prefix, k, base.policy(), intune);
        NameTemplate names = names(prefix, k, base.isDefault() && !name.equals(base.name()) ? NameTemplate.NONE : base.names());
        int window = intValue(prefix + "renewal-window-days", k.get("renewal-window-days"), 0, 0, 3650);
        // Intune renews by enrolling again with a fresh Intune challenge (its renewal threshold), never by RenewalReq.
        boolean renewal = bool(prefix + "renewal", k.get("renewal"), !intune && base.renewal().enabled());
        boolean supersede = bool(prefix + "supersede-on-renewal", k.get("supersede-on-renewal"), base.renewal().supersede());
        boolean root = bool(prefix + "getcacert-include-root", k.get("getcacert-include-root"),
                intune ? false : base.includeRootInCaCert());
        String report = k.getOrDefault("report-to", intune ? "intune" : "none").toLowerCase(Locale.ROOT);
        if (!report.equals("none") && !report.equals("intune")) {
            throw new InvalidConfigException(prefix + "report-to must be none or intune, not '" + report + "'");
        }
        if (report.equals("intune") && !intune) {
            throw new InvalidConfigException(prefix + "report-to intune needs auth intune: Intune only accepts reports"
                    + " of requests it validated");
        }
        // Each endpoint opts in (never inherited from the default): EST is another door to the same policy.
        boolean est = bool(prefix + "est", k.get("est"), false);
        if (est && intune) {
            throw new InvalidConfigException(prefix + "est: an Intune endpoint cannot answer EST (Intune validates"
                    + " its challenge for SCEP only); give EST an endpoint of its own with auth one-time");
        }
        return new EnrollmentEndpoint(name, auth, staticChallenge, manual, policy, names,
                new EnrollmentEndpoint.Renewal(renewal, Duration.ofDays(window), supersede), root, report.equals("intune"),
                est);
    }

    /**
     * An ACME endpoint: the default's issuance policy refined by the endpoint's policy keys, and the protocol's own
     * keys. SCEP's enrollment keys are refused rather than ignored (an operator who sets approval=manual on an ACME
     * endpoint must not believe requests wait for approval).
     */
    private static EnrollmentEndpoint acme(String name, String prefix, Map<String, String> k, EnrollmentEndpoint base,
            CaConfig config) {
        if (name.equals(ChallengeOrigin.DEFAULT_ENDPOINT)) {
            throw new InvalidConfigException(prefix + "protocol: the default endpoint is /scep; give the ACME endpoint"
                    + " a name (endpoint.NAME.protocol=acme)");
        }
        for (String key : new TreeSet<>(k.keySet())) {
            if (SCEP_ONLY_KEYS.contains(key)) {
                throw new InvalidConfigException(prefix + key + " is a SCEP enrollment key; an ACME endpoint ("
                        + prefix + "protocol=acme) is authorised by its challenges and takes names from its orders");
            }
        }
        Set<String> challenges = new TreeSet<>();
        for (String c : list(k.getOrDefault("acme-challenges", "http-01"))) {
            String t = c.toLowerCase(Locale.ROOT);
            if (!AcmeOptions.CHALLENGE_TYPES.contains(t)) {
                throw new InvalidConfigException(prefix + "acme-challenges: unknown challenge type '" + c + "'; one or"
                        + " more of " + new TreeSet<>(AcmeOptions.CHALLENGE_TYPES));
            }
            challenges.add(t);
        }
        if (challenges.isEmpty()) {
            throw new InvalidConfigException(prefix + "acme-challenges must name at least one challenge type");
        }
        IssuancePolicy policy = policy(prefix, k, base.policy(), false);
        if ((challenges.contains("http-01") || challenges.contains("dns-01")) && !policy.sanTypes().contains(SanType.DNS)) {
            throw new InvalidConfigException(prefix + "acme-challenges: http-01 and dns-01 validate dns identifiers,"
                    + " but " + prefix + "san-types does not allow dns");
        }
        Optional<java.net.URI> baseUrl = k.containsKey("acme-base-url")
                ? Optional.of(url(prefix + "acme-base-url", k.get("acme-base-url")))
                : config.publicBaseUrl();
        if (baseUrl.isEmpty()) {
            throw new InvalidConfigException(prefix + "protocol=acme needs public-base-url (or " + prefix
                    + "acme-base-url): ACME clients sign the directory's absolute URLs, which must not come from a Host"
                    + " header");
        }
        Optional<java.net.URI> tos = k.containsKey("acme-terms-of-service")
                ? Optional.of(url(prefix + "acme-terms-of-service", k.get("acme-terms-of-service"))) : Optional.empty();
        Optional<String> resolver = Optional.ofNullable(k.get("acme-dns-resolver")).filter(v -> !v.isEmpty());
        if (resolver.isPresent() && !resolver.get().matches("[A-Za-z0-9.:\\[\\]-]{1,255}")) {
            throw new InvalidConfigException(prefix + "acme-dns-resolver must be host or host:port, not '"
                    + resolver.get() + "'");
        }
        String devicePolicy = k.getOrDefault("acme-device-policy", "allow-list").strip().toLowerCase(Locale.ROOT);
        if (!AcmeOptions.DEVICE_POLICIES.contains(devicePolicy)) {
            throw new InvalidConfigException(prefix + "acme-device-policy must be allow-list or any, not '"
                    + k.get("acme-device-policy") + "'");
        }
        if (k.containsKey("acme-device-policy") && !challenges.contains("device-attest-01")) {
            throw new InvalidConfigException(prefix + "acme-device-policy applies to device-attest-01, which "
                    + prefix + "acme-challenges does not offer");
        }
        boolean fromJamf = false;
        if (k.containsKey("acme-device-list-from")) {
            String from = k.get("acme-device-list-from").strip().toLowerCase(Locale.ROOT);
            if (!from.equals("jamf")) {
                throw new InvalidConfigException(prefix + "acme-device-list-from must be jamf (the allow-list fed from"
                        + " Jamf Pro's inventory), not '" + k.get("acme-device-list-from") + "'");
            }
            if (!challenges.contains("device-attest-01") || !devicePolicy.equals("allow-list")) {
                throw new InvalidConfigException(prefix + "acme-device-list-from feeds the allow-list of"
                        + " device-attest-01: it needs device-attest-01 in " + prefix + "acme-challenges and "
                        + prefix + "acme-device-policy=allow-list");
            }
            fromJamf = true;
        }
        AcmeOptions options = new AcmeOptions(baseUrl.get(), challenges,
                bool(prefix + "acme-allow-private-targets", k.get("acme-allow-private-targets"), false),
                intValue(prefix + "acme-http-port", k.get("acme-http-port"), 80, 1, 65535), resolver, tos,
                devicePolicy, fromJamf);
        return new EnrollmentEndpoint(name, EnumSet.of(Authorization.ACME), Optional.empty(), false, policy,
                NameTemplate.NONE, new EnrollmentEndpoint.Renewal(false, Duration.ZERO, false), false, false,
                Optional.of(options));
    }

    private static java.net.URI url(String key, String v) {
        try {
            java.net.URI u = new java.net.URI(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getQuery() != null || u.getFragment() != null) {
                throw new InvalidConfigException(key + " must be an http(s) URL with a host, no query: " + v);
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new InvalidConfigException(key + " is not a URL: " + v);
        }
    }

    private static Optional<String> staticChallenge(String prefix, Map<String, String> k, Path configDir) {
        Optional<String> v = Optional.ofNullable(k.get("static-challenge"));
        if (k.containsKey("static-challenge-file")) {
            if (v.isPresent()) {
                throw new InvalidConfigException(prefix + "static-challenge and " + prefix
                        + "static-challenge-file are exclusive");
            }
            Path f = configDir.resolve(k.get("static-challenge-file"));
            try {
                v = Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new InvalidConfigException(prefix + "static-challenge-file: cannot read " + f + ": " + e.getMessage());
            }
        }
        if (v.isPresent() && v.get().length() < 16) {
            throw new InvalidConfigException(prefix + "static-challenge must be at least 16 characters");
        }
        return v;
    }

    private static boolean approval(String prefix, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "auto" -> false;
            case "manual" -> true;
            default -> throw new InvalidConfigException(prefix + "approval must be auto or manual, not '" + v + "'");
        };
    }

    private static IssuancePolicy policy(String prefix, Map<String, String> k, IssuancePolicy base, boolean intune) {
        IssuancePolicy p = base;
        if (k.containsKey("validity-days")) {
            p = p.withValidity(Duration.ofDays(intValue(prefix + "validity-days", k.get("validity-days"), 365, 1, 3650)));
        }
        if (k.containsKey("min-validity-days")) {
            p = p.withMinRemaining(Duration.ofDays(intValue(prefix + "min-validity-days", k.get("min-validity-days"), 1, 0,
                    (int) p.validity().toDays())));
        }
        int min = intValue(prefix + "rsa-min-bits", k.get("rsa-min-bits"), p.minRsaBits(), 2048, 8192);
        int max = intValue(prefix + "rsa-max-bits", k.get("rsa-max-bits"), Math.max(min, p.maxRsaBits()), 2048, 8192);
        if (max < min) {
            throw new InvalidConfigException(prefix + "rsa-max-bits must be at least rsa-min-bits (" + min + ")");
        }
        p = p.withRsaBits(min, max);
        if (k.containsKey("ec-curves")) {
            Set<String> curves = list(k.get("ec-curves")).stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
            for (String c : curves) {
                if (!CURVES.contains(c)) {
                    throw new InvalidConfigException(prefix + "ec-curves: unknown curve '" + c + "'; one of " + new TreeSet<>(CURVES));
                }
            }
            p = p.withCurves(curves);
        }
        if (k.containsKey("subject-attributes")) {
            Set<String> attrs = new LinkedHashSet<>();
            for (String a : list(k.get("subject-attributes"))) {
                String up = a.toUpperCase(Locale.ROOT);
                if (!IssuancePolicy.defaults().subjectAttributes().contains(up)) {
                    throw new InvalidConfigException(prefix + "subject-attributes: unknown attribute '" + a + "'; one of "
                            + new TreeSet<>(IssuancePolicy.defaults().subjectAttributes()));
                }
                attrs.add(up);
            }
            p = p.withSubjectAttributes(attrs);
        }
        if (k.containsKey("san-types")) {
            Set<SanType> types = EnumSet.noneOf(SanType.class);
            for (String t : list(k.get("san-types"))) {
                try {
                    types.add(SanType.valueOf(t.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(prefix + "san-types: unknown type '" + t + "'; one of "
                            + Arrays.toString(SanType.values()));
                }
            }
            p = p.withSanTypes(types);
        }
        for (SanType t : List.of(SanType.DNS, SanType.EMAIL, SanType.URI, SanType.UPN)) {
            String key = "san-" + t.name().toLowerCase(Locale.ROOT) + "-pattern";
            if (k.containsKey(key)) {
                try {
                    p = p.withSanPattern(t, Pattern.compile(k.get(key)));
                } catch (PatternSyntaxException e) {
                    throw new InvalidConfigException(prefix + key + " is not a valid regular expression: " + e.getDescription());
                }
            }
        }
        if (k.containsKey("eku")) {
            List<String> oids = new ArrayList<>();
            for (String e : list(k.get("eku"))) {
                String oid = IssuancePolicy.EKU_NAMES.getOrDefault(e.toLowerCase(Locale.ROOT), e);
                if (IssuancePolicy.FORBIDDEN_EKUS.contains(oid) || !oid.matches("[0-2](\\.(0|[1-9][0-9]{0,9})){1,20}")) {
                    throw new InvalidConfigException(prefix + "eku: '" + e + "' is not allowed; use "
                            + new TreeSet<>(IssuancePolicy.EKU_NAMES.keySet()) + " or another usage's OID (never"
                            + " anyExtendedKeyUsage, codeSigning, timeStamping or OCSPSigning)");
                }
                oids.add(oid);
            }
            if (oids.isEmpty()) {
                throw new InvalidConfigException(prefix + "eku must name at least one usage");
            }
            p = p.withClientEkus(oids);
        }
        // Intune's SID URI (tag:microsoft.com,2022-09-14:sid:...) names a user or device in Entra ID: only a request
        // Intune validated may carry it, so only an Intune endpoint accepts it; anywhere else it is spoofing.
        return p.withIntuneSid(intune);
    }

    private static NameTemplate names(String prefix, Map<String, String> k, NameTemplate base) {
        List<NameTemplate.Rdn> template = base.subjectTemplate();
        List<NameTemplate.Rdn> required = base.subjectRequired();
        Optional<Pattern> pattern = base.subjectPattern();
        List<String> sans = base.sanTemplates();
        try {
            if (k.containsKey("subject-template")) {
                template = NameTemplate.parseRdns(k.get("subject-template"));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(prefix + "subject-template: " + e.getMessage());
        }
        try {
            if (k.containsKey("subject-required")) {
                required = NameTemplate.parseRdns(k.get("subject-required"));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(prefix + "subject-required: " + e.getMessage());
        }
        if (k.containsKey("subject-pattern")) {
            try {
                pattern = Optional.of(Pattern.compile(k.get("subject-pattern")));
            } catch (PatternSyntaxException e) {
                throw new InvalidConfigException(prefix + "subject-pattern is not a valid regular expression: "
                        + e.getDescription());
            }
        }
        if (k.containsKey("san-templates")) {
            sans = new ArrayList<>();
            for (String t : k.get("san-templates").split("\\s+")) {
                if (t.isEmpty()) {
                    continue;
                }
                int colon = t.indexOf(':');
                String type = colon < 0 ? "" : t.substring(0, colon).toLowerCase(Locale.ROOT);
                if (!Set.of("dns", "email", "uri", "upn").contains(type) || colon == t.length() - 1) {
                    throw new InvalidConfigException(prefix + "san-templates: '" + t + "' is not type:value with type"
                            + " dns, email, uri or upn (templates are separated by spaces)");
                }
                sans.add(type + t.substring(colon));
            }
        }
        boolean sanRequired = bool(prefix + "san-required", k.get("san-required"), base.sanRequired());
        if (sanRequired && sans.isEmpty()) {
            throw new InvalidConfigException(prefix + "san-required needs " + prefix + "san-templates");
        }
        return new NameTemplate(template, pattern, required, sans, sanRequired);
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int intValue(String key, String v, int def, int min, int max) {
        Properties one = new Properties();
        if (v != null) {
            one.setProperty(key, v);
        }
        return CaConfig.intValue(one, key, def, min, max);
    }

    private static boolean bool(String key, String v, boolean def) {
        Properties one = new Properties();
        if (v != null) {
            one.setProperty(key, v);
        }
        return CaConfig.bool(one, key, def);
    }
}
