package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.server.profiles.ProfilePlists.scepContent;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.testing.TestPki;

import com.dd.plist.NSDictionary;

/** {@code scepca profile batch} through {@link Main#run}. */
class ProfileBatchCommandTest {
    private static final String URL = "https://ca.example.test/scep";
    private static final String CSV = """
            name,serial,udid,user
            "Anna's iPad, 2nd",C02ABC123XYZ,00008030-001A2D3E3C02802E,anna@example.com
            Bob's iPhone,F9FXYZ12,,
            "../../escape",,,
            bad,$SERIALNUMBER,,
            """;

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

    static CliRun scepca(String... args) {
        return CliRun.scepca(data, passphraseFile, args);
    }

    private static Path csv(String name, String content) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesOneProfilePerDevice_eachWithItsOwnChallengeBoundToThatDevice_andReportsTheBadLine() throws Exception {
        Path out = tmp.resolve("profiles");
        CliRun run = scepca("profile", "batch", "--devices", csv("devices.csv", CSV).toString(), "--out", out.toString(),
                "--url", URL, "--identifier-prefix", "com.example.staging", "--organization", "Example");

        assertThat(run.exit()).as("a line was invalid").isEqualTo(1);
        assertThat(run.err()).contains("line 5: serial contains an MDM variable");
        assertThat(run.out()).contains("[1/3] written C02ABC123XYZ.mobileconfig", "[3/3] written _._.._escape.mobileconfig")
                .contains("written 3, skipped 0 (exist; --force replaces), failed 0, invalid lines 1");
        assertThat(files(out)).containsExactly("C02ABC123XYZ.mobileconfig", "F9FXYZ12.mobileconfig",
                "_._.._escape.mobileconfig");
        assertThat(Files.exists(tmp.resolve("escape.mobileconfig"))).isFalse();

        NSDictionary anna = valid(Files.readAllBytes(out.resolve("C02ABC123XYZ.mobileconfig")));
        NSDictionary bob = valid(Files.readAllBytes(out.resolve("F9FXYZ12.mobileconfig")));
        assertThat(string(anna, "PayloadIdentifier")).isEqualTo("com.example.staging.scep.generic");
        assertThat(Files.getPosixFilePermissions(out.resolve("F9FXYZ12.mobileconfig")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String annaSecret = string(scepContent(anna), "Challenge");
        String bobSecret = string(scepContent(bob), "Challenge");
        assertThat(annaSecret).isNotEqualTo(bobSecret);

        try (CertificateAuthority ca = open()) {
            var grant = ca.challenges().check(annaSecret).orElseThrow();
            assertThat(grant.names()).isInstanceOfSatisfying(NameBinding.class, b -> {
                assertThat(b.subject()).contains("O=Example,CN=C02ABC123XYZ");
                assertThat(b.sans()).containsExactlyInAnyOrder("uri:urn:udid:00008030-001A2D3E3C02802E",
                        "email:anna@example.com");
            });
            assertThat(grant.challenge().orElseThrow().note()).hasValueSatisfying(n -> assertThat(n)
                    .contains("device C02ABC123XYZ"));
            assertThat(ca.challenges().check(bobSecret).orElseThrow().names()).isInstanceOfSatisfying(NameBinding.class,
                    b -> assertThat(b.subject()).contains("O=Example,CN=F9FXYZ12"));
            assertThat(ca.challenges().listActive(100)).hasSize(3);
        }

        // Again: nothing is duplicated; --force replaces (with new challenges).
        CliRun again = scepca("profile", "batch", "--devices", tmp.resolve("devices.csv").toString(), "--out",
                out.toString(), "--url", URL);
        assertThat(again.out()).contains("written 0, skipped 3");
        try (CertificateAuthority ca = open()) {
            assertThat(ca.challenges().listActive(100)).hasSize(3);
        }
        CliRun forced = scepca("profile", "batch", "--devices", tmp.resolve("devices.csv").toString(), "--out",
                out.toString(), "--url", URL, "--force");
        assertThat(forced.out()).contains("written 3, skipped 0");
        assertThat(string(scepContent(valid(Files.readAllBytes(out.resolve("F9FXYZ12.mobileconfig")))), "Challenge"))
                .isNotEqualTo(bobSecret);
    }

    @Test
    void strictMakesNothingWhenALineIsInvalid() throws Exception {
        Path out = tmp.resolve("strict");
        CliRun run = scepca("profile", "batch", "--devices", csv("strict.csv", CSV).toString(), "--out", out.toString(),
                "--url", URL, "--strict");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("line 5: serial contains an MDM variable", "nothing was made (--strict)");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void signedBatchProfilesAreSignedLikeSingleOnes() throws Exception {
        Path out = tmp.resolve("signed");
        CliRun run = scepca("profile", "batch", "--devices", csv("signed.csv", "serial\nC02SIGNED01\n").toString(),
                "--out", out.toString(), "--url", URL, "--sign");
        assertThat(run.exit()).as(run.err()).isZero();
        CMSSignedData signed = new CMSSignedData(Files.readAllBytes(out.resolve("C02SIGNED01.mobileconfig")));
        byte[] plist = (byte[]) signed.getSignedContent().getContent();
        assertThat(string(valid(plist), "PayloadIdentifier")).matches("org\\.scepca\\.ca-[0-9a-f]{10}\\.scep\\.generic");
        assertThat(signed.getSignerInfos().size()).isEqualTo(1);
    }

    @Test
    void anUnusableListIsRefusedBeforeAnythingIsMade() throws Exception {
        Path out = tmp.resolve("unusable");
        CliRun run = scepca("profile", "batch", "--devices", csv("typo.csv", "nmae\nx\n").toString(), "--out",
                out.toString(), "--url", URL);
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("unknown column 'nmae'");
        assertThat(Files.exists(out)).isFalse();
    }

    private static CertificateAuthority open() {
        return CertificateAuthority.open(new CaDirectory(data), TestPki.PASSPHRASE,
                CaConfig.load(new CaDirectory(data).configFile()), Clock.systemUTC(), new SecureRandom());
    }
}
