package org.scepca.it.crash;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.scepca.ca.testing.PgCluster;

/**
 * Runs crash rounds and adds up their figures. Lanes run side by side: one continues the store it created from round
 * to round, the others take the rounds on fixture copies in turn, so that the long idle waits (30 s, 65 s before the
 * kill) overlap other rounds' work. Configured by system properties:
 * <ul>
 * <li>{@code crash.rounds} (default 10): the first 10 cover each fixed delay once; further rounds are drawn from
 * {@code crash.seed};</li>
 * <li>{@code crash.seed} (default: random, printed), {@code crash.clients} (device threads per server, default 4),
 * {@code crash.load-seconds} (mean length of the load before a kill, default 5),
 * {@code crash.lanes} (1 to 4, default 3), {@code crash.keep} (data folders with a loss kept for inspection,
 * default 5), {@code crash.fixture} (default ../shared/fixtures/crash-prone-data.tar.gz from the repository);</li>
 * <li>{@code crash.pg-rounds} (default 4, 0 for none): rounds on a PostgreSQL store in a lane of their own, beside
 * the H2 lanes (so they cost little extra time), killing the server or PostgreSQL itself; the first four cover each
 * kind, further ones are drawn from the seed. Without PostgreSQL installed they are left out (CI, which sets
 * {@code SCEPCA_REQUIRE_POSTGRES=1}, fails instead).</li>
 * </ul>
 */
final class CrashHarness {
    /**
     * The CI schedule: each fixed delay once. The 65 s and 30 s waits go to fixture rounds, which two lanes share,
     * while the continued fresh store's five rounds run one after the other in a lane of their own.
     */
    private static final List<Optional<Integer>> FIXTURE_ROUNDS = List.of(Optional.of(65), Optional.of(30),
            Optional.empty(), Optional.of(0), Optional.empty());
    private static final List<Optional<Integer>> FRESH_ROUNDS = List.of(Optional.of(3), Optional.of(10), Optional.empty(),
            Optional.of(1), Optional.empty());
    private static final int[] SOAK_DELAYS = {0, 0, 1, 1, 3, 3, 10, 30, 65};
    /** The CI schedule on PostgreSQL: PostgreSQL and the server each killed under load, then each once more. */
    private static final List<CrashRound.Target> POSTGRES_TARGETS = List.of(CrashRound.Target.DATABASE,
            CrashRound.Target.SERVER, CrashRound.Target.DATABASE, CrashRound.Target.SERVER);
    private static final List<Optional<Integer>> POSTGRES_DELAYS = List.of(Optional.empty(), Optional.empty(),
            Optional.of(0), Optional.of(1));

    /** @param resumeBound how long a failover round waits for enrollments to resume before it counts a failure */
    record Settings(int rounds, long seed, int clients, int loadSeconds, int lanes, int keep, Path fixture, Path work,
            int pgRounds, Duration resumeBound) {
        /** The same settings with logs and data folders under {@code other}. */
        Settings workingIn(Path other) {
            return new Settings(rounds, seed, clients, loadSeconds, lanes, keep, fixture, other, pgRounds, resumeBound);
        }

        static Settings fromSystemProperties(Path repoRoot) {
            long seed = Long.getLong("crash.seed", new java.security.SecureRandom().nextLong());
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            return new Settings(Integer.getInteger("crash.rounds", 10), seed, Integer.getInteger("crash.clients", 4),
                    Math.max(1, Integer.getInteger("crash.load-seconds", 5)),
                    Math.max(1, Math.min(4, Integer.getInteger("crash.lanes", 3))), Integer.getInteger("crash.keep", 5),
                    Path.of(System.getProperty("crash.fixture",
                            repoRoot.resolve("../shared/fixtures/crash-prone-data.tar.gz").normalize().toString())),
                    repoRoot.resolve("integration-tests/target/crash-harness/" + stamp),
                    Integer.getInteger("crash.pg-rounds", 4), Duration.ofSeconds(Integer.getInteger("crash.resume-seconds", 60)));
        }
    }

    /** Sums over all rounds. */
    static final class Totals extends Figures {
        int rounds;
        int roundsWithLoss;
        final List<String> lossRounds = new ArrayList<>();

        /** Per store kind and kill moment: rounds, rounds with a loss, certificates acknowledged, lost. */
        final java.util.Map<String, long[]> byKind = new java.util.TreeMap<>();

        synchronized void add(CrashRound.Result r) {
            rounds++;
            super.add(r);
            long[] k = byKind.computeIfAbsent(String.format(Locale.ROOT, "%-8s %s",
                    r.plan.store().name().toLowerCase(Locale.ROOT), r.plan.kill()), x -> new long[4]);
            k[0]++;
            k[1] += r.lossFree() ? 0 : 1;
            k[2] += r.certificatesAcknowledged;
            k[3] += r.certificatesLost;
            if (!r.lossFree()) {
                roundsWithLoss++;
                lossRounds.add(r.plan.index() + " (" + r.plan.store().name().toLowerCase(Locale.ROOT) + ", "
                        + r.plan.kill() + ")");
            }
        }

        String figures() {
            return String.format(Locale.ROOT, """
                    rounds                        %d (%d with a loss%s)
                    certificates acknowledged     %d
                    certificates lost             %d
                    certificates with other DER   %d
                    serials stored twice          %d
                    revocations acknowledged      %d (API and CLI)
                    revocations lost              %d
                    renewals (old one superseded) %d
                    superseded, revoked no more   %d
                    revocations not on the CRL    %d (superseded ones not on it, issue 11 item 3: %d)
                    spent challenges re-tried     %d
                    challenges reused             %d
                    minted challenges lost        %d
                    admin tokens lost             %d
                    CRL problems                  %d
                    start or recovery failures    %d
                    rounds the harness could not finish %d""", rounds, roundsWithLoss,
                    lossRounds.isEmpty() ? "" : ": rounds " + String.join(", ", lossRounds), certificatesAcknowledged,
                    certificatesLost, derMismatches, serialsTwice, revocationsAcknowledged, revocationsLost,
                    supersededAcknowledged, supersededLost, revocationsNotOnCrl, supersededNotOnCrl, challengesSpentChecked, challengesReused,
                    challengesMintedLost, tokensLost, crlProblems, startFailures, roundErrors);
        }
    }

    private final Settings settings;
    private final Scepca scepca;
    private final PrintStream out;
    private final Totals totals = new Totals();
    private int kept;
    private int totalRounds;
    /** The PostgreSQL lane's cluster, started by its first round. */
    private PgCluster postgres;

    CrashHarness(Settings settings, Scepca scepca, PrintStream out) {
        this.settings = settings;
        this.scepca = scepca;
        this.out = out;
    }

    /** The plan of every round: the CI schedule first, then rounds drawn from the seed. */
    static List<CrashRound.Plan> schedule(int rounds, long seed) {
        Random random = new Random(seed);
        List<CrashRound.Plan> plans = new ArrayList<>();
        for (int i = 1; i <= rounds; i++) {
            CrashRound.Store store = i % 2 == 1 ? CrashRound.Store.FIXTURE : CrashRound.Store.FRESH;
            int slot = (i - 1) / 2;
            Optional<Integer> delay;
            if (i <= 10) {
                delay = (store == CrashRound.Store.FIXTURE ? FIXTURE_ROUNDS : FRESH_ROUNDS).get(slot);
            } else {
                delay = random.nextInt(100) < 55 ? Optional.empty()
                        : Optional.of(SOAK_DELAYS[random.nextInt(SOAK_DELAYS.length)]);
            }
            plans.add(new CrashRound.Plan(i, store, delay));
        }
        return plans;
    }

    /** The PostgreSQL rounds, numbered from {@code first}: the CI schedule, then drawn from the seed. */
    static List<CrashRound.Plan> postgresSchedule(int first, int rounds, long seed) {
        Random random = new Random(seed ^ 0x5ca1ab1eL);
        List<CrashRound.Plan> plans = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            CrashRound.Target target;
            Optional<Integer> delay;
            if (i < POSTGRES_TARGETS.size()) {
                target = POSTGRES_TARGETS.get(i);
                delay = POSTGRES_DELAYS.get(i);
            } else {
                target = random.nextBoolean() ? CrashRound.Target.DATABASE : CrashRound.Target.SERVER;
                delay = random.nextInt(100) < 55 ? Optional.empty()
                        : Optional.of(SOAK_DELAYS[random.nextInt(SOAK_DELAYS.length)]);
            }
            plans.add(new CrashRound.Plan(first + i, CrashRound.Store.POSTGRES, delay, target));
        }
        return plans;
    }

    Totals run() throws Exception {
        Files.createDirectories(settings.work());
        int pgRounds = settings.pgRounds();
        if (pgRounds > 0 && PgCluster.binaries().isEmpty()) {
            PgCluster.requireBinaries(); // fails when CI requires PostgreSQL; else we go on without it
            out.println("[crash] PostgreSQL is not installed: no PostgreSQL rounds");
            pgRounds = 0;
        }
        totalRounds = settings.rounds() + pgRounds;
        out.printf("[crash] %d rounds (%d on PostgreSQL), seed %d, %d device threads per server, %d lane(s); work %s%n",
                totalRounds, pgRounds, settings.seed(), settings.clients(), settings.lanes() + (pgRounds > 0 ? 1 : 0),
                settings.work());
        KeyPair[] keys = keyPool(16);
        Path fixtureSource = unpackFixture();
        Path freshTemplate = createFreshCa();
        List<CrashRound.Plan> plans = schedule(settings.rounds(), settings.seed());

        List<List<CrashRound.Plan>> lanes = new ArrayList<>();
        if (settings.lanes() == 1) {
            lanes.add(plans);
        } else {
            lanes.add(plans.stream().filter(p -> p.store() == CrashRound.Store.FRESH).toList());
            List<CrashRound.Plan> fixture = plans.stream().filter(p -> p.store() == CrashRound.Store.FIXTURE).toList();
            for (int l = 1; l < settings.lanes(); l++) {
                List<CrashRound.Plan> lane = new ArrayList<>();
                for (int i = l - 1; i < fixture.size(); i += settings.lanes() - 1) {
                    lane.add(fixture.get(i));
                }
                lanes.add(lane);
            }
        }
        if (pgRounds > 0) {
            // One lane: a PostgreSQL round stops the cluster every database of the lane lives in.
            lanes.add(postgresSchedule(settings.rounds() + 1, pgRounds, settings.seed()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(lanes.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<CrashRound.Plan> lane : lanes) {
                running.add(pool.submit(() -> {
                    runLane(lane, keys, fixtureSource, freshTemplate);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            if (postgres != null) {
                postgres.close();
                if (totals.lossFree()) {
                    deleteTree(settings.work().resolve("postgresql"));
                }
            }
        }
        out.println("[crash] TOTAL over " + totals.rounds + " rounds (seed " + settings.seed() + "):");
        totals.figures().lines().forEach(l -> out.println("[crash]   " + l));
        StringBuilder table = new StringBuilder("by store and kill moment: rounds, rounds with a loss, certificates"
                + " acknowledged, lost\n");
        totals.byKind.forEach((kind, k) -> table.append(String.format(Locale.ROOT, "  %-38s %4d %4d %6d %5d%n", kind,
                k[0], k[1], k[2], k[3])));
        table.toString().lines().forEach(l -> out.println("[crash]   " + l));
        out.println("[crash] " + (totals.lossFree() ? "PASS: nothing acknowledged was lost" : "FAIL: see LOST lines above")
                + "; logs and kept data folders in " + settings.work());
        Files.writeString(settings.work().resolve("summary.txt"), totals.figures() + "\n" + table);
        return totals;
    }

    private void runLane(List<CrashRound.Plan> plans, KeyPair[] keys, Path fixtureSource, Path freshTemplate)
            throws Exception {
        CrashRound.Lineage fresh = null;
        int freshGeneration = 0;
        for (CrashRound.Plan plan : plans) {
            CrashRound.Lineage lineage;
            if (plan.store() == CrashRound.Store.FIXTURE) {
                lineage = new CrashRound.Lineage("fixture" + plan.index(), plan.store(),
                        copy(fixtureSource, settings.work().resolve("fixture-round-" + plan.index())));
            } else {
                if (fresh == null || fresh.broken) {
                    if (fresh != null) {
                        dispose(fresh, false);
                    }
                    freshGeneration++;
                    fresh = continued(plan.store(), freshGeneration, freshTemplate);
                }
                lineage = fresh;
            }
            CrashRound.Result r = new CrashRound(scepca, plan, lineage, keys, settings,
                    settings.seed() * 1_000 + plan.index()).run();
            totals.add(r);
            print(r, lineage);
            if (plan.store() == CrashRound.Store.FIXTURE) {
                dispose(lineage, r.lossFree());
            }
        }
        if (fresh != null) {
            dispose(fresh, fresh.reported.isEmpty());
        }
    }

    /** A folder continued from round to round: a copy of the template, on a new PostgreSQL database for POSTGRES. */
    private CrashRound.Lineage continued(CrashRound.Store store, int generation, Path freshTemplate) throws IOException {
        if (store != CrashRound.Store.POSTGRES) {
            return new CrashRound.Lineage("fresh" + generation, store,
                    copy(freshTemplate, settings.work().resolve("fresh-" + generation)));
        }
        if (postgres == null) {
            postgres = PgCluster.start(settings.work().resolve("postgresql"));
        }
        Path data = copy(freshTemplate, settings.work().resolve("pg-" + generation));
        PgStore database = PgStore.newDatabase(postgres);
        database.configure(data);
        return new CrashRound.Lineage("pg" + generation, store, data, Optional.of(database));
    }

    private synchronized void print(CrashRound.Result r, CrashRound.Lineage lineage) {
        out.print(describe(r, lineage, totalRounds));
        out.flush();
    }

    /** The round's line, its notes and up to 25 of its problems, each line starting with [crash]. */
    static String describe(CrashRound.Result r, CrashRound.Lineage lineage, int totalRounds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "[crash] round %d/%d %-8s %-8s kill %-28s %5.1f s | certs +%d (%d held) lost %d"
                + " | revocations +%d lost %d not-on-CRL %d | superseded +%d lost %d | challenges re-tried %d reused %d minted-lost %d"
                + " | tokens lost %d | CRL problems %d | start failures %d | %s%n",
                r.plan.index(), totalRounds, lineage.name, r.plan.store().name().toLowerCase(Locale.ROOT),
                r.plan.kill(), r.seconds, r.certificatesAcknowledged, r.certificatesChecked, r.certificatesLost,
                r.revocationsAcknowledged, r.revocationsLost, r.revocationsNotOnCrl, r.supersededAcknowledged,
                r.supersededLost,
                r.challengesSpentChecked, r.challengesReused, r.challengesMintedLost, r.tokensLost, r.crlProblems,
                r.startFailures, r.lossFree() ? "ok" : "LOSS"));
        r.notes.forEach(n -> b.append("[crash]     note: ").append(n).append('\n'));
        int shown = 0;
        for (String p : r.problems) {
            if (shown++ == 25) {
                b.append("[crash]     ... ").append(r.problems.size() - 25).append(" more\n");
                break;
            }
            b.append("[crash]     ").append(p.replace("\n", "\n[crash]       ")).append('\n');
        }
        return b.toString();
    }

    static KeyPair[] keyPool(int n) {
        return IntStream.range(0, n).parallel().mapToObj(i -> {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return g.generateKeyPair();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toArray(KeyPair[]::new);
    }

    private Path unpackFixture() throws IOException, InterruptedException {
        Path dir = settings.work().resolve("fixture-source");
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", settings.fixture().toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes());
        if (tar.waitFor() != 0) {
            throw new IllegalStateException("cannot unpack " + settings.fixture() + ": " + output);
        }
        return dir.resolve("crash-prone-data");
    }

    /** A CA made the way an operator makes one, before any server start: the template of every fresh folder. */
    private Path createFreshCa() {
        return createCa(scepca, settings.work().resolve("fresh-template"));
    }

    /** {@code scepca init --data dir}. */
    static Path createCa(Scepca scepca, Path dir) {
        Scepca.CliResult r = scepca.cli(Duration.ofMinutes(3), "init", "--data", dir.toString());
        if (!r.ok()) {
            throw new IllegalStateException("scepca init failed: " + r.printed());
        }
        return dir;
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Keeps a folder that lost something (up to crash.keep of them) for the store's developers; else deletes it. */
    private synchronized void dispose(CrashRound.Lineage lineage, boolean clean) throws IOException {
        if (!clean && kept < settings.keep()) {
            kept++;
            out.println("[crash]     kept " + lineage.data + " for inspection");
            return;
        }
        deleteTree(lineage.data);
    }
}
