package org.scepca.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's nginx run by a test: everything it writes (logs, pid, temp folders) stays under its prefix folder, in the
 * foreground so that the test owns the process.
 */
public final class Nginx implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/nginx");

    private final Path prefix;
    private final Process process;

    private Nginx(Path prefix, Process process) {
        this.prefix = prefix;
        this.process = process;
    }

    /**
     * Starts nginx with {@code httpBlock} (server and upstream blocks) inside its http block, and returns once it
     * accepts connections on {@code port} of loopback.
     */
    public static Nginx start(Path prefix, String httpBlock, int port, Duration wait) throws Exception {
        Files.createDirectories(prefix);
        String p = prefix.toString();
        String conf = "worker_processes 1;\n"
                + "error_log " + p + "/error.log info;\n"
                + "pid " + p + "/nginx.pid;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "    access_log " + p + "/access.log;\n"
                + "    client_body_temp_path " + p + "/client_body;\n"
                + "    proxy_temp_path " + p + "/proxy;\n"
                + "    fastcgi_temp_path " + p + "/fastcgi;\n"
                + "    uwsgi_temp_path " + p + "/uwsgi;\n"
                + "    scgi_temp_path " + p + "/scgi;\n"
                + httpBlock
                + "}\n";
        Files.writeString(prefix.resolve("nginx.conf"), conf);
        Process process = new ProcessBuilder(BINARY.toString(), "-p", p, "-e", p + "/error.log", "-c", p + "/nginx.conf",
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(prefix, process);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited with " + process.exitValue() + ":\n" + nginx.logs());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return nginx;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("nginx did not listen within " + wait + ":\n" + nginx.logs());
    }

    public Path prefix() {
        return prefix;
    }

    /**
     * {@code nginx -s reload}, then waits until every worker that ran before it has exited and a new one runs. A
     * reload is asynchronous: the master starts workers with the new configuration and asks the old ones to finish, and
     * until an old worker has handled that it may still accept a connection and answer from the old configuration (its
     * old CRL, its old map). One answer from a new worker therefore does not mean the next comes from one too.
     */
    public void reload(Duration wait) throws Exception {
        Set<Long> before = workers().collect(Collectors.toSet());
        String p = prefix.toString();
        Process reload = new ProcessBuilder(BINARY.toString(), "-p", p, "-e", p + "/error.log", "-c", p + "/nginx.conf",
                "-s", "reload").redirectErrorStream(true).start();
        reload.getOutputStream().close();
        String output = new String(reload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!reload.waitFor(wait.toSeconds(), TimeUnit.SECONDS) || reload.exitValue() != 0) {
            throw new AssertionError("nginx -s reload failed: " + output + "\n" + logs());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            List<Long> now = workers().toList();
            if (now.stream().noneMatch(before::contains) && !now.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nginx still ran workers from before the reload (" + before + ") after " + wait
                + ":\n" + logs());
    }

    /** The master's live child processes (workers; this configuration has no cache processes). */
    private java.util.stream.Stream<Long> workers() {
        return process.children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
    }

    /** What nginx printed and logged, for failure messages. */
    public String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("stdout.log", "error.log")) {
            Path log = prefix.resolve(f);
            if (Files.exists(log)) {
                sb.append(Files.readString(log));
            }
        }
        return sb.toString();
    }

    /** SIGTERM (nginx's fast shutdown, workers included), then SIGKILL if it lingers. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
