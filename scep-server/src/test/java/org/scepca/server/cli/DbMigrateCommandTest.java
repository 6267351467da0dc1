package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;
import static org.scepca.server.cli.CliTest.run;
import static org.scepca.server.cli.CliTest.withPassphrase;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.CliTest.Result;

/**
 * {@code scepca db migrate} as an operator runs it: an H2 data folder made by the CA, a real PostgreSQL database, and
 * the printed scepca.properties lines put to use by the next commands.
 */
class DbMigrateCommandTest {
    @BeforeAll
    static void providers() {
        Providers.register();
    }

    private static List<BigInteger> issue(Path dir, int n, boolean revokeFirst) {
        List<BigInteger> serials = new ArrayList<>();
        try (var ca = TestPki.create(dir)) {
            for (int i = 0; i < n; i++) {
                serials.add(ca.issuance().issue(new IssuanceRequest(csr().subject("CN=migrate-" + i).build(), "test",
                        CertificateProfile.CLIENT, IssuanceEffects.none())).certificate().getSerialNumber());
            }
            if (revokeFirst) {
                ca.revocation().revoke(serials.get(0), RevocationReason.KEY_COMPROMISE, "test");
            }
        }
        return serials;
    }

    private static Path passwordFile(Path tmp) throws Exception {
        Path f = tmp.resolve("pg-password");
        Files.writeString(f, PgCluster.PASSWORD + "\n");
        return f;
    }

    private static long tables(String url) throws Exception {
        try (var c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void migratesTheStoreAndTheCommandsWorkOnPostgresqlWithThePrintedLines(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        List<BigInteger> serials = issue(dir, 6, true);
        Result challenge = run(withPassphrase(dir, "challenge", "create", "--note", "before the move", "--quiet"));
        assertThat(challenge.code()).as(challenge.err()).isZero();
        String url = PgCluster.shared().newDatabase();
        Path pw = passwordFile(tmp);

        Result r = run("db", "migrate", "--data", dir.toString(), "--to", url, "--password-file", pw.toString());

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("copying " + dir.resolve("db") + " to " + url + " as scepca");
        assertThat(r.out().lines().filter(l -> l.startsWith("certificates ")).findFirst().orElseThrow())
                .matches("certificates +6 +6  ([0-9a-f]{16})  \\1  ok");
        assertThat(r.out().lines().filter(l -> l.startsWith("revocations ")).findFirst().orElseThrow())
                .matches("revocations +1 +1 .* ok");
        assertThat(r.out().lines().filter(l -> l.startsWith("challenges ")).findFirst().orElseThrow())
                .matches("challenges +1 +1 .* ok");
        assertThat(r.out()).contains("verified: every table matches", "left untouched", "keep it as a backup");
        List<String> settings = r.out().lines().filter(l -> l.startsWith("  db.")).map(String::strip).toList();
        assertThat(settings).containsExactly("db.url=" + url, "db.user=scepca", "db.password-file=" + pw);

        // The next step as printed: the lines go into scepca.properties and the CLI now reads PostgreSQL.
        Files.writeString(dir.resolve("scepca.properties"), String.join("\n", settings) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Result list = run(withPassphrase(dir, "cert", "list", "--limit", "100"));
        assertThat(list.code()).as(list.err()).isZero();
        for (BigInteger s : serials) {
            assertThat(list.out()).contains(s.toString(16));
        }
        assertThat(run(withPassphrase(dir, "cert", "show", serials.get(0).toString(16))).out()).contains("revoked",
                "keyCompromise");
        assertThat(run(withPassphrase(dir, "challenge", "list")).out()).contains("before the move");
        // the server starts on the copy and finds what H2 held
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE,
                CaConfig.load(dir.resolve("scepca.properties")), ServerConfig.defaults("127.0.0.1", 0))) {
            assertThat(server.ca().database().ownsStore()).isTrue();
            for (BigInteger s : serials) {
                assertThat(server.ca().certificates().find(s)).as("serial %s", s.toString(16)).isPresent();
            }
            assertThat(server.ca().certificates().count()).isEqualTo(6);
        }

        // A second run finds the database filled and changes nothing.
        Result again = run("db", "migrate", "--data", dir.toString(), "--to", url, "--password-file", pw.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip()).startsWith("scepca: the target database is not empty (")
                .contains("certificates").doesNotContain("\n");
    }

    @Test
    void refusesWhileTheServerHoldsTheStoreAndLeavesTheTargetAlone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        issue(dir, 1, false);
        String url = PgCluster.shared().newDatabase();
        Path pw = passwordFile(tmp);
        String inUse = "scepca: the database is in use: stop the server (and any other scepca command) first";
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0))) {
            // from another process, as an operator would run it
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "db", "migrate", "--data", dir.toString(),
                    "--to", url, "--password-file", pw.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(output).isNotZero();
            assertThat(output.lines().filter(l -> l.startsWith("scepca:")).toList()).containsExactly(inUse);
            // and from the server's own JVM, where H2 would share the open database with an embedded URL
            Result same = run("db", "migrate", "--data", dir.toString(), "--to", url, "--password-file", pw.toString());
            assertThat(same.code()).isNotZero();
            assertThat(same.err().strip()).isEqualTo(inUse);
            assertThat(server.ca().certificates().count()).as("the server's store still works").isEqualTo(1);
        }
        assertThat(tables(url)).as("the target was not touched: not even migrated").isZero();
    }

    /** A target that changes what it is given (here a trigger) fails the checksum: exit non-zero, nothing committed. */
    @Test
    void aCopyThatDiffersIsReportedAndRolledBack(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        issue(dir, 2, false);
        assertThat(run(withPassphrase(dir, "challenge", "create", "--note", "original", "--quiet")).code()).isZero();
        String url = PgCluster.shared().newDatabase();
        Database.open(url, PgCluster.USER, PgCluster.PASSWORD, 2).close(); // the schema, for the trigger to attach to
        try (var c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION tamper() RETURNS trigger AS $$ BEGIN NEW.note := 'changed'; RETURN NEW; END $$"
                    + " LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER tamper BEFORE INSERT ON challenges FOR EACH ROW EXECUTE FUNCTION tamper()");
        }
        Path pw = passwordFile(tmp);

        Result r = run("db", "migrate", "--data", dir.toString(), "--to", url, "--password-file", pw.toString());

        assertThat(r.code()).isEqualTo(Errors.INTERNAL_ERROR);
        assertThat(r.out().lines().filter(l -> l.startsWith("challenges ")).findFirst().orElseThrow())
                .matches("challenges +1 +1  [0-9a-f]{16}  [0-9a-f]{16}  DIFFERS");
        assertThat(r.out().lines().filter(l -> l.startsWith("certificates ")).findFirst().orElseThrow()).endsWith(" ok");
        assertThat(r.out()).doesNotContain("db.url=");
        assertThat(r.err().strip()).isEqualTo("scepca: the copy differs from the H2 store in challenges: nothing was"
                + " committed, the PostgreSQL database is still empty; the H2 store is unchanged and the server can go on"
                + " using it");
        try (var c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM certificates) + (SELECT COUNT(*) FROM challenges)")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        assertThat(run(withPassphrase(dir, "challenge", "list")).out()).contains("original");
    }

    @Test
    void refusesATargetThatIsNotPostgresql(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        issue(dir, 1, false);
        Result mysql = run("db", "migrate", "--data", dir.toString(), "--to", "jdbc:mysql://127.0.0.1/scepca");
        assertThat(mysql.code()).isEqualTo(1);
        assertThat(mysql.err().strip()).startsWith("scepca: db.url must be a PostgreSQL JDBC URL");
        Result inline = run("db", "migrate", "--data", dir.toString(), "--to",
                "jdbc:postgresql://127.0.0.1/scepca?password=secret");
        assertThat(inline.code()).isEqualTo(1);
        assertThat(inline.err()).contains("must not carry the password").doesNotContain("secret");
        Result missing = run("db", "migrate", "--data", dir.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--to=URL'");
        Result noStore = run("db", "migrate", "--data", tmp.resolve("nowhere").toString(), "--to",
                PgCluster.shared().newDatabase(), "--password-file", passwordFile(tmp).toString());
        assertThat(noStore.code()).isNotZero();
        assertThat(noStore.err().strip()).startsWith("scepca: no database in ");
    }
}
