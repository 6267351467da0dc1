package org.scepca.jamf;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

/**
 * The {@code jamf.*} keys of {@code scepca.properties}, read once at start and validated; every error names its key.
 * {@link CaConfig} leaves this family to us ({@link CaConfig#DELEGATED_PREFIXES}), so an unknown {@code jamf.} key is
 * refused here.
 *
 * <ul>
 * <li>{@code jamf.webhook-username}, {@code jamf.webhook-password-file}: the HTTP Basic credential Jamf Pro's
 * SCEPChallenge webhook may send instead of a bearer token. The password lives in its own file beside
 * scepca.properties (relative names are resolved against that folder), read once; only its hash is kept.</li>
 * <li>{@code jamf.url}, {@code jamf.client-id}, {@code jamf.client-secret-file}: a Jamf Pro API client (OAuth client
 * credentials, Jamf Pro 10.49+), for the device sync.</li>
 * <li>{@code jamf.device-sync-interval}: minutes between two reads of Jamf's inventory; unset, the sync is off.</li>
 * <li>{@code jamf.max-revocations-per-run}: a sync that would revoke more certificates than this revokes none and
 * warns instead (default {@value #DEFAULT_MAX_REVOCATIONS_PER_RUN}).</li>
 * </ul>
 *
 * @param webhook the Basic credential of the SCEPChallenge webhook, if configured
 * @param api     the Jamf Pro API client and the device sync's settings, if configured
 */
public record JamfConfig(Optional<JamfWebhookCredential> webhook, Optional<Api> api) {
    public static final String WEBHOOK_USERNAME = "jamf.webhook-username";
    public static final String WEBHOOK_PASSWORD_FILE = "jamf.webhook-password-file";
    public static final String URL = "jamf.url";
    public static final String CLIENT_ID = "jamf.client-id";
    public static final String CLIENT_SECRET_FILE = "jamf.client-secret-file";
    public static final String DEVICE_SYNC_INTERVAL = "jamf.device-sync-interval";
    public static final String MAX_REVOCATIONS_PER_RUN = "jamf.max-revocations-per-run";
    /** Listed in ca-core, where the environment's keys are known too; JamfConfigTest checks the names above are in it. */
    public static final Set<String> KEYS = CaConfig.JAMF_KEYS;
    public static final String PREFIX = "jamf.";

    public static final int DEFAULT_MAX_REVOCATIONS_PER_RUN = 50;
    /** Reading a large fleet's inventory is work for Jamf too: not more often than this. */
    static final int MIN_SYNC_MINUTES = 5;
    static final int MAX_SYNC_MINUTES = 7 * 24 * 60;
    /** Secret files hold one line; anything bigger is not what the key expects. */
    static final int MAX_SECRET_FILE_BYTES = 4096;

    public JamfConfig {
        Objects.requireNonNull(webhook, "webhook is null");
        Objects.requireNonNull(api, "api is null");
    }

    /**
     * The Jamf Pro API client settings.
     *
     * @param url                   the Jamf Pro server, e.g. {@code https://example.jamfcloud.com} (no trailing slash)
     * @param clientId              the API client's id (Settings > System > API roles and clients)
     * @param clientSecret          its secret, from {@code jamf.client-secret-file}; {@link #toString} hides it
     * @param deviceSyncInterval    time between two syncs; empty: the sync is off
     * @param maxRevocationsPerRun  a sync that would revoke more revokes nothing
     */
    public record Api(URI url, String clientId, String clientSecret, Optional<Duration> deviceSyncInterval,
            int maxRevocationsPerRun) {
        public Api {
            Objects.requireNonNull(url, "url is null");
            Objects.requireNonNull(clientId, "clientId is null");
            Objects.requireNonNull(clientSecret, "clientSecret is null");
            Objects.requireNonNull(deviceSyncInterval, "deviceSyncInterval is null");
            if (maxRevocationsPerRun < 1) {
                throw new IllegalArgumentException("maxRevocationsPerRun must be at least 1");
            }
        }

        @Override
        public String toString() {
            return "Api[url=" + url + ", clientId=" + clientId + ", clientSecret=hidden, deviceSyncInterval="
                    + deviceSyncInterval + ", maxRevocationsPerRun=" + maxRevocationsPerRun + "]";
        }
    }

    /**
     * The Jamf settings of {@code p}, or empty if it has no {@code jamf.} key.
     *
     * @param configDir the folder of scepca.properties: relative file names are resolved against it
     * @throws InvalidConfigException naming the key, for an unknown key, a missing companion key, a bad value or an
     *                                unreadable file
     */
    public static Optional<JamfConfig> from(Properties p, Path configDir) {
        Objects.requireNonNull(p, "properties are null");
        Objects.requireNonNull(configDir, "configDir is null");
        Set<String> ours = p.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .collect(Collectors.toSet());
        for (String k : ours.stream().sorted().toList()) {
            if (!KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known jamf keys: "
                        + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JamfConfig(webhook(p, configDir), api(p, configDir)));
    }

    private static Optional<JamfWebhookCredential> webhook(Properties p, Path configDir) {
        Optional<String> username = value(p, WEBHOOK_USERNAME);
        Optional<String> passwordFile = value(p, WEBHOOK_PASSWORD_FILE);
        if (username.isEmpty() && passwordFile.isEmpty()) {
            return Optional.empty();
        }
        require(username, WEBHOOK_USERNAME, WEBHOOK_PASSWORD_FILE);
        require(passwordFile, WEBHOOK_PASSWORD_FILE, WEBHOOK_USERNAME);
        String password = secretFile(configDir, WEBHOOK_PASSWORD_FILE, passwordFile.get());
        try {
            return Optional.of(JamfWebhookCredential.of(username.get(), password));
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("the username") ? WEBHOOK_USERNAME : WEBHOOK_PASSWORD_FILE;
            throw new InvalidConfigException(key + ": " + e.getMessage()
                    + (key.equals(WEBHOOK_PASSWORD_FILE) ? " (e.g. 'openssl rand -base64 32')" : ""));
        }
    }

    private static Optional<Api> api(Properties p, Path configDir) {
        Optional<String> url = value(p, URL);
        Optional<String> clientId = value(p, CLIENT_ID);
        Optional<String> secretFile = value(p, CLIENT_SECRET_FILE);
        if (url.isEmpty()) {
            for (String k : new String[] {CLIENT_ID, CLIENT_SECRET_FILE, DEVICE_SYNC_INTERVAL, MAX_REVOCATIONS_PER_RUN}) {
                if (p.getProperty(k) != null) {
                    throw new InvalidConfigException(k + " needs " + URL + " (the Jamf Pro server)");
                }
            }
            return Optional.empty();
        }
        require(clientId, CLIENT_ID, URL);
        require(secretFile, CLIENT_SECRET_FILE, URL);
        URI base = jamfUrl(url.get());
        String secret = secretFile(configDir, CLIENT_SECRET_FILE, secretFile.get());
        Optional<Duration> interval = value(p, DEVICE_SYNC_INTERVAL).map(v -> Duration.ofMinutes(
                CaConfig.intValue(p, DEVICE_SYNC_INTERVAL, 0, MIN_SYNC_MINUTES, MAX_SYNC_MINUTES)));
        int max = CaConfig.intValue(p, MAX_REVOCATIONS_PER_RUN, DEFAULT_MAX_REVOCATIONS_PER_RUN, 1, 100_000);
        return Optional.of(new Api(base, clientId.get(), secret, interval, max));
    }

    /**
     * https, or http to this host only: the client secret and the bearer tokens travel in these requests. No user
     * info, query or fragment; a trailing slash is dropped so that paths can be appended.
     */
    static URI jamfUrl(String raw) {
        URI u;
        try {
            u = new URI(raw);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(URL + " is not a URL: '" + raw + "'");
        }
        if (u.getHost() == null || u.getScheme() == null || u.getRawUserInfo() != null || u.getRawQuery() != null
                || u.getRawFragment() != null) {
            throw new InvalidConfigException(URL + " must be like https://example.jamfcloud.com, not '" + raw + "'");
        }
        String scheme = u.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(u.getHost()))) {
            throw new InvalidConfigException(URL + " must be an https URL (plain http only to 127.0.0.1 or ::1): '"
                    + raw + "'");
        }
        String s = u.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            return false; // a name: no DNS lookup here, and a name may resolve elsewhere later
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * One secret line from a file: UTF-8, the final line break dropped, bounded. The message names the key and the
     * file, never the content.
     */
    static String secretFile(Path configDir, String key, String name) {
        Path file = configDir.resolve(name);
        byte[] raw;
        try (InputStream in = Files.newInputStream(file)) {
            raw = in.readNBytes(MAX_SECRET_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(key + ": no such file " + file);
        } catch (IOException e) {
            throw new InvalidConfigException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        if (raw.length > MAX_SECRET_FILE_BYTES) {
            throw new InvalidConfigException(key + ": " + file + " is larger than " + MAX_SECRET_FILE_BYTES
                    + " bytes; it must hold the secret alone");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidConfigException(key + ": " + file + " is not UTF-8 text");
        }
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
        }
        if (text.isEmpty()) {
            throw new InvalidConfigException(key + ": " + file + " is empty");
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new InvalidConfigException(key + ": " + file + " must hold one line");
        }
        return text;
    }

    private static Optional<String> value(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v.isBlank()) {
            throw new InvalidConfigException(key + " must not be empty");
        }
        return Optional.of(v.strip());
    }

    private static void require(Optional<String> v, String key, String because) {
        if (v.isEmpty()) {
            throw new InvalidConfigException(because + " needs " + key);
        }
    }
}
