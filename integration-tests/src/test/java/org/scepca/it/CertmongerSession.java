package org.scepca.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's certmonger, run privately for a test: its own D-Bus session bus and its own state directory, so a run
 * never touches /var/lib/certmonger, a desktop session or another run.
 *
 * <p>Uses {@code certmonger-session}, the per-user build that keeps its state under {@code $HOME/.config/certmonger}:
 * the system build ({@code /usr/sbin/certmonger}) writes to /var/lib/certmonger even with {@code -s} when run as root.
 * The bus has no service directories, so nothing is ever bus-activated behind our back; every process started here
 * is stopped by {@link #close()} within a few seconds.
 */
final class CertmongerSession implements AutoCloseable {
    static final Path SCEP_SUBMIT = Path.of("/usr/lib/certmonger/scep-submit");
    static final Path DAEMON = Path.of("/usr/lib/certmonger/certmonger-session");
    static final Path GETCERT = Path.of("/usr/bin/getcert");
    static final Path DBUS_DAEMON = Path.of("/usr/bin/dbus-daemon");

    /** States where certmonger stops on its own until told otherwise (getcert-list(1)). */
    static final Set<String> SETTLED = Set.of("MONITORING", "CA_REJECTED", "CA_UNREACHABLE", "CA_UNCONFIGURED",
            "CA_WORKING", "NEED_GUIDANCE", "NEED_CA", "NEED_KEYINFO_READ_PIN", "NEED_KEY_GEN_PIN");

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final File DEV_NULL = new File("/dev/null");
    private static final Pattern STATUS = Pattern.compile("(?m)^\\s*status: (\\S+)");

    private final Path dir;
    private final Map<String, String> env;
    private final List<Process> processes = new ArrayList<>();
    private final AtomicInteger commands = new AtomicInteger();

    /** The output and exit code of one command. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** One {@code getcert list -i ID}. */
    record Listing(String status, String text) {
    }

    static boolean installed() {
        return Files.isExecutable(SCEP_SUBMIT) && Files.isExecutable(DBUS_DAEMON);
    }

    private CertmongerSession(Path dir) {
        this.dir = dir;
        Path home = dir.resolve("home");
        this.env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("bus"));
        env.put("LC_ALL", "C");
    }

    /** What a {@code getcert -s} needs to reach this session's daemon (HOME, the bus address), for other runners. */
    Map<String, String> environment() {
        return Map.copyOf(env);
    }

    /** Starts the bus and the daemon under {@code dir} and waits (bounded) until the daemon answers. */
    static CertmongerSession start(Path dir) throws IOException, InterruptedException {
        CertmongerSession s = new CertmongerSession(dir);
        try {
            s.startBus();
            s.startDaemon();
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void startBus() throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("home/.config"));
        Path socket = dir.resolve("bus");
        if (socket.toString().length() > 100) {
            throw new IllegalStateException("socket path too long for AF_UNIX: " + socket);
        }
        // A session bus without <servicedir>: getcert must never start a second certmonger by bus activation.
        Path config = Files.writeString(dir.resolve("bus.conf"), """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        spawn(dir.resolve("dbus.log"), DBUS_DAEMON.toString(), "--config-file=" + config, "--nofork", "--nopidfile");
        awaitUntil(Duration.ofSeconds(10), "the D-Bus socket " + socket, () -> Files.exists(socket));
    }

    private void startDaemon() throws IOException, InterruptedException {
        // -n: stay in the foreground (we own the process); -d 2: a log worth reading when a test fails.
        spawn(dir.resolve("certmonger.log"), DAEMON.toString(), "-s", "-n", "-d", "2");
        awaitUntil(Duration.ofSeconds(15), "certmonger on the session bus", () -> getcert("list-cas").ok());
    }

    private Process spawn(Path log, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** {@code getcert COMMAND -s ARGS...} against this session's daemon. */
    Result getcert(String command, String... args) {
        List<String> cmd = new ArrayList<>(List.of(GETCERT.toString(), command, "-s"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** The SCEP helper on its own (GetCACaps {@code -c}, GetCACert {@code -C}); needs no daemon. */
    Result scepSubmit(String... args) {
        List<String> cmd = new ArrayList<>(List.of(SCEP_SUBMIT.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    Listing list(String id) {
        Result r = getcert("list", "-i", id);
        Matcher m = STATUS.matcher(r.output());
        return new Listing(m.find() ? m.group(1) : "UNKNOWN", r.output());
    }

    /**
     * Polls {@code getcert list} until {@code done} holds. Fails at once if the request settles in a state
     * {@code done} does not accept (a rejection never turns into success by waiting), or after {@code timeout}.
     */
    Listing await(String id, Duration timeout, Predicate<Listing> done, Set<String> failFast)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Listing last;
        do {
            last = list(id);
            if (done.test(last)) {
                return last;
            }
            if (failFast.contains(last.status())) {
                throw new AssertionError("request " + id + " settled in " + last.status() + "\n" + last.text()
                        + diagnostics());
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("request " + id + " still " + last.status() + " after " + timeout.toSeconds() + " s\n"
                + last.text() + diagnostics());
    }

    /** Waits until the request reaches {@code status}; any other settled state fails the wait. */
    Listing awaitStatus(String id, String status, Duration timeout) throws InterruptedException {
        Set<String> others = new HashSet<>(SETTLED);
        others.remove(status);
        return await(id, timeout, l -> l.status().equals(status), others);
    }

    /** The tail of the daemon's log, for failure messages. */
    String diagnostics() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("certmonger.log"), StandardCharsets.UTF_8);
            return "\n--- certmonger.log (tail) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "\n(no certmonger.log: " + e + ")";
        }
    }

    private Result run(List<String> cmd) {
        Path out = dir.resolve("cmd-" + commands.incrementAndGet() + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            // Output goes to a file, so a hung command cannot block us on a full pipe: the wait stays bounded.
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + COMMAND_TIMEOUT.toSeconds() + " s: " + cmd);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
    }

    private static void awaitUntil(Duration timeout, String what, BooleanSupplier ready)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Stops the daemon, then the bus: SIGTERM, then SIGKILL after a bounded wait. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
