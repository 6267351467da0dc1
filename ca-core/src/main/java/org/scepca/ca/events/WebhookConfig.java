package org.scepca.ca.events;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code webhook.*} keys of {@code scepca.properties}, validated once at start-up. Webhooks are off when no such
 * key is present. This model owns the family (see {@link CaConfig#DELEGATED_PREFIXES}): an unknown {@code webhook.}
 * key is an error naming it.
 *
 * @param url             where events are POSTed; https, or http to a loopback address only (a relay on the host)
 * @param signer          holds the shared secret from {@code webhook.secret-file}
 * @param events          the event types sent; others are not even queued
 * @param timeout         connect and response timeout of one delivery attempt
 * @param maxAttempts     attempts before an event is marked dead
 * @param maxBackoff      cap of the exponential backoff between attempts
 * @param maxAge          an event still failing this long after it happened is marked dead
 * @param retention       delivered events are purged this long after they happened
 */
public record WebhookConfig(URI url, WebhookSigner signer, Set<CaEvent.Type> events, Duration timeout, int maxAttempts,
        Duration maxBackoff, Duration maxAge, Duration retention) {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookConfig.class);

    public static final String PREFIX = "webhook.";
    public static final Set<String> KEYS = Set.of("webhook.url", "webhook.secret-file", "webhook.events",
            "webhook.timeout-seconds", "webhook.max-attempts", "webhook.max-backoff-seconds", "webhook.max-age-hours",
            "webhook.retention-days");
    /** 256 bits, the HMAC-SHA256 output size (RFC 2104 §3: shorter keys weaken it). */
    public static final int MIN_SECRET_BYTES = 32;
    private static final int MAX_SECRET_BYTES = 4096;

    public WebhookConfig {
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(signer, "signer is null");
        events = Set.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("events is empty");
        }
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(maxBackoff, "maxBackoff is null");
        Objects.requireNonNull(maxAge, "maxAge is null");
        Objects.requireNonNull(retention, "retention is null");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /**
     * The webhook configuration in {@code p}, or empty when it has no {@code webhook.*} key.
     *
     * @param configDir the folder of {@code scepca.properties}: a relative {@code webhook.secret-file} is read from it
     * @throws InvalidConfigException naming the key that is unknown, missing or invalid
     */
    public static Optional<WebhookConfig> from(Properties p, Path configDir) {
        Set<String> ours = p.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX)).collect(Collectors.toSet());
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        for (String k : ours.stream().sorted().toList()) {
            if (!KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known webhook keys: "
                        + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        URI url = url(required(p, "webhook.url"));
        WebhookSigner signer = new WebhookSigner(secret(configDir, required(p, "webhook.secret-file")));
        return Optional.of(new WebhookConfig(url, signer, events(p.getProperty("webhook.events")),
                Duration.ofSeconds(CaConfig.intValue(p, "webhook.timeout-seconds", 10, 1, 300)),
                CaConfig.intValue(p, "webhook.max-attempts", 15, 1, 100),
                Duration.ofSeconds(CaConfig.intValue(p, "webhook.max-backoff-seconds", 3600, 1, 86_400)),
                Duration.ofHours(CaConfig.intValue(p, "webhook.max-age-hours", 72, 1, 24 * 30)),
                Duration.ofDays(CaConfig.intValue(p, "webhook.retention-days", 7, 1, 3650))));
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new InvalidConfigException(key + " is required when any webhook.* key is set");
        }
        return v.strip();
    }

    private static URI url(String s) {
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("webhook.url is not a URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new InvalidConfigException("webhook.url must be an https URL with a host");
        }
        if (u.getRawUserInfo() != null) {
            // It would end up in logs and error messages; the HMAC signature is the authentication.
            throw new InvalidConfigException("webhook.url must not carry a user name or password");
        }
        if (u.getRawFragment() != null) {
            throw new InvalidConfigException("webhook.url must not have a #fragment");
        }
        if (scheme.equals("http") && !isLoopback(u.getHost())) {
            // Events name devices and certificates; in clear text only to a relay on this host.
            throw new InvalidConfigException("webhook.url must use https (http only to a loopback address such as"
                    + " 127.0.0.1), not http to " + u.getHost());
        }
        return u;
    }

    /** A literal loopback address or {@code localhost}; never a DNS lookup at start-up. */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.matches("127(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}")
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /**
     * The file's bytes without trailing whitespace, so that {@code openssl rand -hex 32 > webhook-secret} works: the
     * key is then the 64 hex characters as text, which is what the receiver must use too.
     */
    private static byte[] secret(Path configDir, String name) {
        Path file = configDir.resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidConfigException("webhook.secret-file: no such file " + file);
            }
            if (Files.size(file) > MAX_SECRET_BYTES) {
                throw new InvalidConfigException("webhook.secret-file: " + file + " is larger than " + MAX_SECRET_BYTES
                        + " bytes; it should hold the secret only");
            }
            warnIfShared(file);
            byte[] raw = Files.readAllBytes(file);
            int end = raw.length;
            while (end > 0 && Character.isWhitespace(raw[end - 1])) {
                end--;
            }
            byte[] secret = Arrays.copyOf(raw, end);
            Arrays.fill(raw, (byte) 0);
            if (secret.length < MIN_SECRET_BYTES) {
                Arrays.fill(secret, (byte) 0);
                throw new InvalidConfigException("webhook.secret-file: the secret in " + file + " must have at least "
                        + MIN_SECRET_BYTES + " bytes (e.g. openssl rand -hex 32)");
            }
            return secret;
        } catch (IOException e) {
            throw new InvalidConfigException("webhook.secret-file: cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * A warning, not a refusal: secrets mounted by orchestrators (Kubernetes' default mode is 0644) are often readable
     * by the group or others while nobody else is in the container.
     */
    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("webhook.secret-file {} is readable by other users; chmod 600 it", file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    private static Set<CaEvent.Type> events(String v) {
        if (v == null) {
            return EnumSet.allOf(CaEvent.Type.class);
        }
        Set<CaEvent.Type> out = EnumSet.noneOf(CaEvent.Type.class);
        for (String t : v.split(",")) {
            if (t.isBlank()) {
                continue;
            }
            try {
                out.add(CaEvent.Type.parse(t));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("webhook.events: " + e.getMessage() + "; one of "
                        + Arrays.stream(CaEvent.Type.values()).map(CaEvent.Type::wireName).collect(Collectors.joining(", ")));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidConfigException("webhook.events names no event type; leave it out to send all");
        }
        return out;
    }

    /**
     * The URL without path and query, for logs: some receivers (chat relays, serverless functions) take a token in
     * the path or query, and that must not end up in a log.
     */
    public String target() {
        return url.getScheme() + "://" + url.getRawAuthority() + (url.getRawPath() == null || url.getRawPath().isEmpty()
                ? "" : "/...");
    }

    @Override
    public String toString() {
        return "WebhookConfig[url=" + target() + ", events=" + events.stream().map(CaEvent.Type::wireName).sorted().toList()
                + ", timeout=" + timeout + ", maxAttempts=" + maxAttempts + ", maxBackoff=" + maxBackoff + ", maxAge="
                + maxAge + ", retention=" + retention + ", secret=***]";
    }
}
