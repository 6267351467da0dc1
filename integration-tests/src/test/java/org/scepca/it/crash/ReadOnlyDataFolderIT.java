package org.scepca.it.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.FreePorts;
import org.scepca.ca.testing.PgCluster;

/**
 * A replica's CA keys come from a data folder it cannot write (mounted read-only, as several replicas share one): on
 * PostgreSQL, with {@code crl.dir} pointing elsewhere, the server starts, enrolls, revokes and writes its CRL copies,
 * and not one file of the data folder changes. Run as {@code nobody} on a folder whose write bits are all off: unlike
 * root, its owner then cannot write it.
 */
class ReadOnlyDataFolderIT {
    @TempDir
    Path tmp;

    @Test
    void aServerRunsOnAReadOnlyDataFolder_andChangesNothingInIt() throws Exception {
        assumeTrue("0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip()),
                "needs root to run the server as another user");
        Scepca scepca = new Scepca(Scepca.repoRoot());
        Path data = tmp.resolve("data");
        Path crlOut = tmp.resolve("crl-out");
        Files.createDirectories(crlOut);
        Scepca.CliResult init = scepca.cli(Duration.ofMinutes(3), "init", "--data", data.toString());
        assertThat(init.ok()).as(init.printed()).isTrue();
        Path password = tmp.resolve("db-password");
        Files.writeString(password, PgCluster.PASSWORD + "\n");
        int adminPort = FreePorts.next();
        Files.writeString(data.resolve("scepca.properties"), "\ndb.url=" + PgCluster.shared().newDatabase()
                + "\ndb.user=" + PgCluster.USER + "\ndb.password-file=" + password + "\ncrl.dir=" + crlOut
                + "\nadmin.port=" + adminPort + "\n", java.nio.file.StandardOpenOption.APPEND);
        Scepca.CliResult t = scepca.cli(Duration.ofSeconds(60), "admin", "token", "create", "--data", data.toString(),
                "--name", "read-only-it", "--quiet");
        assertThat(t.ok()).as(t.printed()).isTrue();
        // Hand everything to nobody, then take every write bit away from the data folder.
        run("chown", "-R", "nobody", data.toString(), crlOut.toString(), password.toString());
        run("chmod", "-R", "a-w", data.toString());
        for (Path p = tmp; p != null; p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
        Map<String, String> before = snapshot(data);

        int port = FreePorts.next();
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "nobody", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Scepca.repoRoot().resolve("scep-server/jvm.options"), "-jar",
                Scepca.repoRoot().resolve("scep-server/target/scepca.jar").toString(), "serve", "--data", data.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port)));
        Path log = tmp.resolve("server.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Scepca.Server server = new Scepca.Server(p, port, adminPort, log);
        List<ProcessHandle> jvm = List.of();
        try {
            assertThat(server.awaitReady(Duration.ofSeconds(60))).as(server.logTail(40)).isTrue();
            jvm = p.descendants().toList(); // runuser forks the server's JVM and waits for it
            AdminClient admin = new AdminClient(server.adminBase(), t.out().strip());
            ScepDevice device = ScepDevice.against(server.base(), ScepDevice.caCertificates(server.base()).ra());
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            ScepDevice.Reply r = device.enroll(g.generateKeyPair(), "CN=read-only-folder", admin.createChallenge("ro").secret());
            assertThat(r.success()).as(r + "\n" + server.logTail(40)).isTrue();
            String serial = r.certificate().getSerialNumber().toString(16);
            assertThat(admin.revoke(serial, "keyCompromise")).isEqualTo(200);
            X509CRL crl = Pem.crl(Files.readAllBytes(crlOut.resolve("intermediate.crl")));
            assertThat(crl.isRevoked(r.certificate())).as("the CRL copy for nginx, in crl.dir").isTrue();
            assertThat(crlOut.resolve("crl.pem")).exists();
        } finally {
            server.kill();
        }
        // Killing runuser alone left the JVM running as an orphan after every build (found on 1 December 2026).
        assertThat(jvm).as("the server's JVM, runuser's child").isNotEmpty().noneMatch(ProcessHandle::isAlive);
        assertThat(snapshot(data)).as("every file of the data folder, before and after").isEqualTo(before);
        assertThat(server.logTail(200)).doesNotContain("Read-only", "AccessDenied");
    }

    /** Each file's path, size and modification time: what would change if anything wrote it. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                out.put(dir.relativize(f).toString(), Files.isDirectory(f) ? "dir"
                        : Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return out;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
