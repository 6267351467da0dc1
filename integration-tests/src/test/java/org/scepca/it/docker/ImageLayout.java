package org.scepca.it.docker;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The image's {@code /app} without an image: a folder holding {@code entrypoint.sh}, {@code scepca.jar} (the
 * reactor's) and {@code jvm.options} as the Dockerfile copies them (links to the repository's files), so that the
 * entrypoint runs here as a plain process exactly as in a container, with {@code SCEPCA_DATA} for {@code /data}.
 */
final class ImageLayout {
    final Path app;

    ImageLayout(DockerFolder folder, Path dir) throws IOException {
        Path jar = folder.repo.resolve("scep-server/target/scepca.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build scep-server first (the reactor's package phase)");
        }
        this.app = Files.createDirectories(dir);
        Files.createSymbolicLink(app.resolve("entrypoint.sh"), folder.docker.resolve("entrypoint.sh"));
        Files.createSymbolicLink(app.resolve("scepca.jar"), jar);
        Files.createSymbolicLink(app.resolve("jvm.options"), folder.repo.resolve("scep-server/jvm.options"));
    }

    /**
     * {@code entrypoint.sh ARGS} with {@code env} as its whole scepca environment: the test JVM's SCEPCA_ variables
     * (CI sets some) are left out, and its own java comes first on the PATH, as the image's does.
     */
    ProcessBuilder entrypoint(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(app.resolve("entrypoint.sh").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("SCEPCA_"));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        return pb;
    }

    /** What a command printed (both streams) and returned. */
    record Result(int exitCode, String output) {
    }

    Result run(Duration timeout, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("entrypoint-", ".out");
        try {
            Process p = entrypoint(env, args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeout + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

}
