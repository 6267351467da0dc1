package org.scepca.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.cli.Providers;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drives the real server process like a fleet of devices re-enrolling at once, and measures it. See
 * docs/performance.md for what each figure means.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Start the server as a separate process on a fresh data folder and drive N concurrent devices"
                + " (GetCACaps + GetCACert + PKIOperation POST) for a fixed time.")
final class LoadTest implements Callable<Integer> {
    private static final String PASSPHRASE = "bench-passphrase-not-secret";

    @Option(names = "--clients", defaultValue = "32", description = "Concurrent devices. Default: ${DEFAULT-VALUE}")
    int clients;
    @Option(names = "--seconds", defaultValue = "20", description = "Measured window. Default: ${DEFAULT-VALUE}")
    int seconds;
    @Option(names = "--warmup", defaultValue = "180",
            description = "Load before the window, seconds: on 2 busy cores C2 keeps compiling for 1.5 to 3 minutes,"
                    + " and 90 s was sometimes too short (0.5-0.75 ms of JIT per enrollment in the window)."
                    + " Warm-up messages are built by the clients as they go. Default: ${DEFAULT-VALUE}")
    int warmup;
    @Option(names = "--max-rate", defaultValue = "700",
            description = "Enrollments/s to pre-build window messages for (each message is used once). Default: ${DEFAULT-VALUE}")
    int maxRate;
    @Option(names = "--keys", defaultValue = "64", description = "Distinct device keys (RSA-2048). Default: ${DEFAULT-VALUE}")
    int keyCount;
    @Option(names = "--challenge", defaultValue = "one-time",
            description = "one-time (minted per device, consumed in the issuing transaction) or static. Default: ${DEFAULT-VALUE}")
    String challenge;
    @Option(names = "--reuse-connections", description = "Keep one connection per client across enrollments")
    boolean reuseConnections;
    @Option(names = "--verify", defaultValue = "all",
            description = "all: decrypt every reply and check its certificate; or a number of replies to decrypt"
                    + " (every reply's signature, status, transaction and nonce are checked regardless). Default: ${DEFAULT-VALUE}")
    String verify;
    @Option(names = "--crypto", defaultValue = "auto",
            description = "The server's provider choice: auto (fastest available) or jdk. The floor uses the provider the server reports.")
    String crypto;
    @Option(names = "--jar", defaultValue = "scep-server/target/scepca.jar") Path jar;
    @Option(names = "--jvm-options", defaultValue = "scep-server/jvm.options",
            description = "java @argfile with the server's JVM flags (the launcher's defaults). Default: ${DEFAULT-VALUE}")
    Path jvmOptions;
    @Option(names = "--server-java-opts", defaultValue = "", description = "Extra JVM flags for the server (e.g. JFR)")
    String serverJavaOpts;
    @Option(names = "--results", defaultValue = "bench-results") Path results;
    @Option(names = "--keep-data", description = "Keep the data folder afterwards") boolean keepData;
    @Option(names = "--preload", defaultValue = "0",
            description = "Bulk-insert this many synthetic issued certificates (and requests) before the server starts")
    int preload;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        // The load generator itself always uses the fastest provider: its CPU is taken from the server.
        Providers.register();
        Files.createDirectories(results);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path work = Files.createTempDirectory("scepca-bench-");
        CaDirectory dir = new CaDirectory(work.resolve("data"));
        Report report = new Report();
        report.line("scepca load test " + Instant.now() + " on " + ProcStats.cores() + " cores (" + ProcStats.cpuModel()
                + "), load average before: " + ProcStats.loadAverage());
        report.line("clients=" + clients + " warmup=" + warmup + "s window=" + seconds + "s challenge=" + challenge
                + " connections=" + (reuseConnections ? "kept per client" : "new per enrollment")
                + (preload > 0 ? " preloaded=" + preload : ""));

        // 1. A CA that already exists, as for any restart of a production server.
        Passphrase passphrase = Passphrase.of(PASSPHRASE);
        long t = System.nanoTime();
        CaBootstrap.create(dir, InitOptions.defaults(), passphrase);
        String staticChallenge = HexFormat.of().formatHex(randomBytes(16));
        if (challenge.equals("static")) {
            Files.writeString(dir.configFile(), "scep.static-challenge=" + staticChallenge + "\n", StandardOpenOption.APPEND);
        } else if (!challenge.equals("one-time")) {
            throw new IllegalArgumentException("--challenge must be one-time or static");
        }
        int budget = 1 + seconds * maxRate;
        // Warm-up can run at most as fast as the clients build messages (two RSA signatures each) plus the server.
        int warmupBudget = Math.max(1, warmup * 400);
        List<String> challenges = new ArrayList<>(budget + warmupBudget);
        X509Certificate ra;
        try (CertificateAuthority ca = CertificateAuthority.open(dir, passphrase, CaConfig.load(dir.configFile()),
                Clock.systemUTC(), new SecureRandom())) {
            ra = ca.material().raCertificate();
            // What the server's first start adds (the delegated OCSP responder, DIR/ca/ocsp.p12), so that the start
            // measured below is a restart, as the target says: a CA that already exists.
            org.scepca.server.ocsp.DelegatedResponder.open(dir.ocspKey(), ca.issuance().issuer(), passphrase,
                    org.scepca.server.ocsp.OcspSettings.defaults().signerValidity(), Clock.systemUTC(), new SecureRandom());
            for (int i = 0; i < budget + warmupBudget; i++) {
                challenges.add(challenge.equals("static") ? staticChallenge : HexFormat.of().formatHex(randomBytes(16)));
            }
            if (challenge.equals("one-time")) {
                SyntheticRows.insertChallenges(ca.database(), challenges);
            }
            if (preload > 0) {
                long p0 = System.nanoTime();
                new SyntheticRows(ca.database(), ca.material().intermediateCertificate()).load(preload, 0);
                report.line(String.format("preloaded %,d certificates and requests in %.1f s", preload,
                        (System.nanoTime() - p0) / 1e9));
            }
        }
        out.printf("CA created and %,d challenges stored in %.1f s%n", challenge.equals("one-time") ? challenges.size() : 0,
                (System.nanoTime() - t) / 1e9);

        // 2. Devices and their messages, all before any timing starts.
        t = System.nanoTime();
        DeviceMessages messages = new DeviceMessages(ra, new SecureRandom());
        DeviceMessages.Device[] devices = IntStream.range(0, keyCount).parallel()
                .mapToObj(i -> DeviceMessages.device(KeyPairs.rsa(2048, new SecureRandom()), "bench-key-" + i))
                .toArray(DeviceMessages.Device[]::new);
        String run = stamp.replace("-", "");
        DeviceMessages.Prepared[] prepared = IntStream.range(0, budget).parallel()
                .mapToObj(i -> messages.pkcsReq(i, devices[i % devices.length], "dev-" + run + "-" + i, challenges.get(i)))
                .toArray(DeviceMessages.Prepared[]::new);
        out.printf("%,d PKCSReq messages from %d device keys built in %.1f s%n", budget, keyCount,
                (System.nanoTime() - t) / 1e9);

        // 3. The server, as a separate process; start-up is timed to the first SUCCESS.
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(javaBinary()));
        if (Files.isRegularFile(jvmOptions)) {
            cmd.add("@" + jvmOptions.toAbsolutePath());
        }
        if (!serverJavaOpts.isBlank()) {
            cmd.addAll(Arrays.asList(serverJavaOpts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-Dscepca.crypto=" + crypto, "-jar", jar.toAbsolutePath().toString(), "serve", "--data",
                dir.root().toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
        Path serverLog = results.resolve("server-" + stamp + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serverLog.toFile());
        pb.environment().put("SCEPCA_PASSPHRASE", PASSPHRASE);
        report.line("server: " + String.join(" ", cmd.subList(0, cmd.indexOf("-jar"))) + " -jar scepca.jar serve");
        Client client = new Client(port, prepared, (i, random) -> messages.pkcsReq(-1,
                devices[random.nextInt(devices.length)], "warm-" + run + "-" + i, challenges.get(budget + i)), warmupBudget);
        long startNanos = System.nanoTime();
        Process server = pb.start();
        long pid = server.pid();
        try {
            double startupMs = client.firstEnrollment(startNanos, server);
            String cryptoLine = Files.readAllLines(serverLog).stream().filter(l -> l.contains("crypto: RSA by"))
                    .findFirst().map(l -> l.substring(l.indexOf("crypto: "))).orElse("crypto: (not logged)");
            report.line("server " + cryptoLine);
            Thread.sleep(2000);
            long idleRss = ProcStats.rssKib(pid);

            // 4. The floor, measured now while the server idles, with the provider the server chose.
            String serverProvider = cryptoLine.startsWith("crypto: RSA by ")
                    ? cryptoLine.substring("crypto: RSA by ".length()).split(" ")[0] : "SunRsaSign";
            CryptoFloor.Floor floor = CryptoFloor.measure(dir, passphrase, serverProvider);

            // 5. Warm-up then the measured window, under continuous load.
            Window w = client.run(clients, warmup, seconds, pid, reuseConnections);
            Thread.sleep(3000);
            long afterRss = ProcStats.rssKib(pid);

            // 6. Stop gracefully (SIGTERM, as an orchestrator would) and check nothing was lost from the audit log.
            server.destroy();
            boolean exited = server.waitFor(30, TimeUnit.SECONDS);
            long auditIssued = countAudit(dir.root().resolve("logs/audit.log"));

            // 7. Every reply checked as a device would.
            Verification v = client.verify(messages, verify);

            report.line("");
            report.line(String.format("enrollments/s        %8.1f   (%,d SUCCESS in %.1f s; %d failed, %d transport errors)",
                    w.completed / w.seconds, w.completed, w.seconds, w.failed, w.errors));
            report.line(String.format("latency, enrollment  p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms  (GetCACaps + GetCACert + PKIOperation)",
                    w.enrollP50, w.enrollP99, w.enrollMax));
            report.line(String.format("latency, PKIOperation p50 %5.1f ms   p99 %6.1f ms", w.pkiP50, w.pkiP99));
            double cpuPer = w.serverCpuMs / (double) w.completed;
            report.line(String.format("server CPU           %8.3f ms per enrollment  (%,d ms over the window = %.2f cores)",
                    cpuPer, w.serverCpuMs, w.serverCpuMs / 1000.0 / w.seconds));
            StringBuilder split = new StringBuilder();
            w.cpuByThreads.forEach((k, ms) -> split.append(split.length() == 0 ? "" : ", ").append(k).append(' ')
                    .append(String.format("%.3f", ms / (double) w.completed)));
            report.line("  by threads (ms)    " + split);
            report.line("crypto floor         " + floor);
            report.line(String.format("CPU / floor          %8.2f", cpuPer / floor.totalMs()));
            report.line(String.format("load generator CPU   %8.3f ms per enrollment; other processes on the machine: %.2f cores;"
                    + " load average after: %s", w.selfCpuMs / (double) w.completed, w.otherCpuMs / 1000.0 / w.seconds,
                    ProcStats.loadAverage()));
            report.line(String.format("server RSS           idle %d MiB, peak under load %d MiB, idle after load %d MiB",
                    idleRss / 1024, w.peakRssKib / 1024, afterRss / 1024));
            report.line(String.format("start-up             %8.0f ms  (process start to first SUCCESS, CA existing)", startupMs));
            report.line(String.format("shutdown             %s; audit log: %,d issued lines for %,d SUCCESS replies",
                    exited ? "exit " + server.exitValue() + (server.exitValue() == 143 ? " (after SIGTERM)" : "") : "did not exit in 30 s", auditIssued, v.successes));
            report.line(String.format("verified             %,d replies: %,d SUCCESS with RA signature, transaction and nonce;"
                    + " %,d decrypted and matched to the device key and subject; %d problems%s", v.checked,
                    v.successes, v.decrypted, v.problems.size(), v.problems.isEmpty() ? "" : ": " + v.problems.get(0)));
            if (w.exhausted) {
                report.line("WARNING: the pre-built messages ran out; raise --max-rate");
            }
            Path file = results.resolve("load-" + stamp + ".txt");
            Files.writeString(file, report.text());
            Path tsv = results.resolve("summary.tsv");
            if (!Files.exists(tsv)) {
                Files.writeString(tsv, "time\tclients\tenroll_per_s\tp50_ms\tp99_ms\tcpu_ms\tfloor_ms\tratio\tidle_rss_mib"
                        + "\tpeak_rss_mib\tstartup_ms\tother_cores\tprovider\tpreload\n");
            }
            Files.writeString(tsv, String.format("%s\t%d\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.2f\t%d\t%d\t%.0f\t%.2f\t%s\t%d%n",
                    stamp, clients, w.completed / w.seconds, w.enrollP50, w.enrollP99, cpuPer, floor.totalMs(),
                    cpuPer / floor.totalMs(), idleRss / 1024, w.peakRssKib / 1024, startupMs,
                    w.otherCpuMs / 1000.0 / w.seconds, floor.provider(), preload), StandardOpenOption.APPEND);
            out.println("results: " + file + " (server log " + serverLog + ")");
            boolean ok = w.failed == 0 && w.errors == 0 && v.problems.isEmpty() && auditIssued >= v.successes;
            return ok ? 0 : 1;
        } finally {
            if (server.isAlive()) {
                server.destroyForcibly();
            }
            if (!keepData) {
                deleteTree(work);
            } else {
                out.println("data kept in " + dir.root());
            }
        }
    }

    private static long countAudit(Path audit) {
        try (var lines = Files.lines(audit, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("op=PKCSReq") && l.contains("outcome=issued")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The load: per-message timings and replies, indexed by message. */
    private static final class Client {
        private final int port;
        private final DeviceMessages.Prepared[] prepared;
        private final long[] begin;
        private final long[] pkiBegin;
        private final long[] end;
        private final byte[][] replies;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger nextWarm = new AtomicInteger();
        private final WarmupMessages warmupMessages;
        private final int warmupBudget;
        private final AtomicLong warmupFailures = new AtomicLong();
        private final AtomicLong warmupDone = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

        Client(int port, DeviceMessages.Prepared[] prepared, WarmupMessages warmupMessages, int warmupBudget) {
            this.port = port;
            this.prepared = prepared;
            this.warmupMessages = warmupMessages;
            this.warmupBudget = warmupBudget;
            this.begin = new long[prepared.length];
            this.pkiBegin = new long[prepared.length];
            this.end = new long[prepared.length];
            this.replies = new byte[prepared.length][];
        }

        /** Retries message 0 until the server answers SUCCESS; milliseconds since the process was started. */
        double firstEnrollment(long startNanos, Process server) throws Exception {
            next.set(1);
            long deadline = startNanos + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited during start-up (exit " + server.exitValue() + ")");
                }
                try (MiniHttp http = new MiniHttp("127.0.0.1", port, 30_000)) {
                    if (enroll(http, 0) && "0".equals(DeviceMessages.pkiStatus(replies[0]))) {
                        return (end[0] - startNanos) / 1e6;
                    }
                    throw new IllegalStateException("first enrollment did not succeed");
                } catch (ConnectException e) {
                    Thread.sleep(5);
                }
            }
            throw new IllegalStateException("no SUCCESS within 60 s of start");
        }

        private boolean enroll(MiniHttp http, int i) throws IOException {
            begin[i] = System.nanoTime();
            MiniHttp.Response rep = device(http, prepared[i].message(), i);
            end[i] = System.nanoTime();
            replies[i] = rep.body();
            return true;
        }

        /** What a device does: capabilities, CA certificates, then the request. */
        private MiniHttp.Response device(MiniHttp http, byte[] message, int i) throws IOException {
            MiniHttp.Response caps = http.get("/scep?operation=GetCACaps");
            MiniHttp.Response ca = http.get("/scep?operation=GetCACert");
            if (caps.status() != 200 || ca.status() != 200) {
                throw new IOException("GetCACaps/GetCACert status " + caps.status() + "/" + ca.status());
            }
            if (i >= 0) {
                pkiBegin[i] = System.nanoTime();
            }
            MiniHttp.Response rep = http.post("/scep?operation=PKIOperation", "application/x-pki-message", message);
            if (rep.status() != 200) {
                throw new IOException("PKIOperation status " + rep.status());
            }
            return rep;
        }

        /** Warm-up: messages built on the fly (this CPU is not measured), replies only checked for SUCCESS. */
        private void warmupEnrollment(java.util.Random random) throws IOException {
            int k = nextWarm.getAndIncrement();
            if (k >= warmupBudget) {
                try {
                    Thread.sleep(10); // out of warm-up challenges: idle until the window opens
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            byte[] message = warmupMessages.build(k, random).message();
            try (MiniHttp http = new MiniHttp("127.0.0.1", port, 60_000)) {
                if (!"0".equals(DeviceMessages.pkiStatus(device(http, message, -1).body()))) {
                    warmupFailures.incrementAndGet();
                }
                warmupDone.incrementAndGet();
            }
        }

        Window run(int clients, int warmupSeconds, int windowSeconds, long pid, boolean reuse) throws Exception {
            long w0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long w1 = w0 + TimeUnit.SECONDS.toNanos(windowSeconds);
            List<Thread> threads = new ArrayList<>();
            AtomicInteger exhausted = new AtomicInteger();
            for (int c = 0; c < clients; c++) {
                Thread th = new Thread(() -> {
                    MiniHttp kept = null;
                    java.util.Random random = new java.util.Random();
                    try {
                        while (System.nanoTime() < w0) {
                            try {
                                warmupEnrollment(random);
                            } catch (IOException e) {
                                errors.incrementAndGet();
                            }
                        }
                        while (System.nanoTime() < w1) {
                            int i = next.getAndIncrement();
                            if (i >= prepared.length) {
                                exhausted.incrementAndGet();
                                return;
                            }
                            try {
                                if (reuse) {
                                    if (kept == null) {
                                        kept = new MiniHttp("127.0.0.1", port, 60_000);
                                    }
                                    enroll(kept, i);
                                } else {
                                    try (MiniHttp http = new MiniHttp("127.0.0.1", port, 60_000)) {
                                        enroll(http, i);
                                    }
                                }
                            } catch (IOException e) {
                                errors.incrementAndGet();
                                if (errorSamples.size() < 5) {
                                    errorSamples.add(e.toString());
                                }
                                if (kept != null) {
                                    try {
                                        kept.close();
                                    } catch (IOException ignored) {
                                        // already broken
                                    }
                                    kept = null;
                                }
                            }
                        }
                    } finally {
                        if (kept != null) {
                            try {
                                kept.close();
                            } catch (IOException ignored) {
                                // closing at the end
                            }
                        }
                    }
                }, "device-" + c);
                th.start();
                threads.add(th);
            }
            sleepUntil(w0);
            long cpu0 = ProcStats.cpuMillis(pid);
            java.util.Map<String, Long> groups0 = ProcStats.threadGroupMillis(pid);
            long self0 = ProcStats.cpuMillis(ProcessHandle.current().pid());
            long[] machine0 = ProcStats.machineMillis();
            long errors0 = errors.get();
            long peakRss = 0;
            while (System.nanoTime() < w1) {
                peakRss = Math.max(peakRss, ProcStats.rssKib(pid));
                Thread.sleep(Math.max(1, Math.min(250, (w1 - System.nanoTime()) / 1_000_000)));
            }
            sleepUntil(w1);
            long cpu1 = ProcStats.cpuMillis(pid);
            java.util.Map<String, Long> groups1 = ProcStats.threadGroupMillis(pid);
            long self1 = ProcStats.cpuMillis(ProcessHandle.current().pid());
            long[] machine1 = ProcStats.machineMillis();
            long errorsInWindow = errors.get() - errors0;
            for (Thread th : threads) {
                th.join();
            }
            Window w = new Window();
            w.seconds = (w1 - w0) / 1e9;
            List<Long> enroll = new ArrayList<>();
            List<Long> pki = new ArrayList<>();
            for (int i = 1; i < prepared.length; i++) {
                if (replies[i] != null && end[i] >= w0 && end[i] <= w1) {
                    enroll.add(end[i] - begin[i]);
                    pki.add(end[i] - pkiBegin[i]);
                }
            }
            // Statuses are checked here for the rate; signatures and certificates in verify().
            long ok = 0;
            for (int i = 1; i < prepared.length; i++) {
                if (replies[i] != null && end[i] >= w0 && end[i] <= w1) {
                    if ("0".equals(DeviceMessages.pkiStatus(replies[i]))) {
                        ok++;
                    } else {
                        w.failed++;
                    }
                }
            }
            w.completed = ok;
            w.errors = errorsInWindow;
            w.serverCpuMs = cpu1 - cpu0;
            groups1.forEach((k, v) -> w.cpuByThreads.put(k, v - groups0.getOrDefault(k, 0L)));
            w.selfCpuMs = self1 - self0;
            w.otherCpuMs = Math.max(0, (machine1[0] - machine0[0]) - (cpu1 - cpu0) - (self1 - self0));
            w.peakRssKib = peakRss;
            w.exhausted = exhausted.get() > 0;
            long[] e = enroll.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] p = pki.stream().mapToLong(Long::longValue).sorted().toArray();
            w.enrollP50 = pct(e, 50);
            w.enrollP99 = pct(e, 99);
            w.enrollMax = e.length == 0 ? 0 : e[e.length - 1] / 1e6;
            w.pkiP50 = pct(p, 50);
            w.pkiP99 = pct(p, 99);
            errorSamples.forEach(s -> System.out.println("transport error: " + s));
            System.out.printf("warm-up: %,d enrollments, %d not SUCCESS%n", warmupDone.get(), warmupFailures.get());
            return w;
        }

        Verification verify(DeviceMessages messages, String mode) {
            Verification v = new Verification();
            int[] used = IntStream.range(0, prepared.length).filter(i -> replies[i] != null).toArray();
            int decryptEvery = mode.equals("all") ? 1 : Math.max(1, used.length / Math.max(1, Integer.parseInt(mode)));
            AtomicLong successes = new AtomicLong();
            AtomicLong decrypted = new AtomicLong();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            IntStream.range(0, used.length).parallel().forEach(k -> {
                int i = used[k];
                boolean decrypt = k % decryptEvery == 0;
                String problem = messages.check(prepared[i], replies[i], decrypt);
                if (problem.isEmpty()) {
                    successes.incrementAndGet();
                    if (decrypt) {
                        decrypted.incrementAndGet();
                    }
                } else {
                    problems.add("message " + i + ": " + problem);
                }
            });
            v.checked = used.length;
            v.successes = successes.get();
            v.decrypted = decrypted.get();
            v.problems = new ArrayList<>(problems);
            return v;
        }
    }

    /** Builds warm-up message number k. */
    @FunctionalInterface
    private interface WarmupMessages {
        DeviceMessages.Prepared build(int k, java.util.Random random);
    }

    private static final class Window {
        double seconds;
        long completed;
        long failed;
        long errors;
        long serverCpuMs;
        long selfCpuMs;
        long otherCpuMs;
        long peakRssKib;
        final java.util.Map<String, Long> cpuByThreads = new java.util.TreeMap<>();
        boolean exhausted;
        double enrollP50;
        double enrollP99;
        double enrollMax;
        double pkiP50;
        double pkiP99;
    }

    private static final class Verification {
        long checked;
        long successes;
        long decrypted;
        List<String> problems = List.of();
    }

    private final class Report {
        private final StringBuilder text = new StringBuilder();

        void line(String s) {
            out.println(s);
            text.append(s).append('\n');
        }

        String text() {
            return text.toString();
        }
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long ms;
        while ((ms = (nanos - System.nanoTime()) / 1_000_000) > 0) {
            Thread.sleep(ms);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
