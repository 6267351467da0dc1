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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.app.Running;
import org.scepca.server.cli.Providers;
import org.scepca.server.ocsp.DelegatedResponder;
import org.scepca.server.ocsp.OcspSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Drives the real server process like a fleet of devices re-enrolling at once, and measures it. See
 * docs/performance.md for what each figure means.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Start the server as a separate process on a fresh data folder (or several replicas on one"
                + " PostgreSQL database) and drive N concurrent devices (GetCACaps + GetCACert + PKIOperation POST) for a"
                + " fixed time.")
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
    @Option(names = "--postgres",
            description = "Run on a PostgreSQL cluster started for this run (Debian's, under the work folder, on loopback,"
                    + " fsync and synchronous_commit on) and stopped at the end, instead of the embedded H2 store")
    boolean postgres;
    @Option(names = "--db-url", paramLabel = "URL",
            description = "Run on an existing, empty PostgreSQL database: jdbc:postgresql://HOST:PORT/DATABASE")
    String dbUrl;
    @Option(names = "--db-user", defaultValue = "scepca", description = "With --db-url. Default: ${DEFAULT-VALUE}")
    String dbUser;
    @Option(names = "--db-password-file", paramLabel = "FILE",
            description = "With --db-url: the password's file (first line); without it, SCEPCA_DB_PASSWORD")
    Path dbPasswordFile;
    @Option(names = "--db-pid", defaultValue = "0", paramLabel = "PID",
            description = "With --db-url on this machine: the postmaster's PID, to report the database's CPU")
    long dbPid;
    @Option(names = "--replicas", defaultValue = "1",
            description = "Server processes on the one PostgreSQL database, each on its own copy of the data folder and"
                    + " its own port; client i talks to replica i %% N directly, with no proxy. Default: ${DEFAULT-VALUE}")
    int replicas;
    @Spec
    CommandSpec spec;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        // The load generator itself always uses the fastest provider: its CPU is taken from the server.
        Providers.register();
        Files.createDirectories(results);
        Path work = Files.createTempDirectory("scepca-bench-");
        List<Replica> servers = new CopyOnWriteArrayList<>();
        AtomicReference<BenchStore> store = new AtomicReference<>();
        // Also on Ctrl-C: no server process and no PostgreSQL cluster may outlive the run.
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                servers.forEach(s -> s.process.destroyForcibly());
                if (store.get() != null) {
                    store.get().close();
                }
            }
        };
        Thread hook = new Thread(stop, "load-test-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            store.set(postgres ? BenchStore.startPostgres(work.resolve("postgres"))
                    : dbUrl != null ? BenchStore.existing(dbUrl, dbUser, dbPasswordFile, dbPid) : BenchStore.h2());
            return run(work, store.get(), servers);
        } finally {
            stop.run();
            Runtime.getRuntime().removeShutdownHook(hook);
            if (!keepData) {
                deleteTree(work);
            } else {
                out.println("data kept in " + work);
            }
        }
    }

    private void checkOptions() {
        if (postgres && dbUrl != null) {
            throw new ParameterException(spec.commandLine(),
                    "--postgres starts a database of its own and --db-url names an existing one: give one of them");
        }
        if (dbUrl == null && (dbPasswordFile != null || dbPid != 0)) {
            throw new ParameterException(spec.commandLine(), "--db-password-file and --db-pid go with --db-url");
        }
        if (replicas < 1) {
            throw new ParameterException(spec.commandLine(), "--replicas must be at least 1");
        }
        if (replicas > 1 && !postgres && dbUrl == null) {
            throw new ParameterException(spec.commandLine(), "replicas share one PostgreSQL database (the embedded H2"
                    + " store belongs to one process): add --postgres, or --db-url with an existing database");
        }
    }

    private int run(Path work, BenchStore store, List<Replica> servers) throws Exception {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        CaDirectory dir = new CaDirectory(work.resolve("data"));
        Report report = new Report();
        report.line("scepca load test " + Instant.now() + " on " + ProcStats.cores() + " cores (" + ProcStats.cpuModel()
                + "), load average before: " + ProcStats.loadAverage());
        report.line("clients=" + clients + " warmup=" + warmup + "s window=" + seconds + "s challenge=" + challenge
                + " connections=" + (reuseConnections ? "kept per client" : "new per enrollment")
                + (preload > 0 ? " preloaded=" + preload : ""));
        report.line("store=" + store.kind() + " (" + store.description() + ") replicas=" + replicas + (replicas == 1 ? ""
                : ": client i talks to replica i % " + replicas + " directly, no proxy in between (this measures the"
                        + " servers, not a load balancer)"));

        // 1. A CA that already exists, as for any restart of a production server.
        Passphrase passphrase = Passphrase.of(PASSPHRASE);
        long t = System.nanoTime();
        CaBootstrap.create(dir, InitOptions.defaults(), passphrase);
        store.configure(dir);
        String staticChallenge = HexFormat.of().formatHex(randomBytes(16));
        if (challenge.equals("static")) {
            Files.writeString(dir.configFile(), "scep.static-challenge=" + staticChallenge + "\n", StandardOpenOption.APPEND);
        } else if (!challenge.equals("one-time")) {
            throw new IllegalArgumentException("--challenge must be one-time or static");
        }
        // Messages 0..replicas-1 time each replica's start (its first SUCCESS); the window's follow.
        int budget = replicas + seconds * maxRate;
        // Warm-up can run at most as fast as the clients build messages (two RSA signatures each) plus the server.
        int warmupBudget = Math.max(1, warmup * 400);
        List<String> challenges = new ArrayList<>(budget + warmupBudget);
        X509Certificate ra;
        long storedBefore;
        try (CertificateAuthority ca = openCa(dir, passphrase)) {
            String settings = store.settings(ca.database());
            if (!settings.isEmpty()) {
                report.line("database: " + settings);
            }
            ra = ca.material().raCertificate();
            // What the server's first start adds (the delegated OCSP responder, kept in the database), so that the
            // start measured below is a restart, as the target says: a CA that already exists.
            DelegatedResponder.open(Running.ocspVault(ca), ca.issuance().issuer(), passphrase,
                    OcspSettings.defaults().signerValidity(), Clock.systemUTC(), new SecureRandom());
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
            storedBefore = countCertificates(ca.database());
        }
        // Each replica has a data folder of its own, as separate hosts would: keys, configuration and secrets.
        List<CaDirectory> folders = new ArrayList<>(List.of(dir));
        for (int r = 1; r < replicas; r++) {
            folders.add(copyDataFolder(dir, work.resolve("replica-" + r)));
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

        // 3. The servers, as separate processes started one after another; each start is timed to its first SUCCESS.
        List<String> jvm = new ArrayList<>(List.of(javaBinary()));
        if (Files.isRegularFile(jvmOptions)) {
            jvm.add("@" + jvmOptions.toAbsolutePath());
        }
        if (!serverJavaOpts.isBlank()) {
            jvm.addAll(Arrays.asList(serverJavaOpts.trim().split("\\s+")));
        }
        jvm.add("-Dscepca.crypto=" + crypto);
        report.line("server: " + String.join(" ", jvm) + " -jar scepca.jar serve" + (replicas == 1 ? ""
                : " (" + replicas + " processes, each on its own data folder and port)"));
        int[] ports = new int[replicas];
        for (int r = 0; r < replicas; r++) {
            ports[r] = freePort();
        }
        Client client = new Client(ports, prepared, (i, random) -> messages.pkcsReq(-1,
                devices[random.nextInt(devices.length)], "warm-" + run + "-" + i, challenges.get(budget + i)), warmupBudget);
        for (int r = 0; r < replicas; r++) {
            Replica s = new Replica(folders.get(r), ports[r],
                    results.resolve("server-" + stamp + (replicas == 1 ? "" : "-" + r) + ".log"));
            // The admin connector stays on, as in production, on a free port of its own: its default (9090) would
            // clash between replicas, and with anything else on this machine.
            Files.writeString(s.dir.configFile(), "admin.port=" + freePort() + "\n", StandardOpenOption.APPEND);
            List<String> cmd = new ArrayList<>(jvm);
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--data", s.dir.root().toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(s.port)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(s.log.toFile());
            pb.environment().put("SCEPCA_PASSPHRASE", PASSPHRASE);
            long startNanos = System.nanoTime();
            s.process = pb.start();
            servers.add(s);
            s.startupMs = client.firstEnrollment(startNanos, s.process, r);
        }
        String cryptoLine = Files.readAllLines(servers.get(0).log).stream().filter(l -> l.contains("crypto: RSA by"))
                .findFirst().map(l -> l.substring(l.indexOf("crypto: "))).orElse("crypto: (not logged)");
        report.line("server " + cryptoLine);
        Thread.sleep(2000);
        long[] idleRss = servers.stream().mapToLong(s -> ProcStats.rssKib(s.process.pid())).toArray();

        // 4. The floor, measured now while the servers idle, with the provider the server chose.
        String serverProvider = cryptoLine.startsWith("crypto: RSA by ")
                ? cryptoLine.substring("crypto: RSA by ".length()).split(" ")[0] : "SunRsaSign";
        CryptoFloor.Floor floor = CryptoFloor.measure(dir, passphrase, serverProvider);

        // 5. Warm-up then the measured window, under continuous load.
        long[] pids = servers.stream().mapToLong(s -> s.process.pid()).toArray();
        Window w = client.run(clients, warmup, seconds, pids, store.serverPid(), reuseConnections);
        Thread.sleep(3000);
        long[] afterRss = servers.stream().mapToLong(s -> ProcStats.rssKib(s.process.pid())).toArray();

        // 6. Stop gracefully (SIGTERM, as an orchestrator would) and check nothing was lost: every issued certificate
        // is in the audit log of the replica that issued it, and in the store.
        servers.forEach(s -> s.process.destroy());
        boolean exited = true;
        for (Replica s : servers) {
            exited &= s.process.waitFor(30, TimeUnit.SECONDS);
        }
        long[] auditIssued = servers.stream().mapToLong(s -> countAudit(s.dir.root().resolve("logs/audit.log"))).toArray();
        long auditTotal = Arrays.stream(auditIssued).anyMatch(n -> n < 0) ? -1 : Arrays.stream(auditIssued).sum();
        long stored = -1;
        if (exited) {
            try (CertificateAuthority ca = openCa(dir, passphrase)) {
                stored = countCertificates(ca.database()) - storedBefore;
            }
        }

        // 7. Every reply checked as a device would.
        Verification v = client.verify(messages, verify);

        report.line("");
        report.line(String.format("enrollments/s        %8.1f   (%,d SUCCESS in %.1f s; %d failed, %d transport errors)",
                w.completed / w.seconds, w.completed, w.seconds, w.failed, w.errors));
        if (replicas > 1) {
            report.line("  by replica         " + eachReplica(w.completedByReplica, n -> String.format("%.1f/s", n / w.seconds)));
        }
        report.line(String.format("latency, enrollment  p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms  (GetCACaps + GetCACert + PKIOperation)",
                w.enrollP50, w.enrollP99, w.enrollMax));
        report.line(String.format("latency, PKIOperation p50 %5.1f ms   p99 %6.1f ms", w.pkiP50, w.pkiP99));
        double cpuPer = w.serverCpuMs / (double) w.completed;
        report.line(String.format("server CPU           %8.3f ms per enrollment  (%,d ms over the window = %.2f cores%s)",
                cpuPer, w.serverCpuMs, w.serverCpuMs / 1000.0 / w.seconds, replicas == 1 ? "" : ", all replicas"));
        if (replicas > 1) {
            report.line("  by replica (ms)    " + eachReplica(w.cpuByReplica, ms -> String.format("%.3f (%.2f cores)",
                    ms / (double) w.completed, ms / 1000.0 / w.seconds)));
        }
        StringBuilder split = new StringBuilder();
        w.cpuByThreads.forEach((k, ms) -> split.append(split.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format("%.3f", ms / (double) w.completed)));
        report.line("  by threads (ms)    " + split);
        double dbPer = w.dbCpuMs / (double) w.completed;
        if (w.dbCpuMs >= 0) {
            report.line(String.format("database CPU         %8.3f ms per enrollment  (%,d ms over the window = %.2f cores;"
                    + " the postmaster and its backends)", dbPer, w.dbCpuMs, w.dbCpuMs / 1000.0 / w.seconds));
        } else if (!store.kind().equals("h2")) {
            report.line("database CPU         not measured: " + store.whyNoCpu());
        }
        report.line("crypto floor         " + floor);
        report.line(String.format("CPU / floor          %8.2f%s", cpuPer / floor.totalMs(), w.dbCpuMs < 0 ? ""
                : String.format("   (servers and database together: %.2f)", (cpuPer + dbPer) / floor.totalMs())));
        report.line(String.format("load generator CPU   %8.3f ms per enrollment; other processes on the machine: %.2f cores;"
                + " load average after: %s", w.selfCpuMs / (double) w.completed, w.otherCpuMs / 1000.0 / w.seconds,
                ProcStats.loadAverage()));
        report.line(String.format("server RSS           idle %s, peak under load %s, idle after load %s%s", mib(idleRss),
                mib(w.peakRssKib), mib(afterRss), replicas == 1 ? "" : "  (sums, then each replica)"));
        double startupMs = servers.stream().mapToDouble(s -> s.startupMs).max().orElse(0);
        report.line(String.format("start-up             %8.0f ms  (process start to first SUCCESS, CA existing%s)", startupMs,
                replicas == 1 ? "" : "; the slowest replica, each started after the previous one answered: "
                        + eachReplica(servers.stream().mapToLong(s -> Math.round(s.startupMs)).toArray(), ms -> ms + " ms")));
        report.line(String.format("shutdown             %s; audit log: %,d issued lines%s for %,d SUCCESS replies",
                exits(servers), auditTotal, replicas == 1 ? "" : " (" + eachReplica(auditIssued, n -> String.format("%,d", n))
                        + ")", v.successes));
        report.line(stored < 0 ? "store                not counted: a server did not exit"
                : String.format("store                %,d certificates issued during the run (audit log: %,d)", stored,
                        auditTotal));
        report.line(String.format("verified             %,d replies: %,d SUCCESS with RA signature, transaction and nonce;"
                + " %,d decrypted and matched to the device key and subject; %d problems%s", v.checked,
                v.successes, v.decrypted, v.problems.size(), v.problems.isEmpty() ? "" : ": " + v.problems.get(0)));
        if (w.exhausted) {
            report.line("WARNING: the pre-built messages ran out; raise --max-rate");
        }
        Path file = results.resolve("load-" + stamp + ".txt");
        Files.writeString(file, report.text());
        // With replicas: RSS and CPU are the sums over the replicas, start-up the slowest replica's.
        appendSummary(String.format("%s\t%d\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.2f\t%d\t%d\t%.0f\t%.2f\t%s\t%d\t%s\t%d\t%s%n",
                stamp, clients, w.completed / w.seconds, w.enrollP50, w.enrollP99, cpuPer, floor.totalMs(),
                cpuPer / floor.totalMs(), Arrays.stream(idleRss).sum() / 1024, Arrays.stream(w.peakRssKib).sum() / 1024,
                startupMs, w.otherCpuMs / 1000.0 / w.seconds, floor.provider(), preload, store.kind(), replicas,
                w.dbCpuMs < 0 ? "-" : String.format("%.3f", dbPer)));
        out.println("results: " + file + " (server log" + (replicas == 1 ? " " + servers.get(0).log
                : "s " + results.resolve("server-" + stamp + "-*.log")) + ")");
        boolean ok = w.failed == 0 && w.errors == 0 && v.problems.isEmpty() && auditTotal >= v.successes
                && (stored < 0 || stored == auditTotal);
        return ok ? 0 : 1;
    }

    private static final String SUMMARY_HEADER = "time\tclients\tenroll_per_s\tp50_ms\tp99_ms\tcpu_ms\tfloor_ms\tratio"
            + "\tidle_rss_mib\tpeak_rss_mib\tstartup_ms\tother_cores\tprovider\tpreload\tstore\treplicas\tdb_cpu_ms";

    /** One line in summary.tsv; a file from before the store columns gets the new header (its rows: h2, 1 replica). */
    private void appendSummary(String row) throws IOException {
        Path tsv = results.resolve("summary.tsv");
        if (!Files.exists(tsv)) {
            Files.writeString(tsv, SUMMARY_HEADER + "\n");
        } else {
            List<String> lines = Files.readAllLines(tsv);
            if (!lines.isEmpty() && !lines.get(0).equals(SUMMARY_HEADER) && SUMMARY_HEADER.startsWith(lines.get(0) + "\t")) {
                lines.set(0, SUMMARY_HEADER);
                Files.write(tsv, lines);
            }
        }
        Files.writeString(tsv, row, StandardOpenOption.APPEND);
    }

    private static CertificateAuthority openCa(CaDirectory dir, Passphrase passphrase) {
        return CertificateAuthority.open(dir, passphrase, CaConfig.load(dir.configFile()), Clock.systemUTC(),
                new SecureRandom());
    }

    private static long countCertificates(org.scepca.ca.store.Database db) throws java.sql.SQLException {
        try (java.sql.Connection c = db.connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM certificates")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A replica's data folder: a copy of the CA's, made once its keys, configuration and OCSP responder exist, without
     * the embedded store's db/ (the replicas' store is the shared database) or logs/ (each writes its own audit log).
     */
    private static CaDirectory copyDataFolder(CaDirectory from, Path to) throws IOException {
        Path root = from.root();
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = root.relativize(p);
                String top = rel.getNameCount() == 0 ? "" : rel.getName(0).toString();
                if (top.equals(root.relativize(from.databaseDir()).toString()) || top.equals("logs")) {
                    continue;
                }
                Files.copy(p, to.resolve(rel.toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return new CaDirectory(to);
    }

    /** "r0 A, r1 B, ..." */
    private static String eachReplica(long[] values, java.util.function.LongFunction<String> format) {
        return IntStream.range(0, values.length).mapToObj(r -> "r" + r + " " + format.apply(values[r]))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** "212 MiB" for one server; "424 MiB (212 + 212)" for replicas: the sum, then each. */
    private static String mib(long[] kib) {
        String sum = Arrays.stream(kib).sum() / 1024 + " MiB";
        return kib.length == 1 ? sum : sum + " (" + Arrays.stream(kib).mapToObj(k -> Long.toString(k / 1024))
                .collect(java.util.stream.Collectors.joining(" + ")) + ")";
    }

    /** "exit 143 (after SIGTERM)"; for replicas "exit 143, 143 (after SIGTERM)". */
    private static String exits(List<Replica> servers) {
        List<String> codes = new ArrayList<>();
        boolean allTerm = true;
        for (Replica s : servers) {
            boolean done = !s.process.isAlive();
            codes.add(done ? Integer.toString(s.process.exitValue()) : "did not exit in 30 s");
            allTerm &= done && s.process.exitValue() == 143;
        }
        return (codes.stream().allMatch(c -> c.startsWith("did")) ? "" : "exit ") + String.join(", ", codes)
                + (allTerm ? " (after SIGTERM)" : "");
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
        /** The replicas' ports: client thread c talks to ports[c % N]. */
        private final int[] ports;
        /** Which replica answered each message. */
        private final int[] replicaOf;
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

        Client(int[] ports, DeviceMessages.Prepared[] prepared, WarmupMessages warmupMessages, int warmupBudget) {
            this.ports = ports.clone();
            this.replicaOf = new int[prepared.length];
            this.next.set(ports.length); // messages 0..N-1: each replica's first enrollment
            this.prepared = prepared;
            this.warmupMessages = warmupMessages;
            this.warmupBudget = warmupBudget;
            this.begin = new long[prepared.length];
            this.pkiBegin = new long[prepared.length];
            this.end = new long[prepared.length];
            this.replies = new byte[prepared.length][];
        }

        /**
         * Retries message {@code replica} on that replica until it answers SUCCESS; milliseconds since its process was
         * started.
         */
        double firstEnrollment(long startNanos, Process server, int replica) throws Exception {
            int port = ports[replica];
            long deadline = startNanos + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited during start-up (exit " + server.exitValue() + ")");
                }
                try (MiniHttp http = new MiniHttp("127.0.0.1", port, 30_000)) {
                    if (enroll(http, replica, replica) && "0".equals(DeviceMessages.pkiStatus(replies[replica]))) {
                        return (end[replica] - startNanos) / 1e6;
                    }
                    throw new IllegalStateException("first enrollment did not succeed");
                } catch (ConnectException e) {
                    Thread.sleep(5);
                }
            }
            throw new IllegalStateException("no SUCCESS within 60 s of start");
        }

        private boolean enroll(MiniHttp http, int i, int replica) throws IOException {
            replicaOf[i] = replica;
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
        private void warmupEnrollment(java.util.Random random, int port) throws IOException {
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

        /**
         * @param pids the server processes (one per replica)
         * @param dbPid the database server's postmaster, when its CPU is to be measured
         */
        Window run(int clients, int warmupSeconds, int windowSeconds, long[] pids, java.util.OptionalLong dbPid,
                boolean reuse) throws Exception {
            long w0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long w1 = w0 + TimeUnit.SECONDS.toNanos(windowSeconds);
            List<Thread> threads = new ArrayList<>();
            AtomicInteger exhausted = new AtomicInteger();
            for (int c = 0; c < clients; c++) {
                int replica = c % ports.length;
                int port = ports[replica];
                Thread th = new Thread(() -> {
                    MiniHttp kept = null;
                    java.util.Random random = new java.util.Random();
                    try {
                        while (System.nanoTime() < w0) {
                            try {
                                warmupEnrollment(random, port);
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
                                    enroll(kept, i, replica);
                                } else {
                                    try (MiniHttp http = new MiniHttp("127.0.0.1", port, 60_000)) {
                                        enroll(http, i, replica);
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
            int n = pids.length;
            sleepUntil(w0);
            long[] cpu0 = new long[n];
            java.util.Map<String, Long> groups0 = new java.util.HashMap<>();
            for (int r = 0; r < n; r++) {
                cpu0[r] = ProcStats.cpuMillis(pids[r]);
                ProcStats.threadGroupMillis(pids[r]).forEach((k, v) -> groups0.merge(k, v, Long::sum));
            }
            long db0 = dbPid.isPresent() ? ProcStats.treeCpuMillis(dbPid.getAsLong()) : -1;
            long self0 = ProcStats.cpuMillis(ProcessHandle.current().pid());
            long[] machine0 = ProcStats.machineMillis();
            long errors0 = errors.get();
            long[] peakRss = new long[n];
            while (System.nanoTime() < w1) {
                for (int r = 0; r < n; r++) {
                    peakRss[r] = Math.max(peakRss[r], ProcStats.rssKib(pids[r]));
                }
                Thread.sleep(Math.max(1, Math.min(250, (w1 - System.nanoTime()) / 1_000_000)));
            }
            sleepUntil(w1);
            long[] cpu1 = new long[n];
            java.util.Map<String, Long> groups1 = new java.util.HashMap<>();
            for (int r = 0; r < n; r++) {
                cpu1[r] = ProcStats.cpuMillis(pids[r]);
                ProcStats.threadGroupMillis(pids[r]).forEach((k, v) -> groups1.merge(k, v, Long::sum));
            }
            long db1 = dbPid.isPresent() ? ProcStats.treeCpuMillis(dbPid.getAsLong()) : -1;
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
            for (int i = n; i < prepared.length; i++) {
                if (replies[i] != null && end[i] >= w0 && end[i] <= w1) {
                    enroll.add(end[i] - begin[i]);
                    pki.add(end[i] - pkiBegin[i]);
                }
            }
            // Statuses are checked here for the rate; signatures and certificates in verify().
            long ok = 0;
            w.completedByReplica = new long[n];
            for (int i = n; i < prepared.length; i++) {
                if (replies[i] != null && end[i] >= w0 && end[i] <= w1) {
                    if ("0".equals(DeviceMessages.pkiStatus(replies[i]))) {
                        ok++;
                        w.completedByReplica[replicaOf[i]]++;
                    } else {
                        w.failed++;
                    }
                }
            }
            w.completed = ok;
            w.errors = errorsInWindow;
            w.cpuByReplica = new long[n];
            for (int r = 0; r < n; r++) {
                w.cpuByReplica[r] = cpu1[r] - cpu0[r];
            }
            w.serverCpuMs = Arrays.stream(w.cpuByReplica).sum();
            groups1.forEach((k, v) -> w.cpuByThreads.put(k, v - groups0.getOrDefault(k, 0L)));
            w.dbCpuMs = db0 >= 0 && db1 >= 0 ? db1 - db0 : -1;
            w.selfCpuMs = self1 - self0;
            w.otherCpuMs = Math.max(0, (machine1[0] - machine0[0]) - w.serverCpuMs - (self1 - self0)
                    - Math.max(0, w.dbCpuMs));
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

    /** One server process: its own data folder, port and log. */
    private static final class Replica {
        final CaDirectory dir;
        final int port;
        final Path log;
        Process process;
        double startupMs;

        Replica(CaDirectory dir, int port, Path log) {
            this.dir = dir;
            this.port = port;
            this.log = log;
        }
    }

    private static final class Window {
        double seconds;
        long completed;
        long failed;
        long errors;
        long[] completedByReplica;
        /** All replicas together. */
        long serverCpuMs;
        long[] cpuByReplica;
        /** The database server's processes; -1 when not measured. */
        long dbCpuMs = -1;
        long selfCpuMs;
        long otherCpuMs;
        long[] peakRssKib;
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
