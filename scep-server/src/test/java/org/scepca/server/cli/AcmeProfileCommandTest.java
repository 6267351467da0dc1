package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.scepca.server.profiles.ProfilePlists.hasPayload;
import static org.scepca.server.profiles.ProfilePlists.payload;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

import com.dd.plist.NSDictionary;

/** {@code scepca profile --protocol acme|both} through {@link Main#run}, as an admin would type it. */
class AcmeProfileCommandTest {
    private static final String STATIC = "static-challenge-for-jamf-0123";
    private static final String SCEP_URL = "https://ca.example.test/scep";

    @TempDir
    static Path tmp;
    static Path data;
    static Path passphraseFile;

    @BeforeAll
    static void createCa() throws Exception {
        data = tmp.resolve("data");
        TestPki.create(data).close();
        Files.writeString(new CaDirectory(data).configFile(),
                "scep.static-challenge=" + STATIC + "\npublic-base-url=https://ca.example.test\n");
        passphraseFile = tmp.resolve("passphrase");
        Files.writeString(passphraseFile, "test-passphrase-123\n");
    }

    static CliRun scepca(String... args) {
        return CliRun.scepca(data, passphraseFile, args);
    }

    private static long activeChallenges() {
        CliRun list = scepca("challenge", "list");
        assertThat(list.exit()).isZero();
        return list.out().lines().count() - 1;
    }

    private static NSDictionary acme(Path file) throws Exception {
        return payload(valid(Files.readAllBytes(file)), "com.apple.security.acme");
    }

    @ParameterizedTest(name = "ok/{0}")
    @CsvSource(delimiter = '|', value = {
            "generic | C02XK1ABJG5H     | CN=Device",
            "jamf    | $SERIALNUMBER    | CN=$SERIALNUMBER",
            "intune  | {{SerialNumber}} | CN={{DeviceId}}"})
    void eachPresetMakesAnAcmeProfileThatAppleSchemaAccepts_mintingNoChallenge(String preset, String clientId,
            String cn) throws Exception {
        long before = activeChallenges();
        Path out = tmp.resolve("presets/" + preset + ".mobileconfig");
        List<String> args = new ArrayList<>(List.of("profile", "--protocol", "acme", "--preset", preset, "--out",
                out.toString()));
        if (preset.equals("generic")) {
            args.addAll(List.of("--client-identifier", clientId));
        }

        CliRun run = scepca(args.toArray(String[]::new));

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote " + out + " (" + preset + ", acme, unsigned)")
                .contains("ACME directory: https://ca.example.test/acme/default/directory");
        NSDictionary acme = acme(out);
        assertThat(string(acme, "DirectoryURL")).isEqualTo("https://ca.example.test/acme/default/directory");
        assertThat(string(acme, "ClientIdentifier")).isEqualTo(clientId);
        assertThat(string(acme, "KeyType")).isEqualTo("ECSECPrimeRandom");
        assertThat(acme.objectForKey("KeySize").toJavaObject()).isEqualTo(384);
        assertThat(acme.objectForKey("HardwareBound").toJavaObject()).isEqualTo(true);
        assertThat(acme.objectForKey("Attest").toJavaObject()).isEqualTo(true);
        assertThat(new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.UTF_8))
                .contains("<string>" + cn.substring(3) + "</string>");
        assertThat(activeChallenges()).as("an ACME profile carries no challenge").isEqualTo(before);
    }

    @Test
    void acmeOptions_reachThePayload() throws Exception {
        Path out = tmp.resolve("options/rsa.mobileconfig");
        CliRun run = scepca("profile", "--protocol", "acme", "--preset", "jamf", "--directory-url",
                "https://acme.example.test/acme/macs/directory", "--acme-key-type", "rsa", "--acme-key-size", "3072",
                "--usage-flags", "1", "--eku", "1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4", "--san-dns", "$SERIALNUMBER.example.test",
                "--out", out.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        NSDictionary acme = acme(out);
        assertThat(string(acme, "DirectoryURL")).isEqualTo("https://acme.example.test/acme/macs/directory");
        assertThat(string(acme, "KeyType")).isEqualTo("RSA");
        assertThat(acme.objectForKey("KeySize").toJavaObject()).isEqualTo(3072);
        assertThat(acme.objectForKey("HardwareBound").toJavaObject()).isEqualTo(false);
        assertThat(acme.objectForKey("Attest").toJavaObject()).isEqualTo(false);
        assertThat(acme.objectForKey("UsageFlags").toJavaObject()).isEqualTo(1);
        assertThat((Object[]) acme.objectForKey("ExtendedKeyUsage").toJavaObject())
                .containsExactly("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4");
        assertThat(string((NSDictionary) acme.objectForKey("SubjectAltName"), "dNSName"))
                .isEqualTo("$SERIALNUMBER.example.test");

        Path unattested = tmp.resolve("options/no-attest.mobileconfig");
        assertThat(scepca("profile", "--protocol", "acme", "--preset", "jamf", "--no-attest", "--acme-key-size", "256",
                "--out", unattested.toString()).exit()).isZero();
        assertThat(acme(unattested).objectForKey("HardwareBound").toJavaObject()).isEqualTo(true);
        assertThat(acme(unattested).objectForKey("Attest").toJavaObject()).isEqualTo(false);
    }

    @Test
    void both_writesTwoProfiles_thatAnMdmCanHoldSideBySide() throws Exception {
        Path out = tmp.resolve("both/fleet.mobileconfig");
        CliRun run = scepca("profile", "--protocol", "both", "--preset", "jamf", "--url", SCEP_URL, "--out",
                out.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        Path scepFile = tmp.resolve("both/fleet-scep.mobileconfig");
        Path acmeFile = tmp.resolve("both/fleet-acme.mobileconfig");
        assertThat(out).doesNotExist();
        assertThat(run.out()).contains("wrote " + scepFile, "wrote " + acmeFile);
        NSDictionary scep = valid(Files.readAllBytes(scepFile));
        NSDictionary acme = valid(Files.readAllBytes(acmeFile));
        assertThat(hasPayload(scep, "com.apple.security.scep")).isTrue();
        assertThat(hasPayload(scep, "com.apple.security.acme")).isFalse();
        assertThat(hasPayload(acme, "com.apple.security.acme")).isTrue();
        assertThat(hasPayload(acme, "com.apple.security.scep")).isFalse();
        assertThat(string(scep, "PayloadIdentifier")).endsWith(".scep.jamf");
        assertThat(string(acme, "PayloadIdentifier")).endsWith(".acme.jamf")
                .isNotEqualTo(string(scep, "PayloadIdentifier"));
    }

    @Test
    void signedAcmeProfile_verifiesWithOpenssl() throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary not installed");
        Path out = tmp.resolve("signed/acme.mobileconfig");
        Path extracted = tmp.resolve("signed/acme.plist");
        CliRun run = scepca("profile", "--protocol", "acme", "--preset", "jamf", "--sign", "--out", out.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("acme, signed by ");
        OpenSsl.Result verify = OpenSsl.run("cms", "-verify", "-inform", "DER", "-in", out.toString(), "-CAfile",
                new CaDirectory(data).rootCert().toString(), "-out", extracted.toString());
        assertThat(verify.ok()).as(verify.output()).isTrue();
        assertThat(hasPayload(valid(Files.readAllBytes(extracted)), "com.apple.security.acme")).isTrue();
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', value = {
            "protocol      | --protocol=est --preset=jamf | scepca: protocol: must be scep, acme or both: est",
            "client-id     | --protocol=both --preset=generic | scepca: client-identifier: clientIdentifier is required for the generic preset",
            "http          | --protocol=both --preset=jamf --directory-url=http://ca.example.test/acme/default/directory | scepca: directory-url: directoryUrl must use https",
            "ec-521-bound  | --protocol=both --preset=jamf --acme-key-size=521 | scepca: acme-key-size: keySize must be 256 or 384 with hardwareBound",
            "key-type      | --protocol=both --preset=jamf --acme-key-type=dsa | scepca: acme-key-type: keyType must be ECSECPrimeRandom (ec) or RSA: dsa",
            "rsa-1024      | --protocol=both --preset=jamf --acme-key-type=rsa --acme-key-size=1024 | scepca: acme-key-size: keySize for RSA must be a multiple of 8",
            "usage-flags   | --protocol=both --preset=jamf --usage-flags=2 | scepca: usage-flags: usageFlags must be 1 (signature), 4 (encryption) or 5",
            "eku           | --protocol=both --preset=generic --client-identifier=C02 --eku=clientAuth | scepca: eku: extendedKeyUsage must hold dotted OIDs"})
    void badAcmeOption_exitsWithOne_namingIt_writingAndMintingNothing_evenForBoth(String name, String options,
            String expected) {
        long before = activeChallenges();
        Path out = tmp.resolve("bad/" + name + ".mobileconfig");
        List<String> args = new ArrayList<>(List.of("profile", "--url", SCEP_URL, "--out", out.toString()));
        args.addAll(List.of(options.split(" ")));

        CliRun run = scepca(args.toArray(String[]::new));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().lines().toList()).as(run.err()).singleElement().asString().startsWith(expected);
        assertThat(out.getParent()).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isEmptyDirectory());
        assertThat(activeChallenges()).isEqualTo(before);
    }
}
