package org.scepca.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.store.ChallengeRecord;

/**
 * An active one-time challenge in a listing: never its secret (only its hash is stored anyway). {@code subject} and
 * {@code sans} are the names it is bound to: null and empty for a challenge good for any names. {@code endpoint} is
 * the enrollment endpoint it is good for, {@code source} who minted it (admin, jamf), {@code deviceSerial} and
 * {@code deviceUdid} the device it was minted for.
 */
public record ChallengeView(String id, String createdAt, String expiresAt, String note, String subject, List<String> sans,
        String endpoint, String source, String deviceSerial, String deviceUdid) {
    public static ChallengeView of(ChallengeRecord r) {
        return new ChallengeView(r.id(), r.createdAt().toString(), r.expiresAt().toString(), r.note().orElse(null),
                boundSubject(r.binding()), boundSans(r.binding()), r.origin().endpoint(),
                r.origin().source().name().toLowerCase(java.util.Locale.ROOT), r.origin().deviceSerial().orElse(null),
                r.origin().deviceUdid().orElse(null));
    }

    private static String boundSubject(Optional<NameBinding> b) {
        return b.flatMap(NameBinding::subject).orElse(null);
    }

    private static List<String> boundSans(Optional<NameBinding> b) {
        return b.map(NameBinding::sans).orElse(List.of());
    }

    /** The reply to a create: the only time the secret is shown. */
    public record Created(String id, String challenge, String expiresAt, String note, String subject, List<String> sans,
            String endpoint) {
        static Created of(String id, String secret, Instant expiresAt, String note, Optional<NameBinding> binding,
                String endpoint) {
            return new Created(id, secret, expiresAt.toString(), note, boundSubject(binding), boundSans(binding), endpoint);
        }
    }
}
