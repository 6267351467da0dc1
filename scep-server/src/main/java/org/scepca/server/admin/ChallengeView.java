package org.scepca.server.admin;

import java.time.Instant;

import org.scepca.ca.store.ChallengeRecord;

/** An active one-time challenge in a listing: never its secret (only its hash is stored anyway). */
public record ChallengeView(String id, String createdAt, String expiresAt, String note) {
    static ChallengeView of(ChallengeRecord r) {
        return new ChallengeView(r.id(), r.createdAt().toString(), r.expiresAt().toString(), r.note().orElse(null));
    }

    /** The reply to a create: the only time the secret is shown. */
    public record Created(String id, String challenge, String expiresAt, String note) {
        static Created of(String id, String secret, Instant expiresAt, String note) {
            return new Created(id, secret, expiresAt.toString(), note);
        }
    }
}
