package org.scepca.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the executions of one fuzz target and what each ended in (an HTTP status, a CertRep failInfo, "malformed"),
 * and writes them to {@code target/fuzz-stats/<target>.txt} when the JVM exits. scripts/fuzz-soak.sh prints these
 * files: they are the evidence of how many inputs each target saw and that none of them was a 500.
 */
public final class FuzzStats {
    private static final Map<String, FuzzStats> ALL = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(FuzzStats::writeAll, "fuzz-stats"));
    }

    private final String target;
    private final LongAdder executions = new LongAdder();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong firstNanos = new AtomicLong();
    private volatile long lastNanos;

    private FuzzStats(String target) {
        this.target = target;
    }

    /** The counters of {@code target} ("Class.method"). */
    public static FuzzStats of(String target) {
        return ALL.computeIfAbsent(target, FuzzStats::new);
    }

    /** Records one execution that ended in {@code outcome}. */
    public void record(String outcome) {
        long now = System.nanoTime();
        firstNanos.compareAndSet(0, now);
        lastNanos = now;
        executions.increment();
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    private String summary() {
        double seconds = Math.max(0, lastNanos - firstNanos.get()) / 1e9;
        long n = executions.sum();
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        return String.format(java.util.Locale.ROOT, "target=%s executions=%d seconds=%.0f execs_per_second=%.0f outcomes=%s%n",
                target, n, seconds, seconds > 0 ? n / seconds : 0, sorted);
    }

    private static void writeAll() {
        Path out = Path.of("target", "fuzz-stats");
        try {
            Files.createDirectories(out);
            for (FuzzStats s : ALL.values()) {
                Files.writeString(out.resolve(s.target + ".txt"), s.summary(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            System.err.println("fuzz stats not written: " + e);
        }
    }
}
