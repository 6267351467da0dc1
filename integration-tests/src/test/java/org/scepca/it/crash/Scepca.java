package org.scepca.it.crash;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.scepca.ca.testing.FreePorts;

/**
 * The installed server as an operator has it: the runnable jar and its JVM options, driven only through its command
 * line, its HTTP ports and its data folder. Nothing here opens the store or loads a class of the server, so the
 * harness keeps working whatever the server changes inside (store format, encryption, file permissions).
 */
final class Scepca {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path jar;
    private final Path jvmOptions;

    Scepca(Path repoRoot) {
        this.jar = repoRoot.resolve("scep-server/target/scepca.jar");
        this.jvmOptions = repoRoot.resolve("scep-server/jvm.options");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build scep-server first (the reactor's package phase)");
        }
    }

    /** The repository root, from a test's working directory (the module, or the root itself). */
    static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isRegularFile(here.resolve("scepca")) ? here : here.getParent();
    }

    private List<String> java(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Files.isRegularFile(jvmOptions)) {
            cmd.add("@" + jvmOptions);
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        return cmd;
    }

    /** What a CLI command printed (stdout and stderr apart: log lines go to stderr) and returned. */
    record CliResult(int exitCode, String out, String err, Duration took) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The value after "label:" on a line of {@link #out}, or empty. */
        String field(String label) {
            return out.lines().filter(l -> l.startsWith(label + ":")).map(l -> l.substring(label.length() + 1).strip())
                    .findFirst().orElse("");
        }

        /** For a failure message: what it printed on both streams. */
        String printed() {
            return (out.strip() + " " + err.strip()).strip();
        }
    }

    /** Runs {@code scepca ARGS} to completion; killed after {@code timeout}. */
    CliResult cli(Duration timeout, String... args) {
        long t0 = System.nanoTime();
        try {
            Path out = Files.createTempFile("scepca-cli-", ".out");
            Path err = Files.createTempFile("scepca-cli-", ".err");
            try {
                Process p = new ProcessBuilder(java(List.of(args))).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .start();
                boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                }
                return new CliResult(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                        (done ? "" : "timed out after " + timeout + "\n") + Files.readString(err, StandardCharsets.UTF_8),
                        Duration.ofNanos(System.nanoTime() - t0));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new CliResult(-2, "", e.toString(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CliResult(-3, "", "interrupted", Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Points the admin connector at {@code port}: the fixture pins admin.port=19292, and rounds that run side by side
     * must not clash. Only that key changes; the rest of the operator's file stays as it is.
     */
    static void setAdminPort(Path data, int port) throws IOException {
        Path file = data.resolve("scepca.properties");
        List<String> lines = new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
        lines.removeIf(l -> l.strip().startsWith("admin.port"));
        lines.add("admin.port=" + port);
        Files.write(file, lines);
    }


    /** Starts {@code scepca serve} on {@code data} with fresh ports; returns once it runs (not yet ready). */
    Server serve(Path data, Path log) throws IOException {
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        while (adminPort == port) {
            adminPort = FreePorts.next();
        }
        setAdminPort(data, adminPort);
        Process p = new ProcessBuilder(java(List.of("serve", "--data", data.toString(), "--host", "127.0.0.1", "--port",
                Integer.toString(port)))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new Server(p, port, adminPort, log);
    }

    /** A running {@code scepca serve}. */
    static final class Server {
        final Process process;
        final int port;
        final int adminPort;
        final Path log;

        Server(Process process, int port, int adminPort, Path log) {
            this.process = Objects.requireNonNull(process, "process is null");
            this.port = port;
            this.adminPort = adminPort;
            this.log = log;
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }

        String adminBase() {
            return "http://127.0.0.1:" + adminPort;
        }

        /** Polls GET /readyz until 200; false if the process exits or {@code timeout} passes first. */
        boolean awaitReady(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpRequest ready = HttpRequest.newBuilder(URI.create(base() + "/readyz")).timeout(Duration.ofSeconds(2)).build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return false;
                }
                try {
                    if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return true;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            return false;
        }

        /**
         * SIGKILL (on Linux destroyForcibly is kill -9): no shutdown hook, no H2 close, nothing flushed by Java. A
         * server started through a wrapper (runuser, which forks the JVM and waits) is the wrapper's child: the whole
         * tree is killed, the children first (killed after the wrapper, they would be orphans no longer in the tree),
         * and each is waited for.
         */
        void kill() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            for (ProcessHandle child : children) {
                try {
                    child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("process " + child.pid() + " survived SIGKILL", e);
                }
            }
        }

        /** The last lines of the server's log, for a failure message. */
        String logTail(int lines) {
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
