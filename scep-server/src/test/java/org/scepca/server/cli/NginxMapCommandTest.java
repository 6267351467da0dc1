package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.batch.NginxMap;

/** {@code scepca nginx-map}: nginx's serial format, escaping checked by a real {@code nginx -t}. */
class NginxMapCommandTest {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final String HOSTILE = "CN=evil\\\"; } server { listen 9; } map $a $b { \\\"x";

    @TempDir
    static Path tmp;
    static Path data;
    static Path passphraseFile;
    static List<IssuedCertificate> issued = new ArrayList<>();

    @BeforeAll
    static void createCaWithDevices() throws Exception {
        data = tmp.resolve("data");
        TestPki.create(data).close();
        passphraseFile = tmp.resolve("passphrase");
        Files.writeString(passphraseFile, "test-passphrase-123\n");
        try (CertificateAuthority ca = open()) {
            for (String subject : List.of("CN=iPad-17,O=Example", "CN=Mac;{braces},O=Example", HOSTILE + ",O=Example",
                    "CN=to-be-revoked,O=Example")) {
                issued.add(issue(ca, subject));
            }
            ca.revocation().revoke(issued.get(3).record().serial(), RevocationReason.KEY_COMPROMISE, "test");
        }
    }

    private static IssuedCertificate issue(CertificateAuthority ca, String subject) throws Exception {
        KeyPair keys = KeyPairs.ec("secp256r1", new SecureRandom());
        var csr = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        return ca.issuance().issue(new IssuanceRequest(csr, "test", CertificateProfile.CLIENT, IssuanceEffects.none()));
    }

    private static CertificateAuthority open() {
        return CertificateAuthority.open(new CaDirectory(data), TestPki.PASSPHRASE,
                CaConfig.load(new CaDirectory(data).configFile()), Clock.systemUTC(), new SecureRandom());
    }

    static CliRun scepca(String... args) {
        return CliRun.scepca(data, passphraseFile, args);
    }

    @Test
    void serialsAreFormattedAsNginxAndOpensslPrintThem() throws Exception {
        assertThat(NginxMap.nginxSerial(BigInteger.valueOf(0x0A))).isEqualTo("0A");
        assertThat(NginxMap.nginxSerial(BigInteger.valueOf(0xFF))).as("no DER sign byte").isEqualTo("FF");
        assertThat(NginxMap.nginxSerial(new BigInteger("0ABC", 16))).isEqualTo("0ABC");
        assertThat(NginxMap.nginxSerial(BigInteger.ZERO)).isEqualTo("00");
        // openssl x509 -serial prints i2a_ASN1_INTEGER, the function behind nginx's $ssl_client_serial.
        for (IssuedCertificate c : issued) {
            Path pem = tmp.resolve(c.record().serialHex() + ".pem");
            Files.writeString(pem, org.scepca.ca.pem.Pem.encode(c.certificate()));
            Process p = new ProcessBuilder("openssl", "x509", "-noout", "-serial", "-in", pem.toString())
                    .redirectErrorStream(true).start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertThat(p.waitFor()).isZero();
            assertThat(printed).isEqualTo("serial=" + NginxMap.nginxSerial(c.record().serial()));
        }
    }

    @Test
    void mapListsActiveDeviceCertificatesOnly_andHostileSubjectsCannotAddDirectives() throws Exception {
        CliRun run = scepca("nginx-map");
        assertThat(run.exit()).as(run.err()).isZero();
        String map = run.out();
        assertThat(map).contains("map $ssl_client_serial $scepca_device {", "default \"\";");
        assertThat(map).contains("\"" + NginxMap.nginxSerial(issued.get(0).record().serial()) + "\" \"O=Example,CN=iPad-17\";");
        assertThat(map).doesNotContain(NginxMap.nginxSerial(issued.get(3).record().serial()));
        assertThat(map.lines().filter(l -> l.startsWith("    \""))).hasSize(3);
        assertThat(map).doesNotContain("$a", "{braces}").as("no second block").containsOnlyOnce("{").containsOnlyOnce("}");
        nginxTest(map);

        CliRun bySubject = scepca("nginx-map", "--by", "subject");
        assertThat(bySubject.exit()).isZero();
        assertThat(bySubject.out()).contains("map $ssl_client_s_dn $scepca_device {",
                "\"O=Example,CN=Mac\\\\;{braces}\" \"O=Example,CN=Mac___braces_\";");
        assertThat(bySubject.err()).contains("left out " + issued.get(2).record().serialHex());
        nginxTest(bySubject.out());
    }

    @Test
    void outIsWrittenAtomically_andOnlyWhenItChanged() throws Exception {
        Path out = tmp.resolve("nginx/devices.map");
        Files.createDirectories(out.getParent());
        assertThat(scepca("nginx-map", "--out", out.toString()).out()).contains("wrote " + out + " (3 active");
        assertThat(scepca("nginx-map", "--out", out.toString()).out()).contains("is up to date");
        assertThat(scepca("nginx-map", "--variable", "$x; include /etc/passwd").exit()).isNotZero();
        assertThat(scepca("nginx-map", "--watch", "10s").exit()).as("--watch needs --out").isNotZero();
    }

    /** A real nginx accepts the map: one map block, nothing else injected. */
    private static void nginxTest(String map) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx not installed");
        Path prefix = Files.createTempDirectory(tmp, "nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("devices.map"), map);
        Files.writeString(prefix.resolve("nginx.conf"), "pid " + prefix.resolve("nginx.pid") + ";\n"
                + "error_log " + prefix.resolve("logs/error.log") + ";\nevents {}\nhttp {\n    include "
                + prefix.resolve("devices.map") + ";\n    server { listen 127.0.0.1:1; location / {"
                + " if ($scepca_device = \"\") { return 403; } return 200; } }\n}\n");
        Process p = new ProcessBuilder(NGINX.toString(), "-t", "-p", prefix.toString(), "-c",
                prefix.resolve("nginx.conf").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
