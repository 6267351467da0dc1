package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.scepca.ca.testing.Csrs.csr;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.TestPki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The CLI as an operator scripts it: no passphrase to read, no CA means nothing created, JSON, completion, help. */
class CliOperatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The commands that only read, each with the options it needs. */
    private static final List<List<String>> READ_ONLY = List.of(List.of("cert", "list"), List.of("ca", "info"),
            List.of("challenge", "list"), List.of("request", "list", "--status", "all"), List.of("admin", "token", "list"),
            List.of("admin", "cert", "list"));

    @BeforeAll
    static void providers() {
        Providers.register();
    }

    record Result(int code, String out, String err) {
    }

    static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(List.of(args));
    }

    static List<String> with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    private static boolean noPassphraseInEnvironment() {
        return System.getenv("SCEPCA_PASSPHRASE") == null && System.getenv("SCEPCA_PASSPHRASE_FILE") == null;
    }

    /** Issues one certificate and revokes another; returns {active serial, revoked serial}. */
    private static String[] caWithTwoCertificates(Path dir) {
        try (var ca = TestPki.create(dir)) {
            String active = ca.issuance().issue(new IssuanceRequest(csr().subject("CN=ops-active").build(), "test",
                    CertificateProfile.CLIENT, IssuanceEffects.none())).record().serialHex();
            String revoked = ca.issuance().issue(new IssuanceRequest(csr().subject("CN=ops-revoked").build(), "test",
                    CertificateProfile.CLIENT, IssuanceEffects.none())).record().serialHex();
            ca.revocation().revoke(new java.math.BigInteger(revoked, 16), RevocationReason.KEY_COMPROMISE, "test");
            return new String[] {active, revoked};
        }
    }

    @Test
    void readOnlyCommandsWorkWithoutAnyPassphraseSourceWhileWriteCommandsAskForOne(@TempDir Path tmp) throws Exception {
        assumeTrue(noPassphraseInEnvironment(), "SCEPCA_PASSPHRASE is set in this environment");
        Path dir = tmp.resolve("data");
        String[] serials = caWithTwoCertificates(dir);
        Files.deleteIfExists(dir.resolve("secrets/passphrase"));
        // A passphrase file that does not exist: any command that looked for the passphrase would fail on it.
        String missing = tmp.resolve("no-such-passphrase").toString();
        for (List<String> command : Stream.concat(READ_ONLY.stream(), Stream.of(List.of("cert", "show", serials[0])))
                .toList()) {
            Result r = run(with(command, "--data", dir.toString(), "--passphrase-file", missing));
            assertThat(r.code()).as(command + ": " + r.err()).isZero();
        }
        Result write = run("challenge", "create", "--data", dir.toString());
        assertThat(write.code()).isEqualTo(1);
        assertThat(write.err()).startsWith("scepca: no passphrase").doesNotContain("\n\n");
        Result writeWithMissingFile = run("challenge", "create", "--data", dir.toString(), "--passphrase-file", missing);
        assertThat(writeWithMissingFile.code()).isEqualTo(1);
        assertThat(writeWithMissingFile.err()).contains("no-such-passphrase");
    }

    @Test
    void aFolderWithoutACaIsNoCaAndStaysEmpty(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path absent = tmp.resolve("absent");
        List<List<String>> commands = new ArrayList<>(READ_ONLY);
        commands.add(List.of("cert", "show", "abc123"));
        commands.add(List.of("challenge", "create"));
        commands.add(List.of("cert", "revoke", "abc123"));
        for (Path dir : List.of(empty, absent)) {
            for (List<String> command : commands) {
                Result r = run(with(command, "--data", dir.toString()));
                assertThat(r.code()).as(command.toString()).isNotZero();
                assertThat(r.err().strip()).as(command.toString()).startsWith("scepca: no CA in " + dir)
                        .doesNotContain("\n");
            }
        }
        try (Stream<Path> left = Files.list(empty)) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(absent).doesNotExist();
    }

    @Test
    void jsonListingsUseTheApiFieldsAndOneStatusVocabulary(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        String[] serials = caWithTwoCertificates(dir);
        String data = dir.toString();

        JsonNode list = json(run("cert", "list", "--json", "--data", data));
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(2);
        for (JsonNode c : list) {
            assertThat(c.has("serial") && c.has("status") && c.has("revocationReason") && c.has("issuedFor")).isTrue();
        }
        JsonNode revoked = json(run("cert", "show", serials[1], "--json", "--data", data));
        assertThat(revoked.path("status").asText()).isEqualTo("revoked");
        assertThat(revoked.path("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(json(run("cert", "show", serials[0], "--json", "--data", data)).path("status").asText()).isEqualTo("active");

        Result table = run("cert", "list", "--data", data);
        assertThat(table.out()).contains(" active ").contains(" revoked ").doesNotContain(" valid ");
        Result shown = run("cert", "show", serials[1], "--data", data);
        assertThat(shown.out()).contains("status:      revoked").contains("(keyCompromise)");

        JsonNode ca = json(run("ca", "info", "--json", "--data", data));
        assertThat(ca.path("root").path("sha256Fingerprint").asText()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(ca.path("crl").path("entries").asInt()).isEqualTo(1);
        assertThat(ca.path("rootKeyOnline").asBoolean()).isTrue();

        assertThat(json(run("challenge", "list", "--json", "--data", data))).isEmpty();
        assertThat(json(run("request", "list", "--json", "--status", "all", "--data", data))).isEmpty();
        assertThat(json(run("admin", "token", "list", "--json", "--data", data))).isEmpty();
        assertThat(json(run("admin", "cert", "list", "--json", "--data", data))).isEmpty();
    }

    @Test
    void revocationReasonsAreAcceptedInAnySpellingAndPrintedAsRfc5280Names(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        try (var ca = TestPki.create(dir)) {
            for (String spelling : List.of("KEY-COMPROMISE", "keycompromise", "key_compromise", "keyCompromise")) {
                String serial = ca.issuance().issue(new IssuanceRequest(csr().subject("CN=" + spelling).build(), "test",
                        CertificateProfile.CLIENT, IssuanceEffects.none())).record().serialHex();
                Result r = run(CliTest.withPassphrase(dir, "cert", "revoke", serial, "--reason", spelling));
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).contains("(keyCompromise)");
            }
        }
        Result bad = run(CliTest.withPassphrase(dir, "cert", "revoke", "abc", "--reason", "stolen"));
        assertThat(bad.err()).contains("one of unspecified, keyCompromise, affiliationChanged, superseded,"
                + " cessationOfOperation, privilegeWithdrawn");
    }

    private static JsonNode json(Result r) throws IOException {
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void versionNamesTheReleaseAndTheCommit() {
        Result r = run("--version");
        assertThat(r.code()).isZero();
        // build.properties is written by the build (git describe, or "unknown" outside a checkout).
        assertThat(r.out().strip()).matches("scepca \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7,40}(-dirty)?|unknown),"
                + " Java .+\\)");
    }

    @Test
    void bashCompletionLoadsIntoBash(@TempDir Path tmp) throws Exception {
        Result r = run("completion", "bash");
        assertThat(r.code()).as(r.err()).isZero();
        Path script = tmp.resolve("scepca-completion.bash");
        Files.writeString(script, r.out());
        Process bash = new ProcessBuilder("bash", "-c", "source \"$1\" && complete -p scepca", "bash", script.toString())
                .redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(out).isZero();
        assertThat(out).startsWith("complete ").contains(" scepca");
        assertThat(r.out()).contains("cert", "challenge", "--json", "--public-base-url");
        // zsh reads the same script through bashcompinit, which the script enables itself under zsh.
        Result zsh = run("completion", "zsh");
        assertThat(zsh.out()).isEqualTo(r.out()).contains("bashcompinit");
        assertThat(run("completion", "fish").err().strip()).isEqualTo("scepca: completion is available for bash and zsh,"
                + " not 'fish'");
    }

    @Test
    void everyCommandOptionAndParameterHasHelpText() {
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), missing);
        assertThat(missing).as("commands, options and parameters without a description").isEmpty();
    }

    private static void walk(CommandLine cl, List<String> missing) {
        CommandSpec spec = cl.getCommandSpec();
        String path = spec.qualifiedName();
        if (spec.usageMessage().description().length == 0 || String.join("", spec.usageMessage().description()).isBlank()) {
            missing.add(path);
        }
        for (var o : spec.options()) {
            if (String.join("", o.description()).isBlank()) {
                missing.add(path + " " + o.longestName());
            }
        }
        for (var p : spec.positionalParameters()) {
            if (String.join("", p.description()).isBlank()) {
                missing.add(path + " " + p.paramLabel());
            }
        }
        cl.getSubcommands().values().forEach(sub -> walk(sub, missing));
    }

    @Test
    void errorsNeverEndInNull() {
        // What code that concatenates e.getMessage() produces for an exception without a message.
        var e = new IllegalStateException("cannot write /x/y: " + new IOException().getMessage(), new IOException());
        assertThat(Errors.oneLine(e)).isEqualTo("cannot write /x/y: IOException");
        assertThat(Errors.oneLine(new IllegalArgumentException())).isEqualTo("failed (IllegalArgumentException)");
        assertThat(Errors.oneLine(new IllegalStateException(null, new java.nio.file.NoSuchFileException("/z"))))
                .isEqualTo("/z");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        int code = new Errors(org.scepca.ca.config.ConfigEnvironment.of(java.util.Map.of()))
                .handleExecutionException(new Errors.UserException(null), cl, null);
        assertThat(code).isEqualTo(Errors.USER_ERROR);
        assertThat(err.toString().strip()).isEqualTo("scepca: failed (UserException)");
    }

    @Test
    void initNamesTheCaAndSetsThePublicBaseUrlBeforeTheFirstCertificate(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        Result bad = run(CliTest.withPassphrase(dir, "init", "--root-key-bits", "2048", "--public-base-url", "ftp://x"));
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip()).startsWith("scepca: --public-base-url: public-base-url must be an http(s) URL");
        assertThat(dir).doesNotExist();

        Result r = run(CliTest.withPassphrase(dir, "init", "--root-key-bits", "2048", "--org", "Acme, Inc.", "--name",
                "Acme Devices", "--public-base-url", "http://ca.acme.example/"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("No public base URL");
        var root = org.scepca.ca.pem.Pem.readCertificates(dir.resolve("ca/root.pem")).get(0);
        assertThat(root.getSubjectX500Principal().getName()).contains("CN=Acme Devices Root CA").contains("O=Acme\\, Inc.");
        assertThat(Files.readString(dir.resolve("scepca.properties"))).contains("\npublic-base-url=http://ca.acme.example\n");
        assertThat(org.scepca.ca.config.CaConfig.load(dir.resolve("scepca.properties")).publicBaseUrl())
                .hasValue(java.net.URI.create("http://ca.acme.example"));
        // The intermediate names the root's CRL and certificate under that URL (nginx/OpenSSL chain checks).
        var intermediate = org.scepca.ca.pem.Pem.readCertificates(dir.resolve("ca/intermediate.pem")).get(0);
        byte[] cdp = intermediate.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLDistributionPoints.getId());
        assertThat(cdp).isNotNull();
        assertThat(new String(cdp, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("http://ca.acme.example/crl/root.crl");

        Path plain = tmp.resolve("plain");
        Result without = run(CliTest.withPassphrase(plain, "init", "--root-key-bits", "2048"));
        assertThat(without.out()).contains("No public base URL");
    }

    @Test
    void serveWarnsWhenThePublicBaseUrlIsUnsetOrHttps() {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("serve-warning-test");
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        var dir = new org.scepca.ca.material.CaDirectory(Path.of("/tmp/x"));
        java.util.function.Function<String, org.scepca.ca.config.CaConfig> config = url -> {
            var p = new java.util.Properties();
            if (url != null) {
                p.setProperty("public-base-url", url);
            }
            return org.scepca.ca.config.CaConfig.from(p);
        };
        ServeCommand.warnAboutBaseUrl(config.apply(null), dir, logger);
        ServeCommand.warnAboutBaseUrl(config.apply("https://ca.example.com"), dir, logger);
        ServeCommand.warnAboutBaseUrl(config.apply("http://ca.example.com"), dir, logger);
        List<String> lines = appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("public-base-url is not set");
        assertThat(lines.get(1)).startsWith("public-base-url is https (https://ca.example.com)").contains("use http://");
    }
}
