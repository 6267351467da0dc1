package org.scepca.server.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.server.profiles.ProfilePlists.data;
import static org.scepca.server.profiles.ProfilePlists.scepContent;
import static org.scepca.server.profiles.ProfilePlists.string;
import static org.scepca.server.profiles.ProfilePlists.valid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.challenge.ChallengeService.ChallengeGrant;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.TestPki;
import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.Preset;
import org.scepca.scep.ScepService;
import org.scepca.scep.ScepSettings;
import org.scepca.server.cli.Providers;

import com.dd.plist.NSDictionary;

class ProfileServiceTest {
    private static final String STATIC = "static-challenge-for-jamf-0123";
    private static final String URL = "https://ca.example.test/scep";

    @TempDir
    Path dir;
    private CertificateAuthority ca;

    @BeforeAll
    static void providers() {
        Providers.register();
    }

    @AfterEach
    void close() {
        if (ca != null) {
            ca.close();
        }
    }

    private ProfileService service(CaConfig config) {
        return service(config, Clock.systemUTC());
    }

    private ProfileService service(CaConfig config, Clock clock) {
        ca = TestPki.create(dir, config, clock);
        ScepService scep = new ScepService(ca, ScepSettings.from(config), new SecureRandom());
        return ProfileService.create(ca, scep, TestPki.PASSPHRASE);
    }

    private static CaConfig config(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return CaConfig.from(p);
    }

    private static ProfileOptions options(Preset preset) {
        return ProfileOptions.builder(preset, URL).build();
    }

    private static byte[] sha1(X509Certificate c) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(c.getEncoded());
    }

    @Test
    void caFingerprintIsTheRootWhenGetCaCertCarriesIt() throws Exception {
        ProfileService profiles = service(CaConfig.defaults());
        X509Certificate root = ca.material().root();
        assertThat(profiles.getCaCertCertificates()).contains(root, ca.material().raCertificate());
        assertThat(profiles.fingerprintCertificate()).isEqualTo(root);

        NSDictionary profile = valid(profiles.generate(options(Preset.GENERIC), "test").mobileconfig());
        assertThat(data(scepContent(profile), "CAFingerprint")).isEqualTo(sha1(root));
    }

    @Test
    void caFingerprintIsTheIssuingCaWhenTheRootIsLeftOutOfGetCaCert() throws Exception {
        ProfileService profiles = service(config("scep.getcacert-include-root", "false"));
        X509Certificate intermediate = ca.material().intermediateCertificate();
        assertThat(profiles.getCaCertCertificates()).doesNotContain(ca.material().root());
        assertThat(profiles.fingerprintCertificate()).isEqualTo(intermediate);

        NSDictionary profile = valid(profiles.generate(options(Preset.GENERIC), "test").mobileconfig());
        assertThat(data(scepContent(profile), "CAFingerprint")).isEqualTo(sha1(intermediate));
    }

    @Test
    void caFingerprintOfASingleCertificateReplyIsThatCertificate_andUnrelatedCertificatesAreRefused() throws Exception {
        service(CaConfig.defaults());
        X509Certificate intermediate = ca.material().intermediateCertificate();
        assertThat(CaFingerprint.certificate(List.of(intermediate))).isEqualTo(intermediate);
        try (CertificateAuthority other = TestPki.create(dir.resolve("other"))) {
            // Two chains that end in different certificates: no fingerprint can match both.
            assertThatThrownBy(() -> CaFingerprint.certificate(List.of(ca.material().raCertificate(), intermediate,
                    other.material().intermediateCertificate(), other.material().root())))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void identifierPrefix_isDerivedFromTheRoot_soTwoCasDiffer_andAnOptionOverridesIt() throws Exception {
        ProfileService profiles = service(CaConfig.defaults());
        String derived = IdentifierPrefix.forRoot(ca.material().root()).value();
        assertThat(derived).matches("org\\.scepca\\.ca-[0-9a-f]{10}");
        NSDictionary profile = valid(profiles.generate(options(Preset.GENERIC), "test").mobileconfig());
        assertThat(string(profile, "PayloadIdentifier")).isEqualTo(derived + ".scep.generic");
        assertThat(string(ProfilePlists.payload(profile, "com.apple.security.scep"), "PayloadIdentifier")).isEqualTo(derived + ".scep.generic.scep");

        NSDictionary staging = valid(profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .identifierPrefix("com.example.staging").build(), "test").mobileconfig());
        assertThat(string(staging, "PayloadIdentifier")).isEqualTo("com.example.staging.scep.generic");

        try (CertificateAuthority other = TestPki.create(dir.resolve("other"))) {
            assertThat(IdentifierPrefix.forRoot(other.material().root()).value()).isNotEqualTo(derived);
        }
    }

    @Test
    void identifierPrefix_comesFromTheConfiguration_andAnInvalidOneIsRefusedNamingTheKey() {
        ProfileService profiles = service(config("profile.identifier-prefix", "com.example.production"));
        NSDictionary profile = valid(profiles.generate(options(Preset.GENERIC), "test").mobileconfig());
        assertThat(string(profile, "PayloadIdentifier")).isEqualTo("com.example.production.scep.generic");
        assertThat(profiles.defaultIdentifierPrefix().value()).isEqualTo("com.example.production");

        assertThatThrownBy(() -> ProfileConfig.of(config("profile.identifier-prefix", "production")))
                .isInstanceOf(CaConfig.InvalidConfigException.class).hasMessageStartingWith("profile.identifier-prefix ");
        assertThatThrownBy(() -> ProfileConfig.of(config("profile.identifier-prefx", "com.example.x")))
                .isInstanceOf(CaConfig.InvalidConfigException.class).hasMessageContaining("'profile.identifier-prefx'");
    }

    @Test
    void genericProfileCarriesAFreshOneTimeChallengeThatTheCaAccepts() {
        ProfileService profiles = service(CaConfig.defaults());
        GeneratedProfile generated = profiles.generate(options(Preset.GENERIC), "test-actor");
        String challenge = string(scepContent(valid(generated.mobileconfig())), "Challenge");

        assertThat(generated.challenge().kind()).isEqualTo(GeneratedProfile.ChallengeUse.Kind.ONE_TIME);
        assertThat(ca.challenges().check(challenge)).get().extracting(ChallengeGrant::kind)
                .isEqualTo(ChallengeGrant.Kind.ONE_TIME);
        assertThat(ca.challenges().listActive(10)).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(generated.challenge().id().orElseThrow());
            assertThat(r.note()).contains("profile generic for test-actor");
            // The store keeps microseconds.
            assertThat(Duration.between(r.expiresAt(), generated.challenge().expiresAt().orElseThrow()).abs())
                    .isLessThan(Duration.ofMillis(1));
        });
        assertThat(generated.toString()).doesNotContain(challenge);

        String second = string(scepContent(valid(profiles.generate(options(Preset.GENERIC), "t").mobileconfig())),
                "Challenge");
        assertThat(second).as("each profile gets its own challenge").isNotEqualTo(challenge);
    }

    @Test
    void aProfilesOneTimeChallenge_isBoundToTheNamesItAsksFor_unlessTheyHoldMdmVariables() {
        ProfileService profiles = service(CaConfig.defaults());
        GeneratedProfile fixed = profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .subject("CN=alice-mac,O=Example").sanEmail("alice@example.com").build(), "test");
        var record = ca.challenges().listActive(10).stream()
                .filter(r -> r.id().equals(fixed.challenge().id().orElseThrow())).findFirst().orElseThrow();
        assertThat(record.binding()).get().satisfies(b -> {
            assertThat(b.sans()).containsExactly("email:alice@example.com");
            // The device encodes the RDNs in the profile's order: the binding must accept exactly that subject.
            var asDevice = new org.bouncycastle.asn1.x500.X500Name("CN=alice-mac,O=Example");
            try {
                b.check(org.scepca.ca.policy.NameRule.subjectString(asDevice), asDevice.getEncoded(),
                        List.of("email:alice@example.com"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            assertThatThrownBy(() -> b.check("CN=bob", new org.bouncycastle.asn1.x500.X500Name("CN=bob").getEncoded(),
                    List.of())).isInstanceOf(org.scepca.ca.policy.PolicyViolationException.class);
        });

        GeneratedProfile perDevice = profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .subject("CN=$SERIALNUMBER,O=Example").build(), "test");
        assertThat(ca.challenges().listActive(10)).filteredOn(r -> r.id().equals(perDevice.challenge().id().orElseThrow()))
                .singleElement().satisfies(r -> assertThat(r.binding()).isEmpty());
    }

    @Test
    void staticChallengeIsUsedForJamfAndWhenAsked_andNothingIsMinted() {
        ProfileService profiles = service(config("scep.static-challenge", STATIC));
        GeneratedProfile jamf = profiles.generate(options(Preset.JAMF), "test");
        GeneratedProfile generic = profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .challenge(ChallengeSource.STATIC).build(), "test");
        GeneratedProfile intune = profiles.generate(options(Preset.INTUNE), "test");

        for (GeneratedProfile p : List.of(jamf, generic, intune)) {
            assertThat(string(scepContent(valid(p.mobileconfig())), "Challenge")).isEqualTo(STATIC);
            assertThat(p.challenge().kind()).isEqualTo(GeneratedProfile.ChallengeUse.Kind.STATIC);
        }
        assertThat(ca.challenges().listActive(10)).isEmpty();
        assertThat(intune.intuneSheet()).get().satisfies(s -> {
            assertThat(s.scepServerUrl()).isEqualTo(URL);
            assertThat(s.rootCer()).isEqualTo(profiles.rootCertificateDer());
        });
    }

    @Test
    void jamfDynamicLeavesTheChallengeOut_andJamfWithoutAStaticChallengeIsRefused() {
        ProfileService profiles = service(CaConfig.defaults());
        GeneratedProfile dynamic = profiles.generate(ProfileOptions.builder(Preset.JAMF, URL)
                .challenge(ChallengeSource.DYNAMIC).build(), "test");
        NSDictionary scep = scepContent(valid(dynamic.mobileconfig()));
        assertThat(scep.objectForKey("Challenge")).isNull();
        assertThat(string(scep, "URL")).isEqualTo(URL);

        assertThatThrownBy(() -> profiles.generate(options(Preset.JAMF), "test"))
                .isInstanceOfSatisfying(ProfileOptionException.class, e -> assertThat(e.field()).isEqualTo("jamf-challenge"));
        assertThatThrownBy(() -> profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .challenge(ChallengeSource.STATIC).build(), "test"))
                .isInstanceOfSatisfying(ProfileOptionException.class, e -> assertThat(e.field()).isEqualTo("static-challenge"));
        assertThatThrownBy(() -> profiles.generate(ProfileOptions.builder(Preset.GENERIC, URL)
                .challenge(ChallengeSource.DYNAMIC).build(), "test"))
                .isInstanceOfSatisfying(ProfileOptionException.class, e -> assertThat(e.field()).isEqualTo("jamf-challenge"));
        assertThat(ca.challenges().listActive(10)).isEmpty();
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of("url", (UnaryOperator<ProfileOptions.Builder>) b -> b, "ftp://ca.example.test/scep"),
                Arguments.of("url", (UnaryOperator<ProfileOptions.Builder>) b -> b, "not a url"),
                Arguments.of("key-size", (UnaryOperator<ProfileOptions.Builder>) b -> b.keySize(1024), URL),
                Arguments.of("key-size", (UnaryOperator<ProfileOptions.Builder>) b -> b.keySize(3072), URL),
                Arguments.of("key-usage", (UnaryOperator<ProfileOptions.Builder>) b -> b.keyUsage(3), URL),
                Arguments.of("subject", (UnaryOperator<ProfileOptions.Builder>) b -> b.subject("CN=a,,O=b"), URL),
                Arguments.of("subject", (UnaryOperator<ProfileOptions.Builder>) b -> b.subject("NOPE=x"), URL),
                Arguments.of("san-email", (UnaryOperator<ProfileOptions.Builder>) b -> b.sanEmail("a\u0007@b"), URL),
                Arguments.of("san-dns", (UnaryOperator<ProfileOptions.Builder>) b -> b.sanDns(" "), URL),
                Arguments.of("retries", (UnaryOperator<ProfileOptions.Builder>) b -> b.retries(99), URL),
                Arguments.of("retry-delay", (UnaryOperator<ProfileOptions.Builder>) b -> b.retryDelaySeconds(-1), URL),
                Arguments.of("display-name", (UnaryOperator<ProfileOptions.Builder>) b -> b.displayName(" "), URL),
                Arguments.of("renewal-days", (UnaryOperator<ProfileOptions.Builder>) b -> b.renewalDays(400), URL),
                Arguments.of("challenge-ttl", (UnaryOperator<ProfileOptions.Builder>) b -> b.challengeTtl(Duration.ofDays(31)), URL),
                Arguments.of("challenge-ttl", (UnaryOperator<ProfileOptions.Builder>) b -> b.challengeTtl(Duration.ZERO), URL),
                Arguments.of("identifier-prefix", (UnaryOperator<ProfileOptions.Builder>) b -> b.identifierPrefix("scepca"), URL),
                Arguments.of("identifier-prefix",
                        (UnaryOperator<ProfileOptions.Builder>) b -> b.identifierPrefix("com.example/../etc"), URL));
    }

    @ParameterizedTest(name = "fail/{0} {2}")
    @MethodSource("invalidOptions")
    void invalidOptionNamesTheField_andLeavesNoChallengeOrSignerBehind(String field,
            UnaryOperator<ProfileOptions.Builder> change, String url) {
        // One CA for all cases (key generation dominates); nothing may ever be minted or signed in it.
        ProfileService profiles = sharedService();
        ProfileOptions options = change.apply(ProfileOptions.builder(Preset.GENERIC, url).sign(true)).build();

        assertThatThrownBy(() -> profiles.generate(options, "test"))
                .isInstanceOfSatisfying(ProfileOptionException.class, invalid -> {
                    assertThat(invalid.field()).isEqualTo(field);
                    assertThat(invalid.getMessage()).startsWith(field + ": ").doesNotContain("\n");
                });
        assertThat(sharedCa.challenges().listActive(10)).isEmpty();
        assertThat(sharedCa.certificates().count()).isZero();
        assertThat(new org.scepca.ca.store.SharedCredentials(sharedCa.database()).read(ProfileSigningIdentityStore.NAME))
                .isEmpty();
    }

    @TempDir
    static Path sharedDir;
    private static CertificateAuthority sharedCa;
    private static ProfileService sharedProfiles;

    private static synchronized ProfileService sharedService() {
        if (sharedProfiles == null) {
            sharedCa = TestPki.create(sharedDir);
            sharedProfiles = ProfileService.create(sharedCa,
                    new ScepService(sharedCa, ScepSettings.from(CaConfig.defaults()), new SecureRandom()), TestPki.PASSPHRASE);
        }
        return sharedProfiles;
    }

    @AfterAll
    static void closeShared() {
        if (sharedCa != null) {
            sharedCa.close();
        }
    }

    @Test
    void signingIdentityIsMadeOnce_recordedInTheStore_andEncryptedWithTheCaPassphrase() throws Exception {
        ProfileService profiles = service(config("public-base-url", "http://ca.example.test"));
        SigningIdentity first = profiles.signingIdentity();
        X509Certificate cert = first.certificate();

        cert.verify(ca.material().intermediateCertificate().getPublicKey());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.4");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("O=scepca tests,CN=scepca tests Profile Signing");
        assertThat(ca.certificates().find(cert.getSerialNumber())).get().satisfies(r -> {
            assertThat(r.profile()).isEqualTo(CertificateProfile.PROFILE_SIGNING);
            assertThat(r.status()).isEqualTo(CertificateStatus.VALID);
            assertThat(r.issuerDn()).isEqualTo(ca.material().intermediateCertificate().getSubjectX500Principal().getName());
        });
        // In the database (every replica signs with it), encrypted under the CA passphrase; no key file.
        byte[] p12 = storedSigner();
        assertThat(Pkcs12Files.read(p12, TestPki.PASSPHRASE, "stored").certificate()).isEqualTo(cert);
        assertThatThrownBy(() -> Pkcs12Files.read(p12, Passphrase.of("wrong-passphrase"), "stored"))
                .isInstanceOf(KeyAccessException.class);
        assertThat(ca.directory().profileSigningKey()).doesNotExist();

        assertThat(profiles.signingIdentity().certificate()).isEqualTo(cert);
        assertThat(new ProfileSigningIdentityStore(ca, TestPki.PASSPHRASE).current().certificate())
                .as("read back after a restart").isEqualTo(cert);
        assertThat(ca.certificates().count()).isEqualTo(1);
    }

    @Test
    void revokedSigningIdentityIsReplaced_andTheOldOneIsOnTheCrl() {
        ProfileService profiles = service(CaConfig.defaults());
        X509Certificate old = profiles.signingIdentity().certificate();
        ca.revocation().revoke(old.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");

        X509Certificate replacement = profiles.signingIdentity().certificate();
        assertThat(replacement.getSerialNumber()).isNotEqualTo(old.getSerialNumber());
        assertThat(ca.crls().current().crl().getRevokedCertificate(old.getSerialNumber())).isNotNull();
        assertThat(Pkcs12Files.read(storedSigner(), TestPki.PASSPHRASE, "stored").certificate()).isEqualTo(replacement);
    }

    private byte[] storedSigner() {
        return new org.scepca.ca.store.SharedCredentials(ca.database()).read(ProfileSigningIdentityStore.NAME).orElseThrow()
                .pkcs12();
    }

    @Test
    void signingIdentityCloseToExpiryIsReplaced() {
        ProfileService profiles = service(CaConfig.defaults());
        X509Certificate old = profiles.signingIdentity().certificate();
        ca.close();
        Clock later = Clock.fixed(old.getNotAfter().toInstant().minus(Duration.ofDays(10)), ZoneOffset.UTC);
        ProfileService reopened = service(CaConfig.defaults(), later);

        X509Certificate replacement = reopened.signingIdentity().certificate();
        assertThat(replacement.getSerialNumber()).isNotEqualTo(old.getSerialNumber());
        assertThat(replacement.getNotAfter()).isAfter(old.getNotAfter());
    }

    @Test
    void signedProfileEncapsulatesExactlyTheUnsignedPlist_andVerifiesWithTheSigner() throws Exception {
        ProfileService profiles = service(config("scep.static-challenge", STATIC));
        ProfileOptions unsigned = ProfileOptions.builder(Preset.JAMF, URL).build();
        ProfileOptions signed = ProfileOptions.builder(Preset.JAMF, URL).sign(true).build();
        byte[] plist = profiles.generate(unsigned, "test").mobileconfig();
        GeneratedProfile generated = profiles.generate(signed, "test");

        CMSSignedData cms = new CMSSignedData(generated.mobileconfig());
        assertThat((byte[]) cms.getSignedContent().getContent()).isEqualTo(plist);
        X509Certificate signer = generated.signer().orElseThrow();
        assertThat(cms.getSignerInfos().getSigners().iterator().next()
                .verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer))).isTrue();
        assertThat(signer).isEqualTo(profiles.signingIdentity().certificate());
    }

    @Test
    void intuneSheetNeedsNoChallenge_andOnlyTheIntunePreset() {
        ProfileService profiles = service(CaConfig.defaults());
        var sheet = profiles.intuneSheet(ProfileOptions.builder(Preset.INTUNE, URL).keySize(4096).build());
        assertThat(sheet.keySize()).isEqualTo(4096);
        assertThat(sheet.toJson()).contains(URL);
        assertThat(ca.challenges().listActive(10)).isEmpty();
        assertThatThrownBy(() -> profiles.intuneSheet(options(Preset.JAMF)))
                .isInstanceOfSatisfying(ProfileOptionException.class, e -> assertThat(e.field()).isEqualTo("preset"));
    }
}
