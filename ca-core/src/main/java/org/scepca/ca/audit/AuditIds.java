package org.scepca.ca.audit;

import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Ids of the searchable trail: 12 hex digits of Unix time in milliseconds, 8 of a counter of this generator and 8 of
 * a random number drawn once per generator (per process). Sorting the ids sorts by time (to the millisecond) across
 * every process writing to one database, with no sequence to share, and keeps one process's lines of the same
 * millisecond in the order they were logged; the random part keeps two processes' ids apart.
 */
public final class AuditIds {
    public static final int LENGTH = 28;

    private final String node;
    private final AtomicInteger counter;

    public AuditIds(RandomGenerator random) {
        this.node = HexFormat.of().toHexDigits(random.nextInt());
        this.counter = new AtomicInteger(random.nextInt());
    }

    public String next(Instant at) {
        return prefix(at) + HexFormat.of().toHexDigits(counter.getAndIncrement()) + node;
    }

    /** The smallest id of {@code at}'s millisecond: ids {@code >=} it are at or after {@code at}. */
    public static String prefix(Instant at) {
        long ms = Math.max(0, Math.min(at.toEpochMilli(), 0xFFFF_FFFF_FFFFL));
        return String.format("%012x", ms);
    }

    /** Whether {@code s} has the shape of an id (a cursor from a client is checked with this). */
    public static boolean isId(String s) {
        return s != null && s.length() == LENGTH && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
