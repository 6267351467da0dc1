package org.scepca.fuzz;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * What this JVM was doing while a request went unanswered, for the message of a hang finding: whether the machine gave
 * it the CPU (its threads' time on a CPU and in the run queue, runnable but not scheduled, from
 * {@code /proc/self/task/<tid>/schedstat}), how long the garbage collector ran, how full the heap is, and where the
 * server's threads were. A hang oracle measures wall time: a JVM that the scheduler starves (a fuzz run at low
 * priority beside a build) or that collects garbage for seconds misses any deadline, and the finding must say so. A
 * daemon thread samples the counters once a second; {@link #describe} compares now with the sample from the start of
 * the wait.
 */
final class StallReport {
    private record Sample(long nanos, long cpuNanos, long queueNanos, long gcMillis) {
    }

    private static final Deque<Sample> SAMPLES = new ArrayDeque<>();
    private static final int KEPT = 120;
    private static volatile boolean started;

    private StallReport() {
    }

    /** Starts the sampler (once per JVM). Cheap: one small file read per thread a second. */
    static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        Thread t = new Thread(() -> {
            while (true) {
                Sample s = sample();
                synchronized (SAMPLES) {
                    SAMPLES.addLast(s);
                    if (SAMPLES.size() > KEPT) {
                        SAMPLES.removeFirst();
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fuzz-stall-sampler");
        t.setDaemon(true);
        t.start();
    }

    /**
     * One line on the last {@code waitedMillis} (CPU, run queue, GC, heap), then the stacks of the server's threads
     * that were not idle.
     */
    static String describe(long waitedMillis) {
        Sample now = sample();
        Sample then = null;
        synchronized (SAMPLES) {
            for (Sample s : SAMPLES) {
                if (now.nanos - s.nanos >= waitedMillis * 1_000_000L) {
                    then = s;
                }
            }
        }
        StringBuilder b = new StringBuilder();
        if (then == null) {
            b.append("[no sample from before the wait]");
        } else {
            double wall = (now.nanos - then.nanos) / 1e9;
            b.append(String.format(Locale.ROOT, "[in the last %.1f s this JVM's threads ran %.1f s on a CPU and waited"
                    + " %.1f s runnable in the run queue%s; GC %.1f s]", wall, (now.cpuNanos - then.cpuNanos) / 1e9,
                    (now.queueNanos - then.queueNanos) / 1e9,
                    now.queueNanos - then.queueNanos > (now.nanos - then.nanos) / 2 ? " (starved by the machine)" : "",
                    (now.gcMillis - then.gcMillis) / 1e3));
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        b.append(String.format(Locale.ROOT, " [heap %d of %d MB]", heap.getUsed() >> 20, heap.getMax() >> 20));
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true, 12)) {
            String name = t.getThreadName();
            boolean server = name.startsWith("qtp") || name.startsWith("scepca") || name.startsWith("H2")
                    || name.startsWith("MVStore") || name.startsWith("HikariPool");
            if (server && (t.getThreadState() != Thread.State.TIMED_WAITING || t.getLockOwnerName() != null)) {
                b.append('\n').append(t.toString().stripTrailing());
            }
        }
        return b.toString();
    }

    private static Sample sample() {
        long cpu = 0;
        long queue = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    // "time on CPU (ns)  time waiting in the run queue (ns)  timeslices"
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    cpu += Long.parseLong(f[0]);
                    queue += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux: no scheduler figures
        }
        long gc = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, g.getCollectionTime());
        }
        return new Sample(System.nanoTime(), cpu, queue, gc);
    }
}
