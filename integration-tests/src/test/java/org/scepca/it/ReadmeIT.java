package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.jscep.client.Client;
import org.jscep.client.EnrollmentResponse;
import org.jscep.client.verification.OptimisticCertificateVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.FreePorts;
import org.scepca.profiles.AppleProfileSchema;
import org.scepca.server.cli.Providers;

/**
 * The README's "Enroll a first device" commands, run as written: every {@code sh} block that follows a
 * {@code <!-- ReadmeIT: NAME -->} marker, line by line with bash, in a fresh folder whose {@code ./scepca} runs the
 * jar the reactor built. Only what cannot be the same on a test machine is replaced: port 8080 by a free port (the
 * server takes {@code SCEPCA_PORT}), the example host by 127.0.0.1, {@code <challenge>} and {@code <serial>} by what
 * the earlier commands printed, {@code /tmp/} by the test's folder, and {@code getcert} talks to a private certmonger
 * ({@code getcert CMD -s}, see {@link CertmongerSession}). A README edit that breaks a command breaks this test.
 */
class ReadmeIT {
    private static final Pattern MARKER = Pattern.compile("<!-- ReadmeIT: (\\S+) -->\\s*\\n```sh\\n(.*?)\\n```", Pattern.DOTALL);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path work;
    private final List<Process> background = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> values = new HashMap<>();
    private int port;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : background) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static Map<String, List<String>> blocks() throws IOException {
        String readme = Files.readString(repoRoot().resolve("README.md"));
        Map<String, List<String>> out = new HashMap<>();
        Matcher m = MARKER.matcher(readme);
        while (m.find()) {
            out.put(m.group(1), List.of(m.group(2).split("\n")));
        }
        return out;
    }

    @Test
    void readmeHasBothTestedBlocks() throws IOException {
        assertThat(blocks()).containsKeys("profile", "certmonger");
    }

    /** The profile block: the server, a profile, and (after a device installed it) the certificate in the list. */
    @Test
    void profileBlockMakesAProfileADeviceEnrollsWith() throws Exception {
        prepare();
        List<String> lines = blocks().get("profile");
        for (String line : lines) {
            String out = run(line);
            if (line.contains("scepca profile")) {
                Path file = work.resolve(arg(line, "--out"));
                byte[] mobileconfig = Files.readAllBytes(file);
                assertThat(AppleProfileSchema.load().validate(mobileconfig)).isEmpty();
                // The device: installs the profile, i.e. enrolls exactly as its SCEP payload says.
                X509Certificate issued = enrollLikeAnAppleDevice(mobileconfig);
                values.put("serial", issued.getSerialNumber().toString(16));
                assertThat(X500Name.getInstance(issued.getSubjectX500Principal().getEncoded()))
                        .isEqualTo(new X500Name(arg(line, "--subject").replace("'", "")));
            }
            if (line.contains("scepca cert list")) {
                assertThat(out).contains(values.get("serial")).contains("active");
            }
        }
        assertThat(values).containsKey("serial");
    }

    /** The certmonger block: a challenge, Debian's certmonger enrolls with it, the CLI lists and revokes. */
    @Test
    void certmongerBlockEnrollsListsAndRevokes() throws Exception {
        assumeTrue(CertmongerSession.installed(), "certmonger is not installed");
        prepare();
        // The profile block starts the server; the certmonger block continues from it, as a reader would.
        run(blocks().get("profile").get(0));
        try (CertmongerSession certmonger = CertmongerSession.start(work.resolve("cm"))) {
            env.putAll(certmonger.environment());
            for (String line : blocks().get("certmonger")) {
                String out = run(line);
                if (line.contains("challenge create")) {
                    Matcher m = Pattern.compile("(?m)^challenge:\\s+(\\S+)").matcher(out);
                    assertThat(m.find()).as(out).isTrue();
                    values.put("challenge", m.group(1));
                }
                if (line.contains("getcert request")) {
                    Path cert = work.resolve("dev.crt");
                    awaitFile(cert, certmonger);
                    X509Certificate issued = Pem.readCertificates(cert).get(0);
                    values.put("serial", issued.getSerialNumber().toString(16));
                    assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=my-device");
                }
                if (line.contains("scepca cert list")) {
                    assertThat(out).contains(values.get("serial"));
                }
                if (line.contains("scepca cert revoke")) {
                    // "on the CRL before the command returns": read the CRL file right after it.
                    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(
                            new ByteArrayInputStream(Files.readAllBytes(work.resolve("data/crl/intermediate.crl"))));
                    assertThat(crl.getRevokedCertificate(new BigInteger(values.get("serial"), 16))).isNotNull();
                }
            }
        }
    }

    private void prepare() throws IOException {
        Path repo = repoRoot();
        Path jar = repo.resolve("scep-server/target/scepca.jar");
        assertThat(jar).as("built by the reactor's package phase").isRegularFile();
        Path launcher = work.resolve("scepca");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' @'"
                + repo.resolve("scep-server/jvm.options") + "' -jar '" + jar + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        port = FreePorts.next();
        env.put("SCEPCA_PORT", Integer.toString(port));
        env.put("SCEPCA_ADMIN_PORT", Integer.toString(FreePorts.next()));
    }

    /** Runs one README line; a line ending in {@code &} starts the server and waits until it answers. */
    private String run(String readmeLine) throws Exception {
        String line = readmeLine.replace("192.0.2.10:8080", "127.0.0.1:" + port).replace("localhost:8080", "127.0.0.1:" + port)
                .replace("/tmp/", work + "/").replaceAll("getcert (\\S+)", "getcert $1 -s");
        for (Map.Entry<String, String> v : values.entrySet()) {
            line = line.replace("<" + v.getKey() + ">", v.getValue());
        }
        assertThat(line).as("every placeholder is known when its line runs").doesNotContainPattern("<[a-z]+>");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (line.strip().endsWith("&")) {
            pb.command("bash", "-c", "exec " + line.strip().replaceAll("&$", ""));
            pb.redirectOutput(work.resolve("server.log").toFile());
            background.add(pb.start());
            awaitServer();
            return "";
        }
        Path out = Files.createTempFile(work, "cmd", ".out");
        Process p = pb.redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("finished: " + line).isTrue();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(line + "\n" + printed).isZero();
        return printed;
    }

    private void awaitServer() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(background.get(background.size() - 1).isAlive())
                    .as("server still running: " + Files.readString(work.resolve("server.log"))).isTrue();
            Thread.sleep(250);
        }
        throw new AssertionError("the server did not answer /readyz:\n" + Files.readString(work.resolve("server.log")));
    }

    private static void awaitFile(Path file, CertmongerSession certmonger) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(file)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("certmonger wrote no " + file + certmonger.diagnostics());
    }

    private X509Certificate enrollLikeAnAppleDevice(byte[] mobileconfig) throws Exception {
        Providers.register();
        ProfileEnrollmentIT.ScepPayload profile = ProfileEnrollmentIT.scepPayload(mobileconfig);
        assertThat(profile.url()).isEqualTo("http://127.0.0.1:" + port + "/scep");
        Client client = new Client(new URL(profile.url()), new org.jscep.client.DefaultCallbackHandler(
                new OptimisticCertificateVerifier()));
        List<X509Certificate> caCerts = ProfileEnrollmentIT.certificates(client.getCaCertificate());
        X509Certificate checked = ProfileEnrollmentIT.appleCheckedCertificate(caCerts);
        assertThat(profile.caFingerprint())
                .isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(checked.getEncoded()));
        KeyPair keys = KeyPairs.rsa(profile.keysize(), new SecureRandom());
        X500Name subject = profile.subject();
        EnrollmentResponse response = client.enrol(ProfileEnrollmentIT.selfSigned(subject, keys), keys.getPrivate(),
                ProfileEnrollmentIT.csr(subject, keys, profile.challenge()));
        assertThat(response.isSuccess()).as("failInfo %s", response.isFailure() ? response.getFailInfo() : null).isTrue();
        return ProfileEnrollmentIT.certificates(response.getCertStore()).stream()
                .filter(c -> c.getPublicKey().equals(keys.getPublic())).findFirst().orElseThrow();
    }

    private static String arg(String line, String option) {
        Matcher m = Pattern.compile(Pattern.quote(option) + "\\s+('[^']*'|\\S+)").matcher(line);
        assertThat(m.find()).as(option + " in " + line).isTrue();
        return m.group(1);
    }


    static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isRegularFile(here.resolve("README.md")) && Files.isDirectory(here.resolve("docs")) ? here
                : here.getParent();
    }
}
