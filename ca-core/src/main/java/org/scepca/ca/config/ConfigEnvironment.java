package org.scepca.ca.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.events.WebhookConfig;

/**
 * Configuration keys set by environment variables, over {@code scepca.properties}: containers and orchestrators
 * configure by environment (docker compose, Kubernetes), and secrets arrive as mounted files whose paths are
 * environment values. A key's variable is {@code SCEPCA_} and the key upper-cased with {@code .} and {@code -} turned
 * into {@code _}: {@code db.url} is {@code SCEPCA_DB_URL}, {@code admin.tls-port} is {@code SCEPCA_ADMIN_TLS_PORT}.
 *
 * <p>The environment wins over the file. Only the keys with fixed names can be set this way: that mapping loses the
 * difference between {@code .} and {@code -}, so it is made from the known keys to their variables, never backwards
 * from a variable's name. {@code endpoint.NAME.*} keys have a name chosen by the operator and stay in the file. An
 * empty variable counts as unset (compose files pass {@code ${X:-}} for "maybe"); to turn a key off, give its value.
 *
 * <p>scepca's other variables ({@link #VARIABLES}: the passphrase, the data folder, JVM options...) are not keys and
 * never become keys; no key may map to one of their names. Any other {@code SCEPCA_} variable is reported by
 * {@link #unknownVariables()} (a typo would otherwise be silently ignored) but not refused: operators' own scripts use
 * the prefix too.
 */
public final class ConfigEnvironment {
    public static final String PREFIX = "SCEPCA_";

    /** Every key the environment may set, with its variable (sorted by key). */
    public static final Map<String, String> KEYS = variablesOf(CaConfig.KEYS, WebhookConfig.KEYS,
            CaConfig.INTUNE_KEYS, CaConfig.JAMF_KEYS, CaConfig.PROFILE_KEYS,
            org.scepca.ca.audit.AuditConfig.KEYS);

    /**
     * scepca's variables that are not configuration keys, with what reads them. None of these names is the variable of
     * a key (checked when this class loads).
     */
    public static final Map<String, String> VARIABLES = orderedOf(
            "SCEPCA_PASSPHRASE", "the CA key passphrase (prefer SCEPCA_PASSPHRASE_FILE)",
            "SCEPCA_PASSPHRASE_FILE", "a file holding the CA key passphrase (a docker secret)",
            "SCEPCA_DATA", "the data folder (default ./data; /data in the image)",
            "SCEPCA_HOST", "bind address of the SCEP port (serve --host; default 0.0.0.0)",
            "SCEPCA_PORT", "the SCEP port (serve --port; default 8080)",
            "SCEPCA_DB_PASSWORD", "the PostgreSQL password when db.password-file is not set",
            "SCEPCA_JAVA_OPTS", "JVM flags after scep-server/jvm.options (./scepca and the image)",
            "SCEPCA_CRYPTO", "jdk: keep the JDK's crypto providers",
            "SCEPCA_LOG_LEVEL", "log level of the org.scepca loggers (default INFO)",
            "SCEPCA_DEBUG", "set: CLI errors print their stack trace",
            "SCEPCA_INIT_ORG", "image entrypoint: O= of the CA's subjects when it creates the CA",
            "SCEPCA_INIT_NAME", "image entrypoint: CN prefix of the CA's subjects when it creates the CA",
            "SCEPCA_INIT_TLS_DNS", "image entrypoint, init: DNS names (comma-separated) of a TLS certificate for nginx",
            "SCEPCA_REQUIRE_POSTGRES", "tests: fail instead of skipping when PostgreSQL is missing (CI)",
            "SCEPCA_PG_BIN", "tests: the folder of PostgreSQL's initdb and pg_ctl",
            "SCEPCA_REQUIRE_PROMTOOL", "tests: fail instead of skipping when promtool (alert rule check) is missing (CI)",
            "SCEPCA_REQUIRE_CERTBOT", "tests: fail instead of skipping when certbot (ACME interop) is missing (CI)",
            // Not a variable but the H2 function SCEPCA_SYNC() (store durability): reserved so that no key takes it.
            "SCEPCA_SYNC", "reserved: the name of the store's H2 durability function, not read from the environment");

    static {
        for (Map.Entry<String, String> e : KEYS.entrySet()) {
            if (VARIABLES.containsKey(e.getValue())) {
                throw new IllegalStateException(e.getKey() + " would be set by " + e.getValue() + ", which is not a key");
            }
        }
    }

    private final Map<String, String> env;
    private final Map<String, String> fromEnvironment;

    private ConfigEnvironment(Map<String, String> env) {
        this.env = Map.copyOf(env);
        Map<String, String> values = new TreeMap<>();
        KEYS.forEach((key, variable) -> {
            String v = this.env.get(variable);
            if (v != null && !v.isEmpty()) {
                values.put(key, v);
            }
        });
        this.fromEnvironment = Collections.unmodifiableMap(values);
    }

    /** @param env the process environment, or a map standing for it (tests) */
    public static ConfigEnvironment of(Map<String, String> env) {
        return new ConfigEnvironment(Objects.requireNonNull(env, "env is null"));
    }

    public static ConfigEnvironment system() {
        return of(System.getenv());
    }

    /** The variable of {@code key}: {@code SCEPCA_} and the key upper-cased, {@code .} and {@code -} as {@code _}. */
    public static String variable(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The whole environment this stands for (for the variables that are not keys, like SCEPCA_DB_PASSWORD). */
    public Map<String, String> variables() {
        return env;
    }

    /** The keys the environment sets, with their values (sorted by key). */
    public Map<String, String> keys() {
        return fromEnvironment;
    }

    /** The keys the environment sets, each with its variable, for a start-up log line: names, never values. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        fromEnvironment.keySet().forEach(k -> parts.add(k + " (" + KEYS.get(k) + ")"));
        return String.join(", ", parts);
    }

    /** {@code SCEPCA_} variables that are neither a key's nor one of {@link #VARIABLES} (sorted): typos, most likely. */
    public List<String> unknownVariables() {
        Set<String> known = new TreeSet<>(VARIABLES.keySet());
        known.addAll(KEYS.values());
        return env.keySet().stream().filter(n -> n.startsWith(PREFIX) && !known.contains(n)).sorted().toList();
    }

    /** {@code file}'s keys with the environment's over them (a new object; {@code file} is unchanged). */
    public Properties overlay(Properties file) {
        Properties p = new Properties();
        p.putAll(file);
        fromEnvironment.forEach(p::setProperty);
        return p;
    }

    /**
     * The same error, saying which of the keys it names came from the environment: the operator looks in the file
     * otherwise, and finds a value that is not the one in use. Unchanged when it names none (or says so already).
     */
    public InvalidConfigException explain(InvalidConfigException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        List<String> named = fromEnvironment.keySet().stream()
                .filter(k -> names(message, k) && !message.contains(KEYS.get(k))).toList();
        if (named.isEmpty()) {
            return e;
        }
        List<String> notes = named.stream().map(k -> k + " is set by the environment variable " + KEYS.get(k)).toList();
        InvalidConfigException explained = new InvalidConfigException(message + " (" + String.join("; ", notes) + ")");
        explained.setStackTrace(e.getStackTrace());
        return explained;
    }

    /** Whether {@code message} names {@code key} as a word (policy.max-sans is not named by policy.max-sans-length). */
    private static boolean names(String message, String key) {
        return Pattern.compile("(?<![A-Za-z0-9._-])" + Pattern.quote(key) + "(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])")
                .matcher(message).find();
    }

    @SafeVarargs
    private static Map<String, String> variablesOf(Set<String>... keySets) {
        Map<String, String> byKey = new TreeMap<>();
        Map<String, String> byVariable = new HashMap<>();
        for (Set<String> keys : keySets) {
            for (String key : keys) {
                String variable = variable(key);
                String other = byVariable.putIfAbsent(variable, key);
                if (other != null && !other.equals(key)) {
                    throw new IllegalStateException(key + " and " + other + " would both be " + variable);
                }
                byKey.put(key, variable);
            }
        }
        return Collections.unmodifiableMap(byKey);
    }

    private static Map<String, String> orderedOf(String... nameAndWhat) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndWhat.length; i += 2) {
            m.put(nameAndWhat[i], nameAndWhat[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
