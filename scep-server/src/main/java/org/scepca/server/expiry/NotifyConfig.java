package org.scepca.server.expiry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.events.CaEvent;
import org.scepca.ca.events.WebhookConfig;

/**
 * The {@code notify.*} keys of {@code scepca.properties}: expiry notifications, off unless a channel is configured
 * ({@code notify.webhook = true} and/or {@code notify.smtp.host}). Validated once at start-up; this model owns the
 * family ({@link CaConfig#DELEGATED_PREFIXES}), so an unknown {@code notify.} key is an error naming it.
 *
 * @param thresholds   days before a certificate's notAfter at which it is notified, descending (default 30, 7, 1)
 * @param caThresholds days before the issuing CA's or the root's notAfter (default 90, 30, 7)
 * @param webhook      send {@code expiring} and {@code ca-expiring} events through the webhook outbox
 * @param smtp         send a digest e-mail per run through this relay
 * @param interval     how often the check runs (default hourly)
 */
public record NotifyConfig(List<Integer> thresholds, List<Integer> caThresholds, boolean webhook, Optional<Smtp> smtp,
        Duration interval) {
    public static final String PREFIX = "notify.";
    public static final Set<String> KEYS = Set.of("notify.thresholds-days", "notify.ca-thresholds-days",
            "notify.webhook", "notify.check-interval-minutes", "notify.smtp.host", "notify.smtp.port",
            "notify.smtp.tls", "notify.smtp.username", "notify.smtp.password-file", "notify.smtp.from",
            "notify.smtp.to", "notify.smtp.timeout-seconds");
    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(30, 7, 1);
    public static final List<Integer> DEFAULT_CA_THRESHOLDS = List.of(90, 30, 7);
    /** The expiry check when nothing is configured: the daily audit summary only. */
    public static final NotifyConfig OFF = new NotifyConfig(DEFAULT_THRESHOLDS, DEFAULT_CA_THRESHOLDS, false,
            Optional.empty(), Duration.ofHours(1));

    public NotifyConfig {
        thresholds = descending(thresholds, "thresholds");
        caThresholds = descending(caThresholds, "caThresholds");
        Objects.requireNonNull(smtp, "smtp is null");
        Objects.requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
    }

    /** Whether any notification channel is on. */
    public boolean enabled() {
        return webhook || smtp.isPresent();
    }

    /** How the connection to the relay is protected. */
    public enum Tls {
        /** Plain connection upgraded with STARTTLS, which is required (RFC 3207); port 587 by default. */
        STARTTLS,
        /** TLS from the first byte (RFC 8314 §3.3); port 465 by default. */
        IMPLICIT,
        /** No TLS: only to a relay on this host (a local MTA), port 25 by default. */
        NONE
    }

    /**
     * @param password from {@code notify.smtp.password-file}; never logged
     */
    public record Smtp(String host, int port, Tls tls, Optional<String> username, Optional<String> password,
            String from, List<String> to, Duration timeout) {
        public Smtp {
            Objects.requireNonNull(host, "host is null");
            Objects.requireNonNull(tls, "tls is null");
            Objects.requireNonNull(username, "username is null");
            Objects.requireNonNull(password, "password is null");
            Objects.requireNonNull(from, "from is null");
            to = List.copyOf(to);
            Objects.requireNonNull(timeout, "timeout is null");
            if (to.isEmpty()) {
                throw new IllegalArgumentException("to is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1-65535");
            }
            if (username.isPresent() != password.isPresent()) {
                throw new IllegalArgumentException("username and password go together");
            }
        }

        @Override
        public String toString() {
            return "Smtp[" + host + ":" + port + ", tls=" + tls + ", username=" + username.orElse("-") + ", from=" + from
                    + ", to=" + to + ", password=" + (password.isPresent() ? "***" : "-") + "]";
        }
    }

    /**
     * The configuration in {@code p}; {@link #OFF} when it has no {@code notify.*} key.
     *
     * @param configDir the folder of {@code scepca.properties}: a relative password file is read from it
     * @param webhooks  the {@code webhook.*} configuration (validated by the CA already), if any
     * @throws InvalidConfigException naming the key that is unknown, missing or invalid
     */
    public static NotifyConfig from(Properties p, Path configDir, Optional<WebhookConfig> webhooks) {
        Set<String> ours = p.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .collect(Collectors.toCollection(TreeSet::new));
        if (ours.isEmpty()) {
            return OFF;
        }
        for (String k : ours) {
            if (!KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known notify keys: "
                        + new TreeSet<>(KEYS).stream().collect(Collectors.joining(", ")));
            }
        }
        List<Integer> thresholds = days(p, "notify.thresholds-days", DEFAULT_THRESHOLDS, 3650);
        List<Integer> caThresholds = days(p, "notify.ca-thresholds-days", DEFAULT_CA_THRESHOLDS, 36_500);
        boolean webhook = CaConfig.bool(p, "notify.webhook", false);
        if (webhook) {
            Optional<WebhookConfig> w = webhooks;
            if (w.isEmpty()) {
                throw new InvalidConfigException("notify.webhook = true needs webhook.url and webhook.secret-file");
            }
            if (!w.get().events().contains(CaEvent.Type.EXPIRING) || !w.get().events().contains(CaEvent.Type.CA_EXPIRING)) {
                throw new InvalidConfigException("notify.webhook = true, but webhook.events leaves out expiring or"
                        + " ca-expiring: add both (or leave webhook.events out to send every type)");
            }
        }
        Optional<Smtp> smtp = smtp(p, configDir, ours);
        Duration interval = Duration.ofMinutes(CaConfig.intValue(p, "notify.check-interval-minutes", 60, 1, 1440));
        NotifyConfig c = new NotifyConfig(thresholds, caThresholds, webhook, smtp, interval);
        if (!c.enabled()) {
            throw new InvalidConfigException("notify.* is set but names no channel: set notify.webhook = true and/or"
                    + " notify.smtp.host");
        }
        return c;
    }

    private static Optional<Smtp> smtp(Properties p, Path configDir, Set<String> ours) {
        boolean any = ours.stream().anyMatch(k -> k.startsWith("notify.smtp."));
        if (!any) {
            return Optional.empty();
        }
        String host = required(p, "notify.smtp.host");
        Tls tls;
        String t = p.getProperty("notify.smtp.tls", "starttls").strip().toUpperCase(Locale.ROOT);
        try {
            tls = Tls.valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("notify.smtp.tls must be starttls, implicit or none, not '"
                    + p.getProperty("notify.smtp.tls").strip() + "'");
        }
        if (tls == Tls.NONE && !WebhookConfig.isLoopback(host)) {
            // Notices name devices and certificates, and AUTH would send the password in clear.
            throw new InvalidConfigException("notify.smtp.tls = none is allowed only to a relay on this host"
                    + " (127.0.0.1, ::1, localhost), not to " + host);
        }
        int port = CaConfig.intValue(p, "notify.smtp.port", switch (tls) {
            case STARTTLS -> 587;
            case IMPLICIT -> 465;
            case NONE -> 25;
        }, 1, 65535);
        Optional<String> username = Optional.ofNullable(p.getProperty("notify.smtp.username")).map(String::strip)
                .filter(s -> !s.isEmpty());
        Optional<String> password = Optional.ofNullable(p.getProperty("notify.smtp.password-file")).map(String::strip)
                .filter(s -> !s.isEmpty()).map(f -> password(configDir.resolve(f)));
        if (username.isPresent() != password.isPresent()) {
            throw new InvalidConfigException(username.isPresent() ? "notify.smtp.username needs notify.smtp.password-file"
                    : "notify.smtp.password-file needs notify.smtp.username");
        }
        String from = address(required(p, "notify.smtp.from"), "notify.smtp.from");
        List<String> to = new ArrayList<>();
        for (String a : required(p, "notify.smtp.to").split(",")) {
            if (!a.isBlank()) {
                to.add(address(a.strip(), "notify.smtp.to"));
            }
        }
        if (to.isEmpty()) {
            throw new InvalidConfigException("notify.smtp.to names no address");
        }
        Duration timeout = Duration.ofSeconds(CaConfig.intValue(p, "notify.smtp.timeout-seconds", 30, 1, 300));
        return Optional.of(new Smtp(host, port, tls, username, password, from, to, timeout));
    }

    /** A plain addr-spec (local@domain): no display names, no line breaks that could add a header. */
    private static String address(String a, String key) {
        if (!a.matches("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) {
            throw new InvalidConfigException(key + ": '" + a + "' is not an e-mail address (local@domain)");
        }
        return a;
    }

    private static String password(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidConfigException("notify.smtp.password-file: no such file " + file);
            }
            if (Files.size(file) > 4096) {
                throw new InvalidConfigException("notify.smtp.password-file: " + file + " is larger than 4096 bytes");
            }
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new InvalidConfigException("notify.smtp.password-file: " + file + " is empty");
            }
            return s;
        } catch (IOException e) {
            throw new InvalidConfigException("notify.smtp.password-file: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new InvalidConfigException(key + " is required when any notify.smtp.* key is set");
        }
        return v.strip();
    }

    private static List<Integer> days(Properties p, String key, List<Integer> dflt, int max) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String s : v.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            try {
                int d = Integer.parseInt(s.strip());
                if (d < 1 || d > max) {
                    throw new NumberFormatException();
                }
                out.add(d);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(key + ": '" + s.strip() + "' is not a whole number of days from 1 to "
                        + max);
            }
        }
        if (out.isEmpty()) {
            throw new InvalidConfigException(key + " names no threshold");
        }
        return List.copyOf(out.descendingSet());
    }

    private static List<Integer> descending(List<Integer> days, String what) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(Objects.requireNonNull(days, what + " is null")));
        if (sorted.isEmpty() || sorted.get(0) < 1) {
            throw new IllegalArgumentException(what + " must name positive days");
        }
        java.util.Collections.reverse(sorted);
        return List.copyOf(sorted);
    }
}
