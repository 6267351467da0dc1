package org.scepca.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.scep.ScepObserver;
import org.scepca.scep.message.FailInfo;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.cli.Providers;
import org.scepca.server.metrics.ServerMetrics;

/**
 * What recording one enrollment in the metrics costs (docs/monitoring.md): the SCEP timer and the enrollment counter
 * that {@link ServerMetrics#observe} updates, against the milliseconds an enrollment takes (HotPathBenchmark).
 * {@code ./bench/run.sh jmh MetricsBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx512m", "-Dlogback.configurationFile=bench/logback-bench.xml"})
public class MetricsBenchmark {
    private Path work;
    private CertificateAuthority ca;
    private ServerMetrics metrics;
    private final ScepObserver.Event issued = new ScepObserver.Event("default", "PKCSReq", ScepObserver.Result.SUCCESS,
            Optional.empty(), Optional.empty(), false, false, 3_000_000);
    private final ScepObserver.Event refused = new ScepObserver.Event("default", "PKCSReq", ScepObserver.Result.FAILURE,
            Optional.of(FailInfo.BAD_REQUEST), Optional.of(ScepObserver.Refusal.CHALLENGE), false, false, 1_000_000);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Providers.register();
        work = Files.createTempDirectory("scepca-jmh-metrics-");
        CaDirectory dir = new CaDirectory(work.resolve("data"));
        Passphrase passphrase = Passphrase.of("jmh-passphrase-not-secret");
        CaBootstrap.create(dir, InitOptions.defaults(), passphrase);
        ca = CertificateAuthority.open(dir, passphrase, CaConfig.load(dir.configFile()), Clock.systemUTC(),
                new SecureRandom());
        metrics = ServerMetrics.create(ca, () -> 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        metrics.close();
        ca.close();
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void observeIssued() {
        metrics.observe(issued);
    }

    @Benchmark
    public void observeRefused() {
        metrics.observe(refused);
    }
}
