package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.scepca.server.profiles.ProfilePlists.data;
import static org.scepca.server.profiles.ProfilePlists.hasPayload;
import static org.scepca.server.profiles.ProfilePlists.scepContent;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CertificateMaker;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

import com.dd.plist.NSDictionary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code scepca profile} through {@link Main#run}, as an admin would type it. */
class ProfileCommandTest {
    private static final String STATIC = "static-challenge-for-jamf-0123";
    private static final String URL = "https://ca.example.test/scep";

    @TempDir
    static Path tmp;
    static Path data;
    static Path passphraseFile;
    static X509Certificate root;

    @BeforeAll
    static void createCa() throws Exception {
        data = tmp.resolve("data");
        TestPki.create(data).close();
        Files.writeString(new CaDirectory(data).configFile(), "scep.static-challenge=" + STATIC + "\n");
        passphraseFile = tmp.resolve("passphrase");
        Files.writeString(passphraseFile, "test-passphrase-123\n");
        root = Pem.readCertificates(new CaDirectory(data).rootCert()).get(0);
    }

    record Run(int exit, String out, String err) {
    }

    static Run scepca(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", data.toString(), "--passphrase-file", passphraseFile.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static int activeChallenges() {
        Run list = scepca("challenge", "list");
        assertThat(list.exit()).isZero();
        return (int) list.out().lines().count() - 1;
    }

    @ParameterizedTest(name = "ok/{0}")
    @ValueSource(strings = {"generic", "jamf", "intune"})
    void eachPresetMakesAProfileThatAppleSchemaAccepts(String preset) throws Exception {
        Path out = tmp.resolve("presets/" + preset + ".mobileconfig");
        Run run = scepca("profile", "--preset", preset, "--url", URL, "--out", out.toString(), "--key-size", "4096",
                "--subject", "CN=Lab Device,O=scepca tests");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote " + out).contains("CAFingerprint:  SHA-1 " + Pem.fingerprint("SHA-1", root));
        NSDictionary profile = valid(Files.readAllBytes(out));
        NSDictionary scep = scepContent(profile);
        assertThat(string(scep, "URL")).isEqualTo(URL);
        assertThat(scep.objectForKey("Keysize").toJavaObject()).isEqualTo(4096);
        assertThat(data(scep, "CAFingerprint")).isEqualTo(MessageDigest.getInstance("SHA-1").digest(root.getEncoded()));
        assertThat(hasPayload(profile, "com.apple.security.root")).isTrue();
        assertThat(hasPayload(profile, "com.apple.security.pkcs1")).as("issuing CA included by default").isTrue();
        assertThat(Files.getPosixFilePermissions(out)).as("holds a challenge").hasSize(2);
        if (preset.equals("generic")) {
            assertThat(string(scep, "Challenge")).hasSize(32).isNotEqualTo(STATIC);
            assertThat(run.out()).contains("challenge:      one-time, id ");
        } else {
            // One profile for many devices: the configured static challenge.
            assertThat(string(scep, "Challenge")).isEqualTo(STATIC);
        }
    }

    @Test
    void intuneAlsoWritesTheRootAndTheSheetNextToTheProfile() throws Exception {
        Path out = tmp.resolve("intune/acme.mobileconfig");
        Run run = scepca("profile", "--preset", "intune", "--url", URL, "--out", out.toString(), "--static-challenge");

        assertThat(run.exit()).as(run.err()).isZero();
        Path cer = tmp.resolve("intune/acme-root.cer");
        Path json = tmp.resolve("intune/acme-intune.json");
        Path txt = tmp.resolve("intune/acme-intune.txt");
        assertThat(run.out()).contains(cer.toString(), json.toString(), txt.toString());
        assertThat(Files.readAllBytes(cer)).isEqualTo(root.getEncoded());
        JsonNode sheet = new ObjectMapper().readTree(json.toFile());
        assertThat(sheet.at("/scepCertificate/scepServerUrls/0").asText()).isEqualTo(URL);
        assertThat(sheet.at("/trustedCertificate/sha1Thumbprint").asText()).isEqualTo(Pem.fingerprint("SHA-1", root));
        assertThat(Files.readString(txt)).contains("SCEP Server URLs", URL, "{{DeviceId}}");
        assertThat(string(scepContent(valid(Files.readAllBytes(out))), "Challenge")).isEqualTo(STATIC);
    }

    @Test
    void signedProfileVerifiesWithOpensslWithoutPurposeOverride_andEncapsulatesTheExactPlist() throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary not installed");
        // A static challenge makes the output deterministic, so the unsigned run is the expected content.
        Path plain = tmp.resolve("signed/plain.mobileconfig");
        Path signed = tmp.resolve("signed/signed.mobileconfig");
        Path extracted = tmp.resolve("signed/extracted.plist");
        assertThat(scepca("profile", "--preset", "jamf", "--url", URL, "--out", plain.toString()).exit()).isZero();
        Run run = scepca("profile", "--preset", "jamf", "--url", URL, "--out", signed.toString(), "--sign");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("signed by O=scepca tests,CN=scepca tests Profile Signing");

        // No -purpose: the signer's EKU is emailProtection, which openssl's default S/MIME purpose accepts.
        OpenSsl.Result verify = OpenSsl.run("cms", "-verify", "-inform", "DER", "-in", signed.toString(), "-CAfile",
                new CaDirectory(data).rootCert().toString(), "-out", extracted.toString());
        assertThat(verify.ok()).as(verify.output()).isTrue();
        assertThat(verify.output()).contains("Verification successful");
        assertThat(Files.readAllBytes(extracted)).isEqualTo(Files.readAllBytes(plain));
        assertThat((byte[]) new CMSSignedData(Files.readAllBytes(signed)).getSignedContent().getContent())
                .isEqualTo(Files.readAllBytes(plain));

        Run list = scepca("cert", "list");
        assertThat(list.out()).contains("Profile Signing");
    }

    @Test
    void importedPkcs12SignsInsteadOfTheCaIdentity() throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary not installed");
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        KeyPair rootKeys = KeyPairs.rsa(2048, random);
        X509Certificate otherRoot = CertificateMaker.selfSignedRoot(new X500Name("CN=Other Root"), rootKeys,
                BigInteger.valueOf(1), now.minusSeconds(60), now.plus(30, ChronoUnit.DAYS));
        KeyPair leafKeys = KeyPairs.rsa(2048, random);
        X509Certificate leaf = CertificateMaker.profileSigner(new X500Name("CN=Imported Signer"), leafKeys.getPublic(),
                otherRoot, rootKeys.getPrivate(), BigInteger.valueOf(2), now.minusSeconds(60), now.plus(10, ChronoUnit.DAYS),
                java.util.Optional.empty());
        Path p12 = tmp.resolve("import/signer.p12");
        Path p12Pass = tmp.resolve("import/pass");
        Files.createDirectories(p12.getParent());
        Pkcs12Files.write(p12, leafKeys.getPrivate(), List.of(leaf, otherRoot), Passphrase.of("import-passphrase"));
        Files.writeString(p12Pass, "import-passphrase\n");
        Path otherRootPem = tmp.resolve("import/root.pem");
        Files.writeString(otherRootPem, Pem.encode(otherRoot));
        Path out = tmp.resolve("import/profile.mobileconfig");

        Run run = scepca("profile", "--url", URL, "--out", out.toString(), "--signing-p12", p12.toString(),
                "--signing-p12-passphrase-file", p12Pass.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("signed by CN=Imported Signer");
        OpenSsl.Result verify = OpenSsl.run("cms", "-verify", "-inform", "DER", "-in", out.toString(), "-CAfile",
                otherRootPem.toString(), "-out", "/dev/null");
        assertThat(verify.ok()).as(verify.output()).isTrue();

        Run wrong = scepca("profile", "--url", URL, "--out", tmp.resolve("import/x.mobileconfig").toString(),
                "--signing-p12", p12.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err().strip()).isEqualTo("scepca: wrong passphrase for " + p12);
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "url        | --url=ftp://ca.example.test/scep     | scepca: url: url must be http or https: ftp://ca.example.test/scep",
            "key-size   | --key-size=1024                      | scepca: key-size: keySize 1024 is too weak",
            "subject    | --subject=CN=a,,O=b                  | scepca: subject: malformed subject template \"CN=a,,O=b\"",
            "key-usage  | --key-usage=2                        | scepca: key-usage: keyUsage must be 1 (signing), 4 (encryption) or 5",
            "preset     | --preset=mdm                         | scepca: preset must be one of generic, jamf, intune: mdm",
            "ttl        | --challenge-ttl=60d                  | scepca: challenge-ttl: must be between 1 second and 30 days",
            "jamf-mode  | --jamf-challenge=dynamic             | scepca: jamf-challenge: is for the jamf preset only"})
    void badInputExitsWithCodeOneAndOneLine_writingAndMintingNothing(String name, String option, String expected) {
        int challengesBefore = activeChallenges();
        Path out = tmp.resolve("bad/" + name + ".mobileconfig");
        List<String> args = new ArrayList<>(List.of("profile", "--out", out.toString(), "--sign", option));
        if (!option.startsWith("--url=")) {
            args.addAll(List.of("--url", URL));
        }

        Run run = scepca(args.toArray(String[]::new));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().lines().toList()).as(run.err()).singleElement().asString().startsWith(expected);
        assertThat(out).doesNotExist();
        assertThat(activeChallenges()).isEqualTo(challengesBefore);
    }

    @Test
    void helpListsTheProfileCommand() {
        StringWriter out = new StringWriter();
        Main.run(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(out.toString()).contains("profile");
    }
}
