package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.TestPki;

/** {@code scepca p12 batch}: files checked by the real {@code openssl pkcs12 -legacy}. */
class P12BatchCommandTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path passphraseFile;

    @BeforeAll
    static void createCa() throws Exception {
        data = tmp.resolve("data");
        TestPki.create(data).close();
        passphraseFile = tmp.resolve("passphrase");
        Files.writeString(passphraseFile, "test-passphrase-123\n");
    }

    private static String openssl(Path dir, String... args) throws Exception {
        Process p = new ProcessBuilder(Stream.concat(Stream.of("openssl"), Stream.of(args)).toList())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", args) + "\n" + out).isZero();
        return out;
    }

    @Test
    void issuesAStoredRevocableCertificatePerDevice_inA3desSha1MacPkcs12_withAnOwnerOnlyPasswordSheet() throws Exception {
        Path list = tmp.resolve("devices.txt");
        Files.writeString(list, "# pilot\nAnna's iPad\n\nlab-mac-17\n");
        Path out = tmp.resolve("p12");
        CliRun run = CliRun.scepca(data, passphraseFile, "p12", "batch", "--devices", list.toString(), "--out",
                out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("[1/2] written Anna_s_iPad.p12", "written 2, skipped 0, failed 0");

        Path sheet;
        try (Stream<Path> s = Files.list(out)) {
            sheet = s.filter(p -> p.getFileName().toString().startsWith("passwords-")).findFirst().orElseThrow();
        }
        assertThat(Files.getPosixFilePermissions(sheet)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(out.resolve("lab-mac-17.p12")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        List<String> rows = Files.readAllLines(sheet);
        assertThat(rows.get(0)).isEqualTo("device,file,serial,password");
        assertThat(rows).hasSize(3);

        for (String row : rows.subList(1, 3)) {
            String[] f = row.split(",");
            String file = f[1];
            String serial = f[2];
            String password = f[3];
            assertThat(password).matches("[A-HJ-NP-Za-km-z2-9]{5}(-[A-HJ-NP-Za-km-z2-9]{5}){3}");
            // OpenSSL 3 needs -legacy to read 3DES at all: the algorithms iOS up to 17 requires.
            String info = openssl(out, "pkcs12", "-info", "-legacy", "-noout", "-in", file, "-passin", "pass:" + password);
            assertThat(info).contains("MAC: sha1").contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC")
                    .contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC").doesNotContain("PBES2", "AES");
            openssl(out, "pkcs12", "-legacy", "-in", file, "-passin", "pass:" + password, "-nodes", "-out", file + ".pem");
            String certKey = openssl(out, "x509", "-in", file + ".pem", "-noout", "-pubkey");
            String privateKeysPublic = openssl(out, "pkey", "-in", file + ".pem", "-pubout");
            assertThat(privateKeysPublic).as("the key matches the certificate").isEqualTo(certKey);
            String printed = openssl(out, "x509", "-in", file + ".pem", "-noout", "-serial").strip();
            assertThat(new BigInteger(printed.substring("serial=".length()), 16)).isEqualTo(new BigInteger(serial, 16));

            try (CertificateAuthority ca = open()) {
                var record = ca.certificates().find(new BigInteger(serial, 16)).orElseThrow();
                assertThat(record.profile()).isEqualTo(CertificateProfile.CLIENT_PKCS12);
                assertThat(record.subjectDn()).contains("CN=");
                ca.revocation().revoke(record.serial(), RevocationReason.SUPERSEDED, "test");
                assertThat(ca.certificates().find(record.serial()).orElseThrow().status())
                        .isEqualTo(CertificateStatus.REVOKED);
            }
        }
        assertThat(Files.readString(data.resolve("logs/audit.log"))).contains("op=p12-issue");

        CliRun again = CliRun.scepca(data, passphraseFile, "p12", "batch", "--devices", list.toString(), "--out",
                out.toString(), "--key", "ec");
        assertThat(again.out()).contains("written 0, skipped 2");
    }

    @Test
    void aBadLineStopsTheBatchBeforeAnythingIsIssued() throws Exception {
        Path list = tmp.resolve("bad.txt");
        Files.writeString(list, "ok\n$DEVICENAME\nok\n");
        CliRun run = CliRun.scepca(data, passphraseFile, "p12", "batch", "--devices", list.toString(), "--out",
                tmp.resolve("bad").toString());
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("line 2: a device name", "line 3: the same file name as line 1",
                "nothing was issued");
        assertThat(Files.exists(tmp.resolve("bad"))).isFalse();
    }

    private static CertificateAuthority open() {
        return CertificateAuthority.open(new CaDirectory(data), TestPki.PASSPHRASE,
                CaConfig.load(new CaDirectory(data).configFile()), Clock.systemUTC(), new SecureRandom());
    }
}
