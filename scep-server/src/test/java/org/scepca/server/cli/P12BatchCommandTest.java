package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.profiles.ProfilePlists;

import com.dd.plist.NSDictionary;

/** {@code scepca p12 batch}: files checked by the real {@code openssl pkcs12 -legacy}. */
class P12BatchCommandTest {
    @BeforeEach
    void auditLinesReachTheFile() {
        AuditOn.inThisJvm();
    }

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

        Path sheet = sheet(out);
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
    void mobileconfigCarriesThePkcs12AndTheRoot_schemaValid_withoutThePasswordUnlessEmbedded() throws Exception {
        Path out = tmp.resolve("mc");
        batch("mc-ipad-1\n", out, "--mobileconfig", "--identifier-prefix", "com.example.pilot");
        Path mc = out.resolve("mc-ipad-1.mobileconfig");
        assertThat(Files.getPosixFilePermissions(mc)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String[] row = passwordRows(out).get(0).split(",");
        String password = row[3];

        NSDictionary profile = ProfilePlists.valid(Files.readAllBytes(mc));
        assertThat(ProfilePlists.string(profile, "PayloadIdentifier")).isEqualTo("com.example.pilot.p12.mc-ipad-1");
        NSDictionary identity = ProfilePlists.payload(profile, "com.apple.security.pkcs12");
        assertThat(identity.containsKey("Password")).as("the device asks for the password").isFalse();
        assertThat(ProfilePlists.string(identity, "PayloadCertificateFileName")).isEqualTo("mc-ipad-1.p12");
        byte[] p12 = ProfilePlists.data(identity, "PayloadContent");
        assertThat(p12).isEqualTo(Files.readAllBytes(out.resolve("mc-ipad-1.p12")));
        NSDictionary rootPayload = ProfilePlists.payload(profile, "com.apple.security.root");
        try (CertificateAuthority ca = open()) {
            assertThat(ProfilePlists.data(rootPayload, "PayloadContent")).isEqualTo(ca.material().root().getEncoded());
        }

        // The embedded PKCS#12 opens with the sheet's password, and its key belongs to its certificate.
        KeyStore store = KeyStore.getInstance("PKCS12", new BouncyCastleProvider());
        store.load(new ByteArrayInputStream(p12), password.toCharArray());
        String alias = Collections.list(store.aliases()).stream().filter(a -> {
            try {
                return store.isKeyEntry(a);
            } catch (java.security.KeyStoreException e) {
                throw new IllegalStateException(e);
            }
        }).findFirst().orElseThrow();
        X509Certificate cert = (X509Certificate) store.getCertificate(alias);
        assertThat(cert.getSerialNumber()).isEqualTo(new BigInteger(row[2], 16));
        PrivateKey key = (PrivateKey) store.getKey(alias, password.toCharArray());
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).as("the key matches the certificate").isTrue();

        Path embedded = tmp.resolve("mc-embedded");
        batch("mc-ipad-1\n", embedded, "--mobileconfig", "--embed-password", "--sign");
        CMSSignedData cms = new CMSSignedData(Files.readAllBytes(embedded.resolve("mc-ipad-1.mobileconfig")));
        assertThat(cms.getSignerInfos().size()).isEqualTo(1);
        NSDictionary signedProfile = ProfilePlists.valid((byte[]) cms.getSignedContent().getContent());
        assertThat(ProfilePlists.string(signedProfile, "PayloadIdentifier"))
                .matches("org\\.scepca\\.ca-[0-9a-f]{10}\\.p12\\.mc-ipad-1");
        assertThat(ProfilePlists.string(ProfilePlists.payload(signedProfile, "com.apple.security.pkcs12"), "Password"))
                .isEqualTo(passwordRows(embedded).get(0).split(",")[3]);
    }

    @Test
    void profileOptionsWithoutMobileconfigAreRefused() throws Exception {
        Path list = Files.writeString(Files.createTempFile(tmp, "devices", ".txt"), "x\n");
        CliRun run = CliRun.scepca(data, passphraseFile, "p12", "batch", "--devices", list.toString(), "--out",
                tmp.resolve("nomc").toString(), "--embed-password");
        assertThat(run.err()).contains("add --mobileconfig");
        assertThat(run.exit()).isNotZero();
        assertThat(Files.exists(tmp.resolve("nomc"))).isFalse();
    }

    /** Runs {@code p12 batch} on a device list with this content and asserts it succeeds. */
    private static void batch(String devices, Path out, String... options) throws Exception {
        Path list = Files.writeString(Files.createTempFile(tmp, "devices", ".txt"), devices);
        CliRun run = CliRun.scepca(data, passphraseFile, Stream.concat(Stream.of("p12", "batch", "--devices",
                list.toString(), "--out", out.toString()), Stream.of(options)).toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
    }

    private static Path sheet(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> p.getFileName().toString().startsWith("passwords-")).findFirst().orElseThrow();
        }
    }

    private static List<String> passwordRows(Path out) throws Exception {
        List<String> rows = Files.readAllLines(sheet(out));
        return rows.subList(1, rows.size());
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
