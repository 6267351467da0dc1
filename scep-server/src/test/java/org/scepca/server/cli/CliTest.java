package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;

/** The command line as an admin uses it: exit codes, one-line errors, and working next to a running server. */
class CliTest {
    @BeforeEach
    void auditLinesReachTheFile() {
        AuditOn.inThisJvm();
    }

    @BeforeAll
    static void providers() {
        Providers.register();
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static String[] withPassphrase(Path dir, String... args) throws Exception {
        Path pf = dir.resolveSibling(dir.getFileName() + ".pass");
        if (!Files.exists(pf)) {
            Files.writeString(pf, "test-passphrase-123");
        }
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data";
        all[args.length + 1] = dir.toString();
        all[args.length + 2] = "--passphrase-file";
        all[args.length + 3] = pf.toString();
        return all;
    }

    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("init", "serve", "cert", "challenge", "request", "ca");
    }

    @Test
    void initCreatesTheCaAndRefusesToOverwriteIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        Result r = run(withPassphrase(dir, "init", "--root-key-bits", "2048"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Root CA:", "SHA-256:");
        assertThat(dir.resolve("ca/intermediate.p12")).exists();
        assertThat(dir.resolve("crl/crl.pem")).exists();
        Result again = run(withPassphrase(dir, "init", "--root-key-bits", "2048"));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip()).startsWith("scepca: a CA already exists").doesNotContain("\n");

        Result export = run(withPassphrase(dir, "ca", "export", "--out", tmp.resolve("out").toString()));
        assertThat(export.code()).as(export.err()).isZero();
        for (String f : new String[] {"root.pem", "intermediate.pem", "ra.pem", "chain.pem", "crl.pem"}) {
            assertThat(tmp.resolve("out").resolve(f)).exists();
        }
        if (OpenSsl.available()) {
            var v = OpenSsl.run("verify", "-CAfile", tmp.resolve("out/root.pem").toString(), "-untrusted",
                    tmp.resolve("out/intermediate.pem").toString(), tmp.resolve("out/ra.pem").toString());
            assertThat(v.output()).contains(": OK");
        }
    }

    /**
     * With the root key kept offline, init still has it in hand once: the intermediate names the root's CRL in its CRL
     * distribution point (RFC 5280 §4.2.1.13), and nginx checks a CRL for every CA in the chain. Before: no root CRL
     * until someone ran 'ca root-crl' (the URL answered 404, and 'openssl verify -crl_check_all' with crl.pem failed
     * with "unable to get certificate CRL" for every certificate).
     */
    @Test
    void initWithTheRootKeyOffline_publishesTheRootsFirstCrl(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        Result r = run(withPassphrase(dir, "init", "--root-key-bits", "2048", "--public-base-url", "http://ca.example.test",
                "--root-key-out", tmp.resolve("root.p12").toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("ca/root.p12")).doesNotExist();
        CaDirectory d = new CaDirectory(dir);
        X509CRL rootCrl = Pem.crl(Files.readAllBytes(d.rootCrl()));
        var root = Pem.readCertificates(d.rootCert()).get(0);
        rootCrl.verify(root.getPublicKey());
        assertThat(rootCrl.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(Files.readString(d.crlPem()).split("-----BEGIN X509 CRL-----", -1)).as("both CAs' CRLs").hasSize(3);
    }

    @Test
    void wrongPassphraseIsOneLineAndChangesNothing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Path wrong = tmp.resolve("wrong.pass");
        Files.writeString(wrong, "not-the-passphrase");
        // A command that signs (listings read no key: CliOperatorTest).
        Result r = run("challenge", "create", "--data", dir.toString(), "--passphrase-file", wrong.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("scepca: wrong passphrase for").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void missingPassphraseSaysHowToProvideOne(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Result r = run("challenge", "create", "--data", dir.toString());
        if (System.getenv("SCEPCA_PASSPHRASE") == null) {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("no passphrase: set SCEPCA_PASSPHRASE");
        }
    }

    @Test
    void unknownSerialAndBadReasonAreClearErrors(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Result unknown = run(withPassphrase(dir, "cert", "revoke", "abcdef"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("scepca: no certificate with serial abcdef");
        Result badReason = run(withPassphrase(dir, "cert", "revoke", "abcdef", "--reason", "because"));
        assertThat(badReason.err()).contains("unknown revocation reason 'because'");
        Result badSerial = run(withPassphrase(dir, "cert", "show", "zz-top"));
        assertThat(badSerial.err()).contains("not a hexadecimal serial number");
    }

    /** On PostgreSQL the H2 file left behind by 'db migrate' is a backup: compacting it would help nobody. */
    @Test
    void dbCompactOnAPostgresStoreSaysWhatToDoInstead(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        java.nio.file.Files.writeString(dir.resolve("db.pw"), "pw\n");
        java.nio.file.Files.writeString(dir.resolve("scepca.properties"),
                "\ndb.url=jdbc:postgresql://db.example.com:5432/scepca\ndb.password-file=db.pw\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Result r = run("db", "compact", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("scepca: the store is PostgreSQL (db.url=jdbc:postgresql://db.example.com:5432/scepca)")
                .contains("VACUUM");
    }

    @Test
    void dbCompactKeepsTheDataAndRefusesWhileTheServerHasTheDatabase(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        java.util.List<java.math.BigInteger> serials = new java.util.ArrayList<>();
        try (var ca = TestPki.create(dir)) {
            for (int i = 0; i < 20; i++) {
                serials.add(ca.issuance().issue(new IssuanceRequest(csr().subject("CN=compact-" + i).build(), "test",
                        CertificateProfile.CLIENT, IssuanceEffects.none())).certificate().getSerialNumber());
            }
            ca.revocation().revoke(serials.get(0), org.scepca.ca.revocation.RevocationReason.KEY_COMPROMISE, "test");
        }
        Result compact = run("db", "compact", "--data", dir.toString());
        assertThat(compact.code()).as(compact.err()).isZero();
        assertThat(compact.out()).startsWith("compacted ").contains("MiB ->");
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0))) {
            for (var s : serials) {
                assertThat(server.ca().certificates().find(s)).as("serial %s after compaction", s).isPresent();
            }
            assertThat(server.ca().certificates().counts(java.time.Instant.now(), java.time.Instant.now()).revoked())
                    .isEqualTo(1);
            // A separate process, as an admin would run it: within one JVM, H2 would hand over the open database.
            Process busy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "db", "compact", "--data", dir.toString())
                    .redirectErrorStream(true).start();
            String busyOut = new String(busy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(busy.waitFor()).as(busyOut).isNotZero();
            assertThat(busyOut.lines().filter(l -> l.startsWith("scepca:")).toList()).containsExactly(
                    "scepca: the database is in use: stop the server (and any other scepca command) first");
            // the server's database was not touched
            assertThat(server.ca().issuance().issue(new IssuanceRequest(csr().subject("CN=after").build(), "test",
                    CertificateProfile.CLIENT, IssuanceEffects.none())).certificate()).isNotNull();
        }
        Result missing = run("db", "compact", "--data", tmp.resolve("nowhere").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).startsWith("scepca: no database in ");
        assertThat(Files.exists(tmp.resolve("nowhere"))).isFalse();
    }

    @Test
    void cliRevokesWhileTheServerRunsAndTheServerServesTheNewCrl(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0))) {
            var cert = server.ca().issuance().issue(new IssuanceRequest(csr().subject("CN=cli-target").build(), "test",
                    CertificateProfile.CLIENT, IssuanceEffects.none())).certificate();
            String serial = cert.getSerialNumber().toString(16);

            Result list = run(withPassphrase(dir, "cert", "list", "--search", "cli-target"));
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains(serial).contains("active");

            Result revoke = run(withPassphrase(dir, "cert", "revoke", serial, "--reason", "keyCompromise"));
            assertThat(revoke.code()).as(revoke.err()).isZero();
            assertThat(revoke.out()).contains("revoked " + serial);

            var resp = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.port() + "/crl/intermediate.crl")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            X509CRL crl = Pem.crl(resp.body());
            assertThat(crl.isRevoked(cert)).as("server serves the CRL the CLI published").isTrue();
            Result show = run(withPassphrase(dir, "cert", "show", serial));
            assertThat(show.out()).contains("revoked").contains("keyCompromise");
            assertThat(Files.readString(dir.resolve("logs/audit.log"))).contains("op=revoke serial=" + serial);
        }
    }

    /** As main runs it: an auto-flushing PrintWriter over a byte stream, which buffers everything but println. */
    @Test
    void certShowPemPrintsThePem(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        String serial;
        try (var ca = TestPki.create(dir)) {
            serial = ca.issuance().issue(new org.scepca.ca.issuance.IssuanceRequest(org.scepca.ca.testing.Csrs.csr().build(),
                    "test", org.scepca.ca.policy.CertificateProfile.CLIENT, org.scepca.ca.store.IssuanceEffects.none()))
                    .record().serialHex();
        }
        var bytes = new java.io.ByteArrayOutputStream();
        int code = Main.run(withPassphrase(dir, "cert", "show", "--pem", serial), new PrintWriter(bytes, true),
                new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        String pem = bytes.toString(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----").contains("-----END CERTIFICATE-----");
        assertThat(Pem.certificate(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).getSerialNumber().toString(16))
                .isEqualTo(serial);
    }

    @Test
    void challengeCreatePrintsOnceAndListNeverShowsSecrets(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Result created = run(withPassphrase(dir, "challenge", "create", "--ttl", "2h", "--note", "for mac-7", "--quiet"));
        assertThat(created.code()).as(created.err()).isZero();
        String secret = created.out().strip();
        assertThat(secret).matches("[0-9a-f]{32}");
        Result list = run(withPassphrase(dir, "challenge", "list"));
        assertThat(list.out()).contains("for mac-7").doesNotContain(secret);
        assertThat(Files.readString(dir.resolve("logs/audit.log"))).doesNotContain(secret);
        Result badTtl = run(withPassphrase(dir, "challenge", "create", "--ttl", "forever"));
        assertThat(badTtl.code()).isNotZero();
        assertThat(badTtl.err()).contains("not a duration");

        Result bound = run(withPassphrase(dir, "challenge", "create", "--note", "alice's phone", "--subject",
                "CN=alice-phone,O=Example", "--san", "email:alice@example.com"));
        assertThat(bound.code()).as(bound.err()).isZero();
        assertThat(bound.out()).contains("bound to:  subject=CN=alice-phone,O=Example; san=email:alice@example.com");
        assertThat(run(withPassphrase(dir, "challenge", "list")).out())
                .contains("subject=CN=alice-phone,O=Example; san=email:alice@example.com").contains("any names");
        Result badSan = run(withPassphrase(dir, "challenge", "create", "--san", "mac-17.example.com"));
        assertThat(badSan.code()).isNotZero();
        assertThat(badSan.err()).contains("type:value");
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void serveOnAPortInUseIsAOneLineError(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Result r = run(withPassphrase(dir, "serve", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort())));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).contains("address in use").doesNotContain("\n").doesNotContain("Exception");
        }
    }

    @Test
    void issueServerWritesAnOwnerOnlyKey(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        TestPki.create(dir).close();
        Result r = run(withPassphrase(dir, "cert", "issue-server", "--dns", "localhost", "--ip", "127.0.0.1", "--out",
                tmp.resolve("tls").toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("tls/server.key")))).isEqualTo("rw-------");
        var cert = Pem.readCertificates(tmp.resolve("tls/server.pem")).get(0);
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void initWithNameAndOrg_buildsTheSubjects_andIfAbsentSucceedsOverAnExistingCa(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        Result r = run(withPassphrase(dir, "init", "--root-key-bits", "2048", "--name", "Example Devices", "--org",
                "Example, Inc."));
        assertThat(r.code()).as(r.err()).isZero();
        var root = Pem.readCertificates(dir.resolve("ca/root.pem")).get(0);
        var intermediate = Pem.readCertificates(dir.resolve("ca/intermediate.pem")).get(0);
        byte[] rootFile = Files.readAllBytes(dir.resolve("ca/root.pem"));
        // The comma of the organization is an escaped character of one O attribute, not a second attribute.
        assertThat(new org.bouncycastle.asn1.x500.X500Name(root.getSubjectX500Principal().getName()).getRDNs(
                org.bouncycastle.asn1.x500.style.BCStyle.O)).hasSize(1);
        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Example Devices Root CA,O=Example\\, Inc.");
        assertThat(intermediate.getSubjectX500Principal().getName()).isEqualTo("CN=Example Devices Issuing CA,O=Example\\, Inc.");
        // Encoded O before CN (RFC 4514 strings, above, list the last RDN first).
        assertThat(org.bouncycastle.asn1.x500.X500Name.getInstance(root.getSubjectX500Principal().getEncoded()).getRDNs()[0]
                .getFirst().getType()).isEqualTo(org.bouncycastle.asn1.x500.style.BCStyle.O);

        Result again = run(withPassphrase(dir, "init", "--if-absent", "--name", "Other"));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("nothing to do");
        assertThat(dir.resolve("ca/root.pem")).hasBinaryContent(rootFile);
        assertThat(run(withPassphrase(dir, "init")).err()).startsWith("scepca: a CA already exists");
        assertThat(run(withPassphrase(tmp.resolve("other"), "init", "--name", "x".repeat(60))).err())
                .startsWith("scepca: --name must be 1 to 53 characters");
    }

    @Test
    void twoInitsIfAbsentOnOneEmptyFolder_createOneCa(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        withPassphrase(dir, "init"); // writes the passphrase file before both start
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> run(withPassphrase(dir, "init", "--if-absent", "--root-key-bits", "2048")));
            var b = pool.submit(() -> run(withPassphrase(dir, "init", "--if-absent", "--root-key-bits", "2048")));
            Result ra = a.get();
            Result rb = b.get();
            assertThat(ra.code()).as(ra.err()).isZero();
            assertThat(rb.code()).as(rb.err()).isZero();
            assertThat(java.util.stream.Stream.of(ra, rb).filter(x -> x.out().contains("Creating a CA"))).hasSize(1);
            assertThat(java.util.stream.Stream.of(ra, rb).filter(x -> x.out().contains("nothing to do"))).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConfigurationErrorFromTheEnvironmentNamesTheVariable() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        Errors errors = new Errors(org.scepca.ca.config.ConfigEnvironment.of(java.util.Map.of("SCEPCA_ADMIN_PORT", "x")));
        int code = errors.handleExecutionException(new CaConfig.InvalidConfigException(
                "admin.port must be a port number, not 'x'"), cl, null);
        assertThat(code).isEqualTo(Errors.USER_ERROR);
        assertThat(err.toString().strip()).isEqualTo("scepca: admin.port must be a port number, not 'x'"
                + " (admin.port is set by the environment variable SCEPCA_ADMIN_PORT)");
    }

    @Test
    void adminHostsCountAsLoopbackOnlyWhenTheyAre() {
        assertThat(ServeCommand.isLoopback("127.0.0.1")).isTrue();
        assertThat(ServeCommand.isLoopback("[::1]")).isTrue();
        assertThat(ServeCommand.isLoopback("localhost")).isTrue();
        assertThat(ServeCommand.isLoopback("0.0.0.0")).isFalse();
        assertThat(ServeCommand.isLoopback("::")).isFalse();
        assertThat(ServeCommand.isLoopback("10.0.0.5")).isFalse();
    }
}
