package org.scepca.ca.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.TokenRecord;
import org.scepca.ca.store.TokenStore;

/**
 * Bearer tokens for the admin API: 256-bit random, shown once, stored as SHA-256. A token is looked up by the hash
 * of what was presented and the hashes are compared once more in constant time, so neither the lookup nor the
 * comparison leaks how much of a guess was right.
 */
public final class TokenService {
    /** Prefix that makes a leaked token recognisable to secret scanners and in logs. */
    public static final String PREFIX = "scepca_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /** last_used_at is informational: one write per token per minute is enough. */
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final TokenStore store;
    private final Clock clock;
    private final SecureRandom random;

    public TokenService(TokenStore store, Clock clock, SecureRandom random) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /** Creates a token. The secret is returned once and never stored. */
    public MintedToken create(String name, AdminRole role) {
        Objects.requireNonNull(role, "role is null");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name must be 1 to 64 letters, digits, '.', '_', '@' or '-'");
        }
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        TokenRecord r = new TokenRecord(UUID.randomUUID().toString(), name, role, hashHex(token), clock.instant(),
                Optional.empty(), Optional.empty());
        store.insert(r);
        return new MintedToken(r, token);
    }

    /**
     * The unrevoked token matching {@code presented}, or empty.
     */
    public Optional<TokenRecord> authenticate(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 128) {
            return Optional.empty();
        }
        String hash = hashHex(presented);
        Optional<TokenRecord> found = store.findByHash(hash)
                .filter(r -> MessageDigest.isEqual(r.tokenSha256().getBytes(StandardCharsets.US_ASCII),
                        hash.getBytes(StandardCharsets.US_ASCII)))
                .filter(r -> !r.isRevoked());
        found.ifPresent(r -> {
            Instant now = clock.instant();
            if (r.lastUsedAt().map(t -> t.plus(TOUCH_INTERVAL).isBefore(now)).orElse(true)) {
                store.touch(r.id(), now);
            }
        });
        return found;
    }

    public List<TokenRecord> list() {
        return store.list();
    }

    /**
     * Revokes a token by id, or by name when exactly one unrevoked token has that name.
     *
     * @return the revoked token
     * @throws IllegalArgumentException if nothing (or more than one token) matches, or it is already revoked
     */
    public TokenRecord revoke(String idOrName) {
        Objects.requireNonNull(idOrName, "idOrName is null");
        TokenRecord target = store.find(idOrName).orElseGet(() -> {
            List<TokenRecord> named = store.list().stream().filter(t -> t.name().equals(idOrName) && !t.isRevoked())
                    .toList();
            if (named.size() > 1) {
                throw new IllegalArgumentException(named.size() + " active tokens are named '" + idOrName
                        + "': revoke by id");
            }
            return named.stream().findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no active token with id or name '" + idOrName + "'"));
        });
        if (!store.revoke(target.id(), clock.instant())) {
            throw new IllegalArgumentException("token " + target.id() + " is already revoked");
        }
        return store.find(target.id()).orElseThrow();
    }

    static String hashHex(String token) {
        return Pem.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
    }

    /** A freshly created token. {@code toString} hides the secret. */
    public record MintedToken(TokenRecord record, String token) {
        @Override
        public String toString() {
            return "MintedToken[" + record.id() + ", " + record.name() + ", secret hidden]";
        }
    }
}
