package org.scepca.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.scepca.profiles.IntuneSheet;
import org.scepca.profiles.Preset;
import org.scepca.server.profiles.ChallengeSource;
import org.scepca.server.profiles.GeneratedProfile;
import org.scepca.server.profiles.ProfileOptionException;
import org.scepca.server.profiles.ProfileOptions;
import org.scepca.server.profiles.ProfileService;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Profile downloads for IT staff, under {@code /admin/profiles/}:
 *
 * <ul>
 *   <li>{@code GET /admin/profiles/{generic|jamf|intune}?url=...}: the {@code .mobileconfig};
 *   <li>{@code GET /admin/profiles/intune/sheet.json?url=...} and {@code sheet.txt}: values for Intune's forms;
 *   <li>{@code GET /admin/profiles/intune/root.cer}: our root, DER, for Intune's Trusted certificate profile.
 * </ul>
 *
 * Query parameters are the CLI's option names without dashes ({@code key-size=4096}, {@code sign=true}); an unknown,
 * repeated or malformed one is a 400 problem JSON whose {@code field} names it. Every answer is {@code no-store}: a
 * profile holds a challenge. Access control is the job of the filter in front (see {@link LoopbackOnlyFilter}).
 */
public final class ProfileServlet extends HttpServlet {
    static final Set<String> PARAMETERS = Set.of("url", "sign", "subject", "san-dns", "san-uri", "san-email",
            "key-size", "key-usage", "retries", "retry-delay", "display-name", "organization", "challenge-ttl",
            "static-challenge", "jamf-challenge", "renewal-days", "intermediate");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

    private final transient ProfileService profiles;

    public ProfileServlet(ProfileService profiles) {
        this.profiles = Objects.requireNonNull(profiles, "profiles is null");
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getMethod().equals("GET")) {
            resp.setHeader("Allow", "GET");
            Problem.send(resp, 405, "method-not-allowed", "Method not allowed", "profiles are downloaded with GET");
            return;
        }
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (path) {
                case "/generic", "/jamf", "/intune" -> profile(req, resp, Preset.fromId(path.substring(1)));
                case "/intune/sheet.json" -> sheet(req, resp, true);
                case "/intune/sheet.txt" -> sheet(req, resp, false);
                case "/intune/root.cer" -> send(resp, "application/pkix-cert", "scepca-intune-root.cer",
                        profiles.rootCertificateDer());
                default -> Problem.send(resp, 404, "not-found", "Not found",
                        "profiles are at /admin/profiles/generic, /jamf, /intune, /intune/sheet.json, /intune/sheet.txt"
                                + " and /intune/root.cer");
            }
        } catch (ProfileOptionException invalid) {
            Problem.send(resp, 400, "invalid-profile-option", "Invalid profile option", invalid.getMessage(),
                    Map.of("field", invalid.field()));
        }
    }

    private void profile(HttpServletRequest req, HttpServletResponse resp, Preset preset) throws IOException {
        GeneratedProfile profile = profiles.generate(options(req, preset), "http:" + req.getRemoteAddr());
        send(resp, GeneratedProfile.CONTENT_TYPE, profile.fileName(), profile.mobileconfig());
    }

    private void sheet(HttpServletRequest req, HttpServletResponse resp, boolean json) throws IOException {
        IntuneSheet sheet = profiles.intuneSheet(options(req, Preset.INTUNE));
        if (json) {
            send(resp, "application/json", "scepca-intune.json", sheet.toJson().getBytes(StandardCharsets.UTF_8));
        } else {
            send(resp, "text/plain; charset=utf-8", "scepca-intune.txt", sheet.toText().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads the query into options, naming the parameter that is unknown, repeated or not of its type. */
    static ProfileOptions options(HttpServletRequest req, Preset preset) {
        for (String name : Collections.list(req.getParameterNames())) {
            if (!PARAMETERS.contains(name)) {
                throw new ProfileOptionException(name, "unknown parameter; known: " + String.join(", ",
                        PARAMETERS.stream().sorted().toList()));
            }
            if (req.getParameterValues(name).length > 1) {
                throw new ProfileOptionException(name, "given more than once");
            }
        }
        String url = req.getParameter("url");
        if (url == null || url.isBlank()) {
            throw new ProfileOptionException("url", "required: the SCEP URL devices use, e.g. https://ca.example.com/scep");
        }
        ProfileOptions.Builder b = ProfileOptions.builder(preset, url)
                .subject(req.getParameter("subject"))
                .sanDns(req.getParameter("san-dns"))
                .sanUri(req.getParameter("san-uri"))
                .sanEmail(req.getParameter("san-email"))
                .displayName(req.getParameter("display-name"))
                .organization(req.getParameter("organization"))
                .sign(bool(req, "sign", false))
                .includeIntermediate(bool(req, "intermediate", true));
        integer(req, "key-size", b::keySize);
        integer(req, "key-usage", b::keyUsage);
        integer(req, "retries", b::retries);
        integer(req, "retry-delay", b::retryDelaySeconds);
        integer(req, "renewal-days", b::renewalDays);
        String ttl = req.getParameter("challenge-ttl");
        if (ttl != null) {
            b.challengeTtl(duration("challenge-ttl", ttl));
        }
        String jamf = req.getParameter("jamf-challenge");
        if (jamf != null) {
            if (preset != Preset.JAMF) {
                throw new ProfileOptionException("jamf-challenge", "is for the jamf preset only");
            }
            b.challenge(switch (jamf.toLowerCase(Locale.ROOT)) {
                case "static" -> ChallengeSource.STATIC;
                case "dynamic" -> ChallengeSource.DYNAMIC;
                default -> throw new ProfileOptionException("jamf-challenge", "must be static or dynamic");
            });
        } else if (bool(req, "static-challenge", false)) {
            b.challenge(ChallengeSource.STATIC);
        }
        return b.build();
    }

    private static boolean bool(HttpServletRequest req, String name, boolean absent) {
        String v = req.getParameter(name);
        if (v == null) {
            return absent;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ProfileOptionException(name, "must be true or false");
        };
    }

    private static void integer(HttpServletRequest req, String name, java.util.function.IntConsumer sink) {
        String v = req.getParameter(name);
        if (v == null) {
            return;
        }
        try {
            sink.accept(Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new ProfileOptionException(name, "must be a whole number");
        }
    }

    /** 30s, 60m, 12h, 7d, as on the command line. */
    private static Duration duration(String name, String value) {
        Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ProfileOptionException(name, "must be a duration like 60m, 12h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static void send(HttpServletResponse resp, String type, String fileName, byte[] body) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setContentLength(body.length);
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write(body);
    }
}
