package org.scepca.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docs/prometheus/scepca-alerts.yml is what Prometheus itself accepts ({@code promtool check rules}) and its alerts
 * fire on the series a replica exposes ({@code promtool test rules scepca-alerts.test.yml}). Skipped without
 * Debian's {@code prometheus} package, unless {@code SCEPCA_REQUIRE_PROMTOOL=1} (CI), where it fails instead.
 */
class PromtoolRulesTest {
    static final Path RULES = Path.of("..", "docs", "prometheus");

    static Optional<Path> promtool() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        Optional<Path> found = Stream.of(path.split(":")).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("SCEPCA_REQUIRE_PROMTOOL"))) {
            throw new IllegalStateException("SCEPCA_REQUIRE_PROMTOOL=1 but no promtool on PATH"
                    + " (apt-get install prometheus)");
        }
        return found;
    }

    static String run(Path promtool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(promtool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(RULES.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", args) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void promtoolAcceptsTheRules_andTheirUnitTestsPass() throws Exception {
        Optional<Path> promtool = promtool();
        Assumptions.assumeTrue(promtool.isPresent(), "promtool is not installed");
        assertThat(run(promtool.get(), "check", "rules", "scepca-alerts.yml")).contains("SUCCESS");
        assertThat(run(promtool.get(), "test", "rules", "scepca-alerts.test.yml")).contains("SUCCESS");
    }
}
