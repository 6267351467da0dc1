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
 * default 5), {@code crash.fixture} (default ../shared/fixtures/crash-prone-data.tar.gz from the repository).</li>
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

    record Settings(int rounds, long seed, int clients, int loadSeconds, int lanes, int keep, Path fixture, Path work) {
        static Settings fromSystemProperties(Path repoRoot) {
            long seed = Long.getLong("crash.seed", new java.security.SecureRandom().nextLong());
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            return new Settings(Integer.getInteger("crash.rounds", 10), seed, Integer.getInteger("crash.clients", 4),
                    Math.max(1, Integer.getInteger("crash.load-seconds", 5)),
                    Math.max(1, Math.min(4, Integer.getInteger("crash.lanes", 3))), Integer.getInteger("crash.keep", 5),
                    Path.of(System.getProperty("crash.fixture",
                            repoRoot.resolve("../shared/fixtures/crash-prone-data.tar.gz").normalize().toString())),
                    repoRoot.resolve("integration-tests/target/crash-harness/" + stamp));
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
            long[] k = byKind.computeIfAbsent(String.format(Locale.ROOT, "%-7s %s",
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
                    start failures                %d
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

    Totals run() throws Exception {
        Files.createDirectories(settings.work());
        out.printf("[crash] %d rounds, seed %d, %d device threads per server, %d lane(s); work %s%n", settings.rounds(),
                settings.seed(), settings.clients(), settings.lanes(), settings.work());
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
        }
        out.println("[crash] TOTAL over " + totals.rounds + " rounds (seed " + settings.seed() + "):");
        totals.figures().lines().forEach(l -> out.println("[crash]   " + l));
        StringBuilder table = new StringBuilder("by store and kill moment: rounds, rounds with a loss, certificates"
                + " acknowledged, lost\n");
        totals.byKind.forEach((kind, k) -> table.append(String.format(Locale.ROOT, "  %-28s %4d %4d %6d %5d%n", kind,
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
                    fresh = new CrashRound.Lineage("fresh" + freshGeneration, plan.store(),
                            copy(freshTemplate, settings.work().resolve("fresh-" + freshGeneration)));
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

    private synchronized void print(CrashRound.Result r, CrashRound.Lineage lineage) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "[crash] round %d/%d %-8s %-7s kill %-18s %5.1f s | certs +%d (%d held) lost %d"
                + " | revocations +%d lost %d not-on-CRL %d | superseded +%d lost %d | challenges re-tried %d reused %d minted-lost %d"
                + " | tokens lost %d | CRL problems %d | start failures %d | %s%n",
                r.plan.index(), settings.rounds(), lineage.name, r.plan.store().name().toLowerCase(Locale.ROOT),
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
        out.print(b);
        out.flush();
    }

    private KeyPair[] keyPool(int n) {
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
        Path dir = settings.work().resolve("fresh-template");
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

    /** Keeps a folder that lost something (up to crash.keep of them) for the store's developers; else deletes it. */
    private synchronized void dispose(CrashRound.Lineage lineage, boolean clean) throws IOException {
        if (!clean && kept < settings.keep()) {
            kept++;
            out.println("[crash]     kept " + lineage.data + " for inspection");
            return;
        }
        try (Stream<Path> files = Files.walk(lineage.data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
