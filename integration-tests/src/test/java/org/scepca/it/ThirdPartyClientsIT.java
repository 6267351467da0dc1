package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * Two more SCEP clients nobody here wrote, from Debian: strongSwan's {@code pki --scep} (C, follows RFC 8894) and
 * micromdm's {@code scepclient} (Go). They differ from jscep and certmonger in what they pick and expect: strongSwan
 * insists on rsaEncryption in SignerInfo and reads capabilities its own way; this scepclient encrypts with single DES.
 */
class ThirdPartyClientsIT {
    private static final Path PKI = Path.of("/usr/bin/pki");
    private static final Path SCEPCLIENT = Path.of("/usr/bin/scepclient");

    record Result(int exit, String output) {
    }

    static Result run(Path workDir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static AuditLines audit;

    @org.junit.jupiter.api.BeforeEach
    void listen() {
        audit = AuditLines.attach();
    }

    @org.junit.jupiter.api.AfterEach
    void stopListening() {
        audit.detach();
    }

    /** The server's side of the story, for assertion messages. */
    static String auditTrail() {
        return String.join("\n", audit.lines());
    }

    static Running start(Path dir, CaConfig config) throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        return Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config, ServerConfig.defaults("127.0.0.1", 0));
    }

    static String challenge(Running server) {
        return server.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("third-party-it")).secret();
    }

    @Test
    void strongSwanEnrollsAndRenewsWithAesAndSha256(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(PKI), "strongswan-pki not installed");
        Path dir = tmp.resolve("data");
        try (Running server = start(dir, CaConfig.defaults())) {
            String url = "http://127.0.0.1:" + server.port() + "/scep";
            var d = new CaDirectory(dir);
            Result ca = run(tmp, PKI.toString(), "--scepca", "--url", url);
            assertThat(ca.exit()).as(ca.output()).isZero();
            assertThat(ca.output()).contains("Test Issuing CA").contains("Test SCEP RA");

            Result key = run(tmp, PKI.toString(), "--gen", "--type", "rsa", "--size", "2048", "--outform", "pem");
            Files.writeString(tmp.resolve("device.key"), key.output().substring(key.output().indexOf("-----BEGIN")));
            List<String> enroll = new ArrayList<>(List.of(PKI.toString(), "--scep", "--url", url, "--in", "device.key",
                    "--dn", "CN=strongswan-device, O=Acme", "--san", "strongswan.acme.test",
                    "--password", challenge(server), "--cacert-enc", d.raCert().toString(), "--cacert-sig",
                    d.raCert().toString(), "--cacert", d.intermediateCert().toString(), "--cacert", d.rootCert().toString(),
                    "--outform", "pem"));
            Result issued = run(tmp, enroll.toArray(new String[0]));
            assertThat(issued.exit()).as(issued.output() + auditTrail()).isZero();
            X509Certificate cert = Pem.certificate(pemBlock(issued.output()));
            cert.verify(server.ca().material().intermediateCertificate().getPublicKey());
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
            assertThat(cert.getBasicConstraints()).isEqualTo(-1);
            assertThat(server.ca().certificates().find(cert.getSerialNumber())).isPresent();
            Files.writeString(tmp.resolve("device.crt"), Pem.encode(cert));

            // Renewal (RFC 8894 §3.3.1.2) signed with the current certificate and key: no challenge.
            Result newKey = run(tmp, PKI.toString(), "--gen", "--type", "rsa", "--size", "2048", "--outform", "pem");
            Files.writeString(tmp.resolve("new.key"), newKey.output().substring(newKey.output().indexOf("-----BEGIN")));
            Result renewed = run(tmp, PKI.toString(), "--scep", "--url", url, "--in", "new.key",
                    "--dn", "CN=strongswan-device, O=Acme", "--cacert-enc", d.raCert().toString(), "--cacert-sig",
                    d.raCert().toString(), "--cacert", d.intermediateCert().toString(), "--cacert", d.rootCert().toString(),
                    "--cert", "device.crt", "--key", "device.key", "--outform", "pem");
            assertThat(renewed.exit()).as(renewed.output() + auditTrail()).isZero();
            X509Certificate second = Pem.certificate(pemBlock(renewed.output()));
            assertThat(second.getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
            var old = server.ca().certificates().find(cert.getSerialNumber()).orElseThrow();
            assertThat(old.status()).isEqualTo(CertificateStatus.REVOKED);
            assertThat(old.revocationReason()).contains(RevocationReason.SUPERSEDED);
        }
    }

    @Test
    void strongSwanWithDes3AndSha512Enrolls_andASha1SignedCsrIsRefusedWithBadAlg(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(PKI), "strongswan-pki not installed");
        Path dir = tmp.resolve("data");
        try (Running server = start(dir, CaConfig.defaults())) {
            var d = new CaDirectory(dir);
            Result key = run(tmp, PKI.toString(), "--gen", "--type", "rsa", "--size", "2048", "--outform", "pem");
            Files.writeString(tmp.resolve("k.key"), key.output().substring(key.output().indexOf("-----BEGIN")));
            Result issued = run(tmp, PKI.toString(), "--scep", "--url", "http://127.0.0.1:" + server.port() + "/scep",
                    "--in", "k.key", "--dn", "CN=legacy-router", "--password", challenge(server),
                    "--cacert-enc", d.raCert().toString(), "--cacert-sig", d.raCert().toString(),
                    "--cacert", d.intermediateCert().toString(), "--cacert", d.rootCert().toString(),
                    "--cipher", "des3", "--digest", "sha512", "--outform", "pem");
            assertThat(issued.exit()).as(issued.output() + auditTrail()).isZero();
            assertThat(Pem.certificate(pemBlock(issued.output())).getSubjectX500Principal().getName())
                    .isEqualTo("CN=legacy-router");
            // With --digest sha1 strongSwan also signs the CSR with SHA-1, which the issuance policy refuses.
            // (A new key: strongSwan derives the transaction id from the key, and a finished id is not reused.)
            Result key2 = run(tmp, PKI.toString(), "--gen", "--type", "rsa", "--size", "2048", "--outform", "pem");
            Files.writeString(tmp.resolve("k2.key"), key2.output().substring(key2.output().indexOf("-----BEGIN")));
            Result weak = run(tmp, PKI.toString(), "--scep", "--url", "http://127.0.0.1:" + server.port() + "/scep",
                    "--in", "k2.key", "--dn", "CN=legacy-router-2", "--password", challenge(server),
                    "--cacert-enc", d.raCert().toString(), "--cacert-sig", d.raCert().toString(),
                    "--cacert", d.intermediateCert().toString(), "--cacert", d.rootCert().toString(),
                    "--cipher", "des3", "--digest", "sha1", "--outform", "pem");
            assertThat(weak.exit()).isNotZero();
            assertThat(weak.output()).contains("badAlg");
        }
    }

    @Test
    void micromdmScepclientIsRefusedSingleDesByDefault_andEnrollsWithTheLegacySwitch(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(SCEPCLIENT), "micromdm scepclient (Debian package scep) not installed");
        try (Running server = start(tmp.resolve("strict"), CaConfig.defaults())) {
            Path work = Files.createDirectories(tmp.resolve("strict-client"));
            Result r = run(work, SCEPCLIENT.toString(), "-server-url", "http://127.0.0.1:" + server.port() + "/scep",
                    "-challenge", challenge(server), "-private-key", "key.pem", "-certificate", "cert.pem", "-cn", "go-client");
            // This client build encrypts with single DES whatever GetCACaps says; the safe default refuses it.
            assertThat(r.exit()).isNotZero();
            assertThat(r.output()).contains("badAlg");
            assertThat(work.resolve("cert.pem")).doesNotExist();
        }
        Properties legacy = new Properties();
        legacy.setProperty("scep.allow-single-des", "true");
        try (Running server = start(tmp.resolve("legacy"), CaConfig.from(legacy))) {
            Path work = Files.createDirectories(tmp.resolve("legacy-client"));
            Result r = run(work, SCEPCLIENT.toString(), "-server-url", "http://127.0.0.1:" + server.port() + "/scep",
                    "-challenge", challenge(server), "-private-key", "key.pem", "-certificate", "cert.pem", "-cn", "go-client");
            assertThat(r.exit()).as(r.output()).isZero();
            X509Certificate cert = Pem.readCertificates(work.resolve("cert.pem")).get(0);
            cert.verify(server.ca().material().intermediateCertificate().getPublicKey());
            assertThat(server.ca().certificates().find(cert.getSerialNumber())).isPresent();
        }
    }

    private static byte[] pemBlock(String output) {
        int a = output.indexOf("-----BEGIN CERTIFICATE-----");
        int b = output.indexOf("-----END CERTIFICATE-----");
        assertThat(a).as(output).isNotNegative();
        return output.substring(a, b + "-----END CERTIFICATE-----".length()).getBytes(StandardCharsets.US_ASCII);
    }
}
