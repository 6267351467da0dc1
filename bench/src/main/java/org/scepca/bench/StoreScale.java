package org.scepca.bench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.scep.ScepService;
import org.scepca.scep.ScepSettings;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.cli.Providers;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Does a big store slow issuance down? Two CAs side by side in one process: one with an empty store, one bulk-loaded
 * with a million synthetic certificates (and their requests). Rounds alternate between them so that other load on
 * the machine hits both alike. Each round measures (a) whole SCEP enrollments in-process (ScepService.pkiOperation:
 * decrypt, challenge, policy, sign, store, reply) and (b) the store's part alone (request lookup, challenge check,
 * the issuing transaction with its durable commit). Also times a CRL with the loaded revoked entries.
 */
@Command(name = "store-scale", mixinStandardHelpOptions = true,
        description = "Issuance rate with an empty store vs. a store with --rows certificates; CRL time for --revoked entries.")
final class StoreScale implements Callable<Integer> {
    private static final String PASSPHRASE = "bench-passphrase-not-secret";

    @Option(names = "--rows", defaultValue = "1000000", description = "Certificates preloaded. Default: ${DEFAULT-VALUE}")
    int rows;
    @Option(names = "--revoked", defaultValue = "100000", description = "Of which revoked. Default: ${DEFAULT-VALUE}")
    int revoked;
    @Option(names = "--threads", defaultValue = "8",
            description = "Issuing threads; more than the cores, since each waits for its group's fsync. Default: ${DEFAULT-VALUE}")
    int threads;
    @Option(names = "--rounds", defaultValue = "4", description = "Alternating rounds per store. Default: ${DEFAULT-VALUE}")
    int rounds;
    @Option(names = "--round-seconds", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}")
    int roundSeconds;
    @Option(names = "--max-rate", defaultValue = "700", description = "Enrollments/s to pre-build messages for. Default: ${DEFAULT-VALUE}")
    int maxRate;
    @Option(names = "--results", defaultValue = "bench-results") Path results;
    @Option(names = "--crl-only", description = "Time the CRL and stop (no issuing rounds)") boolean crlOnly;
    @Option(names = "--work", description = "Keep the two CAs in this folder and reuse them on the next run (skips the bulk load)")
    Path keep;

    @Override
    public Integer call() throws Exception {
        Providers.register();
        Files.createDirectories(results);
        Path work = keep != null ? keep : Files.createTempDirectory("scepca-scale-");
        boolean reuse = keep != null && Files.isDirectory(keep.resolve("full/ca"));
        StringBuilder report = new StringBuilder();
        try {
            if (reuse) {
                LoadTest.deleteTree(work.resolve("empty")); // the last run's issuances left it not empty
            }
            Side empty = new Side("empty", new CaDirectory(work.resolve("empty")));
            Side full = new Side("full", new CaDirectory(work.resolve("full")));
            long t = System.nanoTime();
            if (reuse) {
                line(report, "reusing the stores in " + work + " (" + full.ca.certificates().count() + " certificates)");
            } else {
                new SyntheticRows(full.ca.database(), full.ca.material().intermediateCertificate()).load(rows, revoked);
                line(report, String.format("bulk load: %,d certificates (%,d revoked) and %,d requests in %.1f s", rows,
                        revoked, rows, (System.nanoTime() - t) / 1e9));
            }
            line(report, String.format("database files: %s", dbSize(full.dir)));

            // CRL with every revoked entry: build + sign + write, through the service the server uses.
            for (int i = 0; i < 3; i++) {
                t = System.nanoTime();
                var crl = full.ca.crls().publish();
                double s = (System.nanoTime() - t) / 1e9;
                line(report, String.format("CRL publish with %,d entries: %.2f s (%,d bytes)", crl.getRevokedCertificates().size(),
                        s, crl.getEncoded().length));
            }

            // The admin dashboard's counts (total, active, revoked, expired, expiring within 30 days).
            for (int i = 0; i < 3; i++) {
                t = System.nanoTime();
                Instant now = Instant.now();
                var counts = full.ca.certificates().counts(now, now.plus(java.time.Duration.ofDays(30)));
                line(report, String.format("dashboard counts: %.2f s (%s)", (System.nanoTime() - t) / 1e9, counts));
            }

            if (crlOnly) {
                empty.ca.close();
                full.ca.close();
                return 0;
            }
            int perSide = (rounds * roundSeconds + 3) * maxRate;
            empty.prepare(perSide);
            full.prepare(perSide);
            for (Side s : List.of(empty, full)) {
                s.enrollments(3); // warm-up
                s.storeOnly(2);
            }
            for (int r = 0; r < rounds; r++) {
                for (Side s : r % 2 == 0 ? List.of(empty, full) : List.of(full, empty)) {
                    s.enrollRates.add(s.enrollments(roundSeconds));
                    s.storeRates.add(s.storeOnly(roundSeconds));
                }
            }
            for (Side s : List.of(empty, full)) {
                line(report, String.format("%-14s enrollments/s (in-process, %d threads) median %.1f of %s; store path only"
                        + " (find + check + issuing transaction)/s median %.1f of %s", s.name, threads,
                        median(s.enrollRates), s.enrollRates.stream().map(v -> String.format("%.0f", v)).toList(),
                        median(s.storeRates), s.storeRates.stream().map(v -> String.format("%.0f", v)).toList()));
            }
            line(report, String.format("with %,d rows: enrollments %.1f%% and store path %.1f%% of the empty store's rate",
                    rows, 100 * median(full.enrollRates) / median(empty.enrollRates),
                    100 * median(full.storeRates) / median(empty.storeRates)));
            line(report, String.format("database files after: %s", dbSize(full.dir)));
            empty.ca.close();
            full.ca.close();
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Files.writeString(results.resolve("store-scale-" + stamp + ".txt"), report, StandardOpenOption.CREATE_NEW);
            return 0;
        } finally {
            if (keep == null) {
                LoadTest.deleteTree(work);
            }
        }
    }

    private static void line(StringBuilder report, String s) {
        System.out.println(s);
        report.append(s).append('\n');
    }

    private static String dbSize(CaDirectory dir) throws java.io.IOException {
        try (var files = Files.list(dir.databaseDir())) {
            return files.map(p -> p.getFileName() + " " + p.toFile().length() / (1024 * 1024) + " MiB").toList().toString();
        }
    }

    static double median(List<Double> v) {
        return CryptoFloor.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** One CA with its in-process SCEP service and pre-built work. */
    private final class Side {
        final String name;
        final CaDirectory dir;
        final CertificateAuthority ca;
        final ScepService scep;
        final List<Double> enrollRates = new ArrayList<>();
        final List<Double> storeRates = new ArrayList<>();
        DeviceMessages.Prepared[] messages;
        List<String> storeChallenges;
        final AtomicInteger nextMessage = new AtomicInteger();
        final AtomicInteger nextStore = new AtomicInteger();

        Side(String name, CaDirectory dir) throws Exception {
            this.name = name;
            this.dir = dir;
            Passphrase passphrase = Passphrase.of(PASSPHRASE);
            if (!dir.caExists()) {
                CaBootstrap.create(dir, InitOptions.defaults(), passphrase);
            }
            CaConfig config = CaConfig.load(dir.configFile());
            this.ca = CertificateAuthority.open(dir, passphrase, config, Clock.systemUTC(), new SecureRandom());
            this.scep = new ScepService(ca, ScepSettings.from(config), new SecureRandom());
        }

        void prepare(int count) throws Exception {
            // The store path alone runs several times faster than whole enrollments.
            List<String> secrets = new ArrayList<>();
            for (int i = 0; i < 6 * count; i++) {
                byte[] b = new byte[16];
                new SecureRandom().nextBytes(b);
                secrets.add(HexFormat.of().formatHex(b));
            }
            SyntheticRows.insertChallenges(ca.database(), secrets);
            DeviceMessages dm = new DeviceMessages(ca.material().raCertificate(), new SecureRandom());
            DeviceMessages.Device[] devices = IntStream.range(0, 32).parallel()
                    .mapToObj(i -> DeviceMessages.device(KeyPairs.rsa(2048, new SecureRandom()), "scale-key-" + i))
                    .toArray(DeviceMessages.Device[]::new);
            messages = IntStream.range(0, count).parallel()
                    .mapToObj(i -> dm.pkcsReq(i, devices[i % devices.length], "scale-" + name.hashCode() + "-" + i, secrets.get(i)))
                    .toArray(DeviceMessages.Prepared[]::new);
            storeChallenges = secrets.subList(count, secrets.size());
        }

        /** Whole enrollments for {@code seconds}; returns enrollments/s. Every reply must be SUCCESS. */
        double enrollments(int seconds) throws Exception {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            AtomicInteger done = new AtomicInteger();
            List<byte[]> replies = java.util.Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            runThreads(() -> {
                while (System.nanoTime() < end) {
                    int i = nextMessage.getAndIncrement();
                    if (i >= messages.length) {
                        throw new IllegalStateException("messages ran out; raise --max-rate");
                    }
                    replies.add(scep.pkiOperation(messages[i].message()).body());
                    done.incrementAndGet();
                }
                return null;
            });
            double rate = done.get() / ((System.nanoTime() - t0) / 1e9);
            for (byte[] r : replies) {
                if (!"0".equals(DeviceMessages.pkiStatus(r))) {
                    throw new IllegalStateException(name + ": an enrollment did not succeed");
                }
            }
            return rate;
        }

        /** The store's part of an enrollment, with synthetic certificates; returns issuances/s. */
        double storeOnly(int seconds) throws Exception {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            AtomicInteger done = new AtomicInteger();
            String issuerDn = ca.material().intermediateCertificate().getSubjectX500Principal().getName();
            long t0 = System.nanoTime();
            runThreads(() -> {
                SecureRandom random = new SecureRandom();
                byte[] der = new byte[1100];
                while (System.nanoTime() < end) {
                    int i = nextStore.getAndIncrement();
                    if (i >= storeChallenges.size()) {
                        throw new IllegalStateException("store-path challenges ran out; raise --max-rate");
                    }
                    String secret = storeChallenges.get(i);
                    byte[] tid = new byte[20];
                    random.nextBytes(tid);
                    String txid = HexFormat.of().formatHex(tid);
                    if (ca.requests().find(txid).isPresent()) {
                        throw new IllegalStateException("transaction exists");
                    }
                    var grant = ca.challenges().check(secret).orElseThrow();
                    random.nextBytes(der);
                    byte[] s = new byte[20];
                    random.nextBytes(s);
                    s[0] = (byte) ((s[0] & 0x7f) | 0x40);
                    Instant now = Instant.now();
                    RequestRecord req = new RequestRecord(txid, Pem.sha256Hex(tid), tid, "CN=store-" + i,
                            RequestStatus.PENDING, Optional.empty(), "scep:challenge:one_time", Optional.empty(), now, now);
                    CertificateRecord rec = new CertificateRecord(new BigInteger(1, s), issuerDn, "CN=store-" + i, List.of(),
                            now, now.plusSeconds(86400), CertificateStatus.VALID, Optional.empty(), Optional.empty(),
                            Optional.of(txid), "scep:challenge:one_time", CertificateProfile.CLIENT, now, Pem.sha256Hex(der),
                            der.clone());
                    ca.certificates().insertIssued(rec, new IssuanceEffects(grant.oneTimeHash(), Optional.of(req)));
                    done.incrementAndGet();
                }
                return null;
            });
            return done.get() / ((System.nanoTime() - t0) / 1e9);
        }

        private void runThreads(Callable<Void> body) throws Exception {
            List<Thread> ts = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < threads; i++) {
                Thread th = new Thread(null, () -> {
                    try {
                        body.call();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "scale-" + name + "-" + i);
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) {
                th.join();
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException(name + ": " + failures.get(0), failures.get(0));
            }
        }
    }
}
