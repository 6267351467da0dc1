package org.scepca.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Linux /proc readings: a process's CPU time and resident memory, the machine's CPU time and load. */
final class ProcStats {
    private static final long CLOCK_TICKS = clockTicks();

    private ProcStats() {
    }

    /** utime + stime of a process, in milliseconds (resolution: one clock tick, usually 10 ms). */
    static long cpuMillis(long pid) {
        try {
            return cpuMillis(pid, false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat: " + e);
        }
    }

    /**
     * CPU milliseconds of a process tree (a database server: the postmaster and its backends): every live process's
     * utime + stime, plus cutime + cstime, the CPU of the children it has already reaped. A backend that exits between
     * two readings thus still counts, in its parent's cutime. -1 if the root process is gone.
     */
    static long treeCpuMillis(long pid) {
        java.util.Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (ProcessHandle p : java.util.stream.Stream.concat(java.util.stream.Stream.of(root.get()),
                root.get().descendants()).toList()) {
            try {
                total += cpuMillis(p.pid(), true);
            } catch (IOException | RuntimeException e) {
                // exited meanwhile: its parent's cutime has it at the next reading
            }
        }
        return total;
    }

    private static long cpuMillis(long pid, boolean withReapedChildren) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // Field 2 (comm) may contain spaces; everything after its closing parenthesis is space-separated,
        // starting with field 3 (state). utime is field 14, stime 15, cutime 16, cstime 17.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
        if (withReapedChildren) {
            ticks += Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3]);
        }
        return ticks * 1000 / CLOCK_TICKS;
    }

    /**
     * CPU milliseconds per thread group of a JVM: request threads, JIT compiler, GC, the store's threads, other. From
     * /proc/PID/task/TID/stat, whose comm is the (truncated) Java thread name.
     */
    static java.util.Map<String, Long> threadGroupMillis(long pid) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ms = (Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3])) * 1000 / CLOCK_TICKS;
                    out.merge(group(comm), ms, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static String group(String comm) {
        if (comm.startsWith("scepca-http") || comm.startsWith("qtp")) {
            return "requests";
        }
        if (comm.contains("Compiler")) {
            return "jit";
        }
        if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.equals("VM Thread") || comm.startsWith("ParGC")) {
            return "gc+vm";
        }
        // The store's own threads: H2's (embedded), the connection pool's, PostgreSQL's JDBC driver's.
        if (comm.startsWith("H2") || comm.startsWith("MVStore") || comm.startsWith("scepca-db")
                || comm.startsWith("PostgreSQL")) {
            return "db";
        }
        return "other";
    }

    /** VmRSS in KiB, or -1 if the process is gone. */
    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy and total CPU time of the whole machine in milliseconds (all cores), from the first line of /proc/stat. */
    static long[] machineMillis() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) { // idle, iowait
                    idle += v;
                }
            }
            return new long[] {(total - idle) * 1000 / CLOCK_TICKS, total * 1000 / CLOCK_TICKS};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(s);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
