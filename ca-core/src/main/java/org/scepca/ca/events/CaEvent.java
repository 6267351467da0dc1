package org.scepca.ca.events;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;

/**
 * Something a webhook receiver hears about. The JSON form ({@link EventJson}, docs/webhooks.md) has every field, null
 * (or empty) where it does not apply. Free text is bounded here, so a refusal of an oversized request cannot make an
 * oversized event: strings are cut, not refused, because building an event must never fail the change it reports.
 *
 * @param id            unique per event, sent as {@code X-Scepca-Delivery}: receivers de-duplicate on it (delivery
 *                      is at least once)
 * @param serial        the certificate's serial, lower-case hex (absent for a refusal)
 * @param subject       the certificate's (or the refused request's) subject DN, RFC 2253, if known
 * @param sans          "type:value" strings (dns:host.example, email:a@b, uri:..., ip:..., upn:...)
 * @param renews        for {@link Type#RENEWED}: the serial of the certificate renewed
 * @param transactionId the SCEP transactionID, if the change came from SCEP
 * @param endpoint      the SCEP endpoint name
 * @param device        device identity (serial number, UDID, Intune device id, ...), small and string-valued
 * @param actor         who caused it: the requester of an issuance ({@code scep:...}), who revoked ({@code cli:...},
 *                      {@code token:...}), the requester whose renewal superseded a certificate
 * @param reason        the revocation reason (RFC 5280 name, e.g. keyCompromise) or the refusal's detail
 * @param failInfo      for {@link Type#REFUSED}: the SCEP failInfo sent (badAlg, badMessageCheck, badRequest, badTime,
 *                      badCertId)
 * @param thresholdDays for {@link Type#EXPIRING} and {@link Type#CA_EXPIRING}: the notification threshold reached
 *                      (notAfter is at most this many days away)
 */
public record CaEvent(UUID id, Type type, Instant occurredAt, Optional<String> serial, Optional<String> subject,
        List<String> sans, Optional<Instant> notAfter, Optional<String> renews, Optional<String> transactionId,
        Optional<String> endpoint, Map<String, String> device, Optional<String> actor, Optional<String> reason,
        Optional<String> failInfo, Optional<Integer> thresholdDays) {

    static final int MAX_TEXT = 1024;
    static final int MAX_SANS_CHARS = 8192;
    static final int MAX_DEVICE_ENTRIES = 16;
    static final int MAX_DEVICE_KEY = 64;
    static final int MAX_DEVICE_VALUE = 256;
    /** RFC 8894 §3.2.1.4.5; the names as SCEP spells them. */
    static final Set<String> FAIL_INFOS = Set.of("badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId");

    public enum Type {
        ISSUED, RENEWED, REVOKED, REFUSED,
        /** A certificate reached an expiry notification threshold (docs/expiry-and-renewal.md). */
        EXPIRING,
        /** The issuing CA's or the root's certificate reached an expiry notification threshold. */
        CA_EXPIRING;

        /** The name on the wire (JSON {@code type}, {@code X-Scepca-Event}, {@code webhook.events}): ca-expiring. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Type parse(String s) {
            for (Type t : values()) {
                if (t.wireName().equals(s.strip().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown event type '" + s.strip() + "'");
        }
    }

    public CaEvent {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(type, "type is null");
        occurredAt = Objects.requireNonNull(occurredAt, "occurredAt is null").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(serial, "serial is null");
        subject = Objects.requireNonNull(subject, "subject is null").map(s -> cut(s, MAX_TEXT));
        sans = boundedSans(Objects.requireNonNull(sans, "sans is null"));
        notAfter = Objects.requireNonNull(notAfter, "notAfter is null").map(t -> t.truncatedTo(ChronoUnit.MILLIS));
        Objects.requireNonNull(renews, "renews is null");
        transactionId = Objects.requireNonNull(transactionId, "transactionId is null").map(s -> cut(s, MAX_TEXT));
        endpoint = Objects.requireNonNull(endpoint, "endpoint is null").map(s -> cut(s, MAX_TEXT));
        device = boundedDevice(Objects.requireNonNull(device, "device is null"));
        actor = Objects.requireNonNull(actor, "actor is null").map(s -> cut(s, MAX_TEXT));
        reason = Objects.requireNonNull(reason, "reason is null").map(s -> cut(s, MAX_TEXT));
        Objects.requireNonNull(failInfo, "failInfo is null");
        serial.ifPresent(s -> requireHex(s, "serial"));
        renews.ifPresent(s -> requireHex(s, "renews"));
        if (type == Type.REFUSED) {
            if (failInfo.isEmpty() || !FAIL_INFOS.contains(failInfo.get())) {
                throw new IllegalArgumentException("a refusal needs a failInfo, one of " + FAIL_INFOS);
            }
            if (serial.isPresent()) {
                throw new IllegalArgumentException("a refusal has no certificate serial");
            }
        } else {
            if (serial.isEmpty() || subject.isEmpty()) {
                throw new IllegalArgumentException("a " + type.wireName() + " event needs the certificate's serial and subject");
            }
            if (failInfo.isPresent()) {
                throw new IllegalArgumentException("only a refusal has a failInfo");
            }
        }
        if (renews.isPresent() != (type == Type.RENEWED)) {
            throw new IllegalArgumentException("renews is set for a renewal, and only for one");
        }
        Objects.requireNonNull(thresholdDays, "thresholdDays is null");
        if (thresholdDays.isPresent() != (type == Type.EXPIRING || type == Type.CA_EXPIRING)) {
            throw new IllegalArgumentException("thresholdDays is set for an expiry notice, and only for one");
        }
        if (thresholdDays.isPresent() && thresholdDays.get() < 0) {
            throw new IllegalArgumentException("thresholdDays must not be negative");
        }
    }

    /** {@link Type#EXPIRING}: an active certificate whose notAfter is at most {@code thresholdDays} days away. */
    public static CaEvent expiring(CertificateRecord c, int thresholdDays, Instant now) {
        return new CaEvent(UUID.randomUUID(), Type.EXPIRING, now, Optional.of(c.serialHex()), Optional.of(c.subjectDn()),
                c.subjectAltNames(), Optional.of(c.notAfter()), Optional.empty(), c.transactionId(), endpointOf(c),
                deviceOf(c.issuedFor()), Optional.of("scepca:expiry"), Optional.empty(), Optional.empty(),
                Optional.of(thresholdDays));
    }

    /**
     * {@link Type#CA_EXPIRING}: a CA certificate whose notAfter is at most {@code thresholdDays} days away.
     *
     * @param which "issuing" (the intermediate that signs device certificates) or "root", sent as {@code reason}
     */
    public static CaEvent caExpiring(java.security.cert.X509Certificate ca, String which, int thresholdDays, Instant now) {
        return new CaEvent(UUID.randomUUID(), Type.CA_EXPIRING, now, Optional.of(ca.getSerialNumber().toString(16)),
                Optional.of(ca.getSubjectX500Principal().getName()), List.of(), Optional.of(ca.getNotAfter().toInstant()),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Optional.of("scepca:expiry"),
                Optional.of(which), Optional.empty(), Optional.of(thresholdDays));
    }

    /** {@link Type#ISSUED}, or {@link Type#RENEWED} when {@code renews} is present, for a certificate just stored. */
    public static CaEvent issued(CertificateRecord c, Optional<BigInteger> renews) {
        return new CaEvent(UUID.randomUUID(), renews.isPresent() ? Type.RENEWED : Type.ISSUED, c.issuedAt(),
                Optional.of(c.serialHex()), Optional.of(c.subjectDn()), c.subjectAltNames(), Optional.of(c.notAfter()),
                renews.map(s -> s.toString(16)), c.transactionId(), endpointOf(c), deviceOf(c.issuedFor()),
                Optional.of(c.requester()), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The endpoint of a device certificate; none for the CLI's own certificates. */
    private static Optional<String> endpointOf(CertificateRecord c) {
        return c.profile() == org.scepca.ca.policy.CertificateProfile.CLIENT ? Optional.of(c.endpointName())
                : c.issuedFor().endpoint();
    }

    /** Whom a certificate was issued for, as the event's device map. */
    public static Map<String, String> deviceOf(org.scepca.ca.store.IssuedFor f) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        f.deviceSerial().ifPresent(v -> m.put("serialNumber", v));
        f.deviceUdid().ifPresent(v -> m.put("udid", v));
        f.intuneDeviceId().ifPresent(v -> m.put("intuneDeviceId", v));
        f.challengeId().ifPresent(v -> m.put("challengeId", v));
        f.note().ifPresent(v -> m.put("note", v));
        return m;
    }

    /** {@link Type#REVOKED} for a certificate as the store holds it after its revocation. */
    public static CaEvent revoked(CertificateRecord c, Optional<String> actor) {
        if (c.status() != CertificateStatus.REVOKED) {
            throw new IllegalArgumentException("certificate " + c.serialHex() + " is not revoked");
        }
        return new CaEvent(UUID.randomUUID(), Type.REVOKED, c.revokedAt().orElseThrow(), Optional.of(c.serialHex()),
                Optional.of(c.subjectDn()), c.subjectAltNames(), Optional.of(c.notAfter()), Optional.empty(),
                c.transactionId(), endpointOf(c), deviceOf(c.issuedFor()), actor,
                Optional.of(c.revocationReason().map(RevocationReason::rfcName).orElse("unspecified")), Optional.empty(),
                Optional.empty());
    }

    /**
     * {@link Type#REFUSED}: a SCEP request answered with a FAILURE CertRep.
     *
     * @param subject  the subject asked for, if the request could be read that far
     * @param failInfo the failInfo sent, as SCEP spells it ({@code badRequest}) or as an enum constant
     *                 ({@code BAD_REQUEST})
     * @param detail   why (the audit log's reason), without secrets
     */
    public static CaEvent refused(Instant at, Optional<String> transactionId, Optional<String> subject, List<String> sans,
            String failInfo, String detail, String actor) {
        return new CaEvent(UUID.randomUUID(), Type.REFUSED, at, Optional.empty(), subject, sans, Optional.empty(),
                Optional.empty(), transactionId, Optional.empty(), Map.of(), Optional.of(actor), Optional.of(detail),
                Optional.of(failInfoName(failInfo)), Optional.empty());
    }

    /** BAD_MESSAGE_CHECK → badMessageCheck; a name already in SCEP's spelling is kept. */
    static String failInfoName(String s) {
        if (!s.contains("_") && !s.equals(s.toUpperCase(Locale.ROOT))) {
            return s;
        }
        String[] parts = s.toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
            }
        }
        return b.toString();
    }

    /** The same event naming the SCEP endpoint it came through. */
    public CaEvent withEndpoint(String name) {
        return new CaEvent(id, type, occurredAt, serial, subject, sans, notAfter, renews, transactionId,
                Optional.of(name), device, actor, reason, failInfo, thresholdDays);
    }

    /** The same event with device identity (e.g. serialNumber, udid, intuneDeviceId). */
    public CaEvent withDevice(Map<String, String> identity) {
        return new CaEvent(id, type, occurredAt, serial, subject, sans, notAfter, renews, transactionId, endpoint,
                identity, actor, reason, failInfo, thresholdDays);
    }

    /**
     * A refused enrollment's device identity: the device (as the audit line names it) and the one-time challenge
     * it presented, each when known (null, or "-" for no challenge, leaves it out).
     */
    public CaEvent withRefusedDevice(String device, String challengeId) {
        Map<String, String> identity = new java.util.LinkedHashMap<>();
        if (device != null) {
            identity.put("device", device);
        }
        if (challengeId != null && !"-".equals(challengeId)) {
            identity.put("challengeId", challengeId);
        }
        return withDevice(identity);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static void requireHex(String s, String what) {
        if (!s.matches("[0-9a-f]{1,42}")) {
            throw new IllegalArgumentException(what + " must be lower-case hex");
        }
    }

    /** At most {@value #MAX_SANS_CHARS} characters in all (the store's own SAN column limit); the rest is left out. */
    private static List<String> boundedSans(List<String> sans) {
        List<String> out = new ArrayList<>();
        int total = 0;
        for (String s : sans) {
            Objects.requireNonNull(s, "a SAN is null");
            total += s.length();
            if (total > MAX_SANS_CHARS) {
                break;
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static Map<String, String> boundedDevice(Map<String, String> device) {
        if (device.size() > MAX_DEVICE_ENTRIES) {
            throw new IllegalArgumentException("device identity has more than " + MAX_DEVICE_ENTRIES + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        device.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String k = Objects.requireNonNull(e.getKey(), "a device key is null");
            if (k.isEmpty() || k.length() > MAX_DEVICE_KEY) {
                throw new IllegalArgumentException("device key must have 1 to " + MAX_DEVICE_KEY + " characters");
            }
            out.put(k, cut(Objects.requireNonNull(e.getValue(), "device value of " + k + " is null"), MAX_DEVICE_VALUE));
        });
        return java.util.Collections.unmodifiableMap(out);
    }
}
