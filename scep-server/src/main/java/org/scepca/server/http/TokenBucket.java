package org.scepca.server.http;

/**
 * A token bucket refilled continuously: {@code burst} tokens at first, {@code rate} more per second up to
 * {@code burst}. Time is whatever {@code now} the caller passes (nanoseconds of one monotonic clock), so tests step it.
 */
public final class TokenBucket {
    private static final long NANOS = 1_000_000_000L;

    private double tokens = Double.NaN;
    private long last;

    /** Takes a token: 0 if there was one, else the whole seconds until there will be. */
    public synchronized long take(long now, double rate, int burst) {
        refill(now, rate, burst);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }

    /** 0 if a token is there (without taking it), else the whole seconds until there will be. */
    public synchronized long wait(long now, double rate, int burst) {
        refill(now, rate, burst);
        return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }

    private void refill(long now, double rate, int burst) {
        if (Double.isNaN(tokens)) {
            tokens = burst;
        } else {
            tokens = Math.min(burst, tokens + (now - last) * rate / NANOS);
        }
        last = now;
    }

    /** Untouched for longer than {@code idle} nanoseconds (and so full again). */
    public synchronized boolean idleSince(long now, long idle) {
        return now - last > idle;
    }
}
