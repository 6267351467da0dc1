package org.scepca.ca.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.scepca.ca.config.CaConfig.InvalidConfigException;

/**
 * Where the store lives. Without {@code db.url}: the embedded H2 file under the data folder (one box). With
 * {@code db.url=jdbc:postgresql://...}: a shared PostgreSQL database, which several server replicas may use at once.
 *
 * <p>Keys: {@code db.url}, {@code db.user} (default {@code scepca}), {@code db.password-file} (relative to the folder
 * of scepca.properties), {@code db.pool-size}. The password comes from that file, or from the environment variable
 * {@value #PASSWORD_ENV}; never from the properties file itself, which is often copied around.
 *
 * @param url the JDBC URL of a PostgreSQL database, or empty for the embedded H2 store
 * @param password resolved at start-up (the file's first line, or the environment); empty for H2
 */
public record DatabaseConfig(Optional<String> url, String user, Optional<String> password, int poolSize) {
    public static final String PASSWORD_ENV = "SCEPCA_DB_PASSWORD";

    public DatabaseConfig {
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(password, "password is null");
    }

    /** The embedded H2 store with a pool of {@code poolSize}. */
    public static DatabaseConfig embedded(int poolSize) {
        return new DatabaseConfig(Optional.empty(), "scepca", Optional.empty(), poolSize);
    }

    public boolean isPostgres() {
        return url.isPresent();
    }

    public DatabaseConfig withPoolSize(int size) {
        return new DatabaseConfig(url, user, password, size);
    }

    @Override
    public String toString() { // never the password
        return "DatabaseConfig[" + url.map(DatabaseConfig::redact).orElse("embedded H2") + ", user=" + user
                + ", pool=" + poolSize + "]";
    }

    /** The URL without its query (which could carry a password=...). */
    public static String redact(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?…";
    }

    /**
     * The {@code db.*} keys of {@code p}; a relative {@code db.password-file} is resolved against {@code configDir}.
     * Public for commands that take the same values as options ({@code scepca db migrate --to}).
     */
    public static DatabaseConfig from(Properties p, Path configDir, Map<String, String> env) {
        int pool = CaConfig.intValue(p, "db.pool-size", 16, 1, 256);
        String url = Optional.ofNullable(p.getProperty("db.url")).map(String::strip).orElse("");
        String user = Optional.ofNullable(p.getProperty("db.user")).map(String::strip).filter(s -> !s.isEmpty())
                .orElse("scepca");
        String file = Optional.ofNullable(p.getProperty("db.password-file")).map(String::strip).orElse("");
        if (url.isEmpty()) {
            for (String k : new String[] {"db.user", "db.password-file"}) {
                if (p.getProperty(k) != null) {
                    throw new InvalidConfigException(k + " is set but db.url is not: the embedded H2 store takes no"
                            + " user or password; set db.url=jdbc:postgresql://HOST:5432/DATABASE to use PostgreSQL");
                }
            }
            return embedded(pool);
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException("db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DATABASE,"
                    + " several hosts separated by commas for failover), not '" + redact(url) + "'");
        }
        if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
            throw new InvalidConfigException("db.url must not carry the password: put it in the file named by"
                    + " db.password-file, or in the environment variable " + PASSWORD_ENV);
        }
        if (!user.matches("[A-Za-z0-9_.@-]{1,63}")) {
            throw new InvalidConfigException("db.user must be a PostgreSQL role name (letters, digits, _ . @ -)");
        }
        Optional<String> password;
        if (!file.isEmpty()) {
            Path f = configDir.resolve(file);
            try {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                String first = text.lines().findFirst().orElse("").strip();
                if (first.isEmpty()) {
                    throw new InvalidConfigException("db.password-file: " + f + " is empty");
                }
                password = Optional.of(first);
            } catch (IOException e) {
                throw new InvalidConfigException("db.password-file: cannot read " + f + " (" + e.getClass().getSimpleName()
                        + ")");
            }
        } else {
            password = Optional.ofNullable(env.get(PASSWORD_ENV)).filter(s -> !s.isEmpty());
        }
        return new DatabaseConfig(Optional.of(url), user, password, pool);
    }
}
