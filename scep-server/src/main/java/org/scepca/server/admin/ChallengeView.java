package org.scepca.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.store.ChallengeRecord;

/**
 * An active one-time challenge in a listing: never its secret (only its hash is stored anyway). {@code subject} and
 * {@code sans} are the names it is bound to: null and empty for a challenge good for any names.
 */
public record ChallengeView(String id, String createdAt, String expiresAt, String note, String subject, List<String> sans) {
    static ChallengeView of(ChallengeRecord r) {
        return new ChallengeView(r.id(), r.createdAt().toString(), r.expiresAt().toString(), r.note().orElse(null),
                boundSubject(r.binding()), boundSans(r.binding()));
    }

    private static String boundSubject(Optional<NameBinding> b) {
        return b.flatMap(NameBinding::subject).orElse(null);
    }

    private static List<String> boundSans(Optional<NameBinding> b) {
        return b.map(NameBinding::sans).orElse(List.of());
    }

    /** The reply to a create: the only time the secret is shown. */
    public record Created(String id, String challenge, String expiresAt, String note, String subject, List<String> sans) {
        static Created of(String id, String secret, Instant expiresAt, String note, Optional<NameBinding> binding) {
            return new Created(id, secret, expiresAt.toString(), note, boundSubject(binding), boundSans(binding));
        }
    }
}
