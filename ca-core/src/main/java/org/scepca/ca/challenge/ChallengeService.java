package org.scepca.ca.challenge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.store.ChallengeRecord;
import org.scepca.ca.store.ChallengeStore;

/**
 * Challenge passwords that authorise a SCEP enrollment: an optional static one from configuration and one-time ones
 * minted on demand. Secrets are kept only as SHA-256 (they are 128-bit random, so no salt or slow hash is needed) and
 * compared in constant time. A one-time challenge is consumed by the store in the same transaction as the issuance.
 */
public final class ChallengeService {
    public static final Duration MAX_TTL = Duration.ofDays(30);

    private final ChallengeStore store;
    private final Optional<byte[]> staticHash;
    private final Clock clock;
    private final SecureRandom random;

    public ChallengeService(ChallengeStore store, Optional<String> staticChallenge, Clock clock, SecureRandom random) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.staticHash = staticChallenge.filter(s -> !s.isEmpty()).map(ChallengeService::digest);
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /** Mints an unbound one-time challenge. The secret is returned once and never stored. */
    public MintedChallenge mint(Duration ttl, Optional<String> note) {
        return mint(ttl, note, Optional.empty());
    }

    /**
     * Mints a one-time challenge, bound to names if {@code binding} is present: it then serves only a CSR with those
     * names, and a CSR with other names leaves it unused. The secret is returned once and never stored.
     */
    public MintedChallenge mint(Duration ttl, Optional<String> note, Optional<NameBinding> binding) {
        return mint(ttl, note, binding, ChallengeOrigin.DEFAULT);
    }

    /**
     * Mints a one-time challenge good only on {@code origin}'s endpoint, and for the device it names (through the
     * endpoint's subject/SAN template). The secret is returned once and never stored.
     */
    public MintedChallenge mint(Duration ttl, Optional<String> note, Optional<NameBinding> binding, ChallengeOrigin origin) {
        Objects.requireNonNull(binding, "binding is null");
        Objects.requireNonNull(origin, "origin is null");
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl must be between 1 second and " + MAX_TTL.toDays() + " days");
        }
        note.ifPresent(n -> {
            if (n.length() > 256) {
                throw new IllegalArgumentException("note must be at most 256 characters");
            }
        });
        byte[] b = new byte[16];
        random.nextBytes(b);
        String secret = HexFormat.of().formatHex(b);
        Instant now = clock.instant();
        ChallengeRecord r = new ChallengeRecord(UUID.randomUUID().toString(), hashHex(secret), now, now.plus(ttl),
                Optional.empty(), note, binding, origin);
        store.insert(r);
        return new MintedChallenge(r.id(), secret, r.expiresAt());
    }

    /**
     * Checks a presented challenge without consuming it.
     *
     * @return what it grants, or empty if it is wrong, expired or used
     */
    public Optional<ChallengeGrant> check(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 1024) {
            return Optional.empty();
        }
        byte[] d = digest(presented);
        if (staticHash.isPresent() && MessageDigest.isEqual(d, staticHash.get())) {
            return Optional.of(new ChallengeGrant(ChallengeGrant.Kind.STATIC, Optional.empty(), NameRule.any(),
                    Optional.empty()));
        }
        // Looked up by the hash of a 128-bit secret: timing reveals nothing an attacker can use.
        String hash = HexFormat.of().formatHex(d);
        return store.findBySecretHash(hash).filter(r -> r.usableAt(clock.instant()))
                .filter(r -> r.origin().endpoint().equals(ChallengeOrigin.DEFAULT_ENDPOINT))
                .map(r -> new ChallengeGrant(ChallengeGrant.Kind.ONE_TIME, Optional.of(hash),
                        r.binding().<NameRule>map(b -> b).orElse(NameRule.any()), Optional.of(r)));
    }

    /**
     * Checks a challenge presented on {@code endpoint} without consuming it: the endpoint's static challenge, or a
     * one-time challenge minted for this endpoint by a source the endpoint accepts. The grant's names are the
     * challenge's own binding and the endpoint's template, filled with the device the challenge was minted for.
     *
     * @return what it grants, or empty if it is wrong, expired, used, or not for this endpoint
     */
    public Optional<ChallengeGrant> check(String presented, EnrollmentEndpoint endpoint) {
        if (presented == null || presented.isEmpty() || presented.length() > 1024) {
            return Optional.empty();
        }
        byte[] d = digest(presented);
        if (endpoint.allows(Authorization.STATIC) && endpoint.staticChallenge().isPresent()
                && MessageDigest.isEqual(d, digest(endpoint.staticChallenge().get()))) {
            return Optional.of(new ChallengeGrant(ChallengeGrant.Kind.STATIC, Optional.empty(),
                    endpoint.names().rule(Optional.empty(), Optional.empty()), Optional.empty()));
        }
        String hash = HexFormat.of().formatHex(d);
        return store.findBySecretHash(hash).filter(r -> r.usableAt(clock.instant()))
                .filter(r -> r.origin().endpoint().equals(endpoint.name()))
                .filter(r -> endpoint.allows(r.origin().source() == ChallengeOrigin.Source.JAMF ? Authorization.JAMF
                        : Authorization.ONE_TIME))
                .map(r -> new ChallengeGrant(ChallengeGrant.Kind.ONE_TIME, Optional.of(hash),
                        NameRule.all(r.binding().<NameRule>map(b -> b).orElse(NameRule.any()),
                                endpoint.names().rule(r.origin().deviceSerial(), r.origin().deviceUdid())),
                        Optional.of(r)));
    }

    public Optional<ChallengeRecord> find(String id) {
        return store.findById(id);
    }

    public List<ChallengeRecord> listActive(int limit) {
        return store.listActive(clock.instant(), limit);
    }

    /** How many challenges can still be used now (all of them, unlike {@link #listActive}'s page). */
    public long countActive() {
        return store.countActive(clock.instant());
    }

    /** Removes challenges that expired or were used more than {@code age} ago; returns how many. */
    public int purge(Duration age) {
        return store.purge(clock.instant().minus(age));
    }

    public boolean delete(String id) {
        return store.delete(id);
    }

    public static String hashHex(String secret) {
        return Pem.sha256Hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] digest(String s) {
        return Pem.digest("SHA-256", s.getBytes(StandardCharsets.UTF_8));
    }

    /** A freshly minted one-time challenge. {@code toString} hides the secret. */
    public record MintedChallenge(String id, String secret, Instant expiresAt) {
        @Override
        public String toString() {
            return "MintedChallenge[" + id + ", expires " + expiresAt + ", secret hidden]";
        }
    }

    /**
     * What a valid challenge allows; a one-time grant names the hash the issuance must consume, and {@code names}
     * the names it is bound to (any, if unbound), {@code challenge} the one-time challenge's record.
     */
    public record ChallengeGrant(Kind kind, Optional<String> oneTimeHash, NameRule names,
            Optional<ChallengeRecord> challenge) {
        public enum Kind { STATIC, ONE_TIME }

        public ChallengeGrant {
            Objects.requireNonNull(kind, "kind is null");
            Objects.requireNonNull(oneTimeHash, "oneTimeHash is null");
            Objects.requireNonNull(names, "names is null");
            Objects.requireNonNull(challenge, "challenge is null");
        }
    }
}
