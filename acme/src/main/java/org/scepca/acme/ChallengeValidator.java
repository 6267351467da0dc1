package org.scepca.acme;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;

/**
 * One challenge type (RFC 8555 section 8): http-01, dns-01, device-attest-01. The core offers a challenge of this
 * type for the identifiers it {@link #supports}, stores the client's challenge response, and calls {@link #validate}
 * on a bounded executor (it may take seconds: network look-ups); the outcome is stored before the client can see it.
 * A validator holds no state of its own between calls: any replica may run any validation.
 */
public interface ChallengeValidator {
    /** The challenge type, as in the challenge object and {@code endpoint.NAME.acme-challenges}. */
    String type();

    /** Whether this type can validate {@code identifier} (http-01: non-wildcard dns names; dns-01: any dns name). */
    boolean supports(Identifier identifier);

    /**
     * Checks the client's challenge response (the POST payload, section 7.5.1) when it arrives, before anything is
     * stored: http-01 and dns-01 take {@code {}}; device-attest-01 takes {@code {"attObj": ...}}.
     *
     * @throws AcmeProblem (malformed) if the response cannot be used at all
     */
    default void checkResponse(JsonNode response) {
        if (!response.isObject() || response.size() != 0) {
            throw new AcmeProblem(AcmeProblem.Type.MALFORMED, type() + " takes an empty JSON object as its response");
        }
    }

    /**
     * Validates. Runs off the request thread; must bound its own time (connect and read timeouts).
     *
     * @return valid (possibly bound to a key), or invalid with the ACME problem the client will see
     */
    Outcome validate(Attempt attempt);

    /**
     * What a validator gets.
     *
     * @param endpoint         the ACME endpoint's name
     * @param identifier       the authorization's identifier (a wildcard's base name for dns)
     * @param token            the challenge token (section 8.1)
     * @param accountKey       the account's public key
     * @param keyAuthorization token "." RFC 7638 thumbprint of the account key (section 8.1)
     * @param response         the client's challenge response (the POST payload)
     */
    record Attempt(String endpoint, Identifier identifier, String token, JWK accountKey, String keyAuthorization,
            JsonNode response) {
        public Attempt {
            Objects.requireNonNull(endpoint, "endpoint is null");
            Objects.requireNonNull(identifier, "identifier is null");
            Objects.requireNonNull(token, "token is null");
            Objects.requireNonNull(accountKey, "accountKey is null");
            Objects.requireNonNull(keyAuthorization, "keyAuthorization is null");
            Objects.requireNonNull(response, "response is null");
        }

        /** The account key's RFC 7638 thumbprint (base64url). */
        public String thumbprint() {
            return keyAuthorization.substring(keyAuthorization.indexOf('.') + 1);
        }
    }

    /**
     * @param problem  empty when valid
     * @param boundKey the key the validation vouches for (device-attest-01: the attested key); finalize then accepts
     *                 only a CSR with this key
     * @param note     what the validation learnt, kept with the issued certificate (at most 256 characters)
     */
    record Outcome(Optional<AcmeProblem> problem, Optional<PublicKey> boundKey, Optional<String> note) {
        public Outcome {
            Objects.requireNonNull(problem, "problem is null");
            Objects.requireNonNull(boundKey, "boundKey is null");
            Objects.requireNonNull(note, "note is null");
            if (problem.isPresent() && (boundKey.isPresent() || note.isPresent())) {
                throw new IllegalArgumentException("an invalid outcome binds nothing");
            }
        }

        public static Outcome valid() {
            return new Outcome(Optional.empty(), Optional.empty(), Optional.empty());
        }

        public static Outcome validFor(PublicKey key, Optional<String> note) {
            return new Outcome(Optional.empty(), Optional.of(key), note);
        }

        public static Outcome invalid(AcmeProblem problem) {
            return new Outcome(Optional.of(problem), Optional.empty(), Optional.empty());
        }

        public static Outcome invalid(AcmeProblem.Type type, String detail) {
            return invalid(new AcmeProblem(type, detail));
        }

        public boolean isValid() {
            return problem.isEmpty();
        }
    }
}
