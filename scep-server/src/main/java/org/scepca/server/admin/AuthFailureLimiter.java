package org.scepca.server.admin;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.scepca.server.http.TokenBucket;

/**
 * Slows down guessing of HTTP Basic passwords (the Jamf webhook's credential is a password a person chose and typed
 * into Jamf; bearer tokens are 256-bit random and need no such limit): each failed Basic authentication takes a token
 * from its source address's bucket ({@value #BURST} at once, one more every {@value #SECONDS_PER_FAILURE} s). While a
 * source's bucket is empty, its Basic requests are answered 429 with Retry-After before any credential is checked, so
 * a blocked guesser learns nothing, not even from a right guess. The table is bounded like the public port's limits.
 *
 * <p>The source is the connection's address: behind a reverse proxy every caller is the proxy, and a guesser there
 * delays Jamf too; restrict the webhook path at the proxy to Jamf's addresses.
 */
final class AuthFailureLimiter {
    static final int BURST = 10;
    static final int SECONDS_PER_FAILURE = 6;
    static final int MAX_SOURCES = 10_000;
    private static final double RATE = 1.0 / SECONDS_PER_FAILURE;
    private static final long IDLE_NANOS = (long) BURST * SECONDS_PER_FAILURE * 1_000_000_000L;
    private static final String SHARED = "(overflow)";

    private final LongSupplier nanoTime;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    AuthFailureLimiter(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime is null");
    }

    /** 0 if {@code source} may try, else the seconds until it may. */
    long retryAfter(String source) {
        TokenBucket b = buckets.get(source);
        if (b == null && buckets.size() >= MAX_SOURCES) {
            b = buckets.get(SHARED);
        }
        return b == null ? 0 : b.wait(nanoTime.getAsLong(), RATE, BURST);
    }

    /** Counts one failed attempt from {@code source}. */
    void failed(String source) {
        long now = nanoTime.getAsLong();
        if (buckets.size() >= MAX_SOURCES) {
            buckets.values().removeIf(b -> b.idleSince(now, IDLE_NANOS));
        }
        String key = buckets.containsKey(source) || buckets.size() < MAX_SOURCES ? source : SHARED;
        buckets.computeIfAbsent(key, k -> new TokenBucket()).take(now, RATE, BURST);
    }
}
