package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileSignerTest {

  private static final String OPENSSL = "/usr/bin/openssl";
  private static final String SHA256 = "2.16.840.1.101.3.4.2.1";
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

  private static Instant now;
  private static Clock clock;
  private static TestPki pki;
  private static TestPki.Issued ecSigner;
  private static byte[] plist;

  @BeforeAll
  static void makePki() {
    // Whole seconds: CMS signingTime has no fractions, and the test compares it.
    now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    clock = Clock.fixed(now, ZoneOffset.UTC);
    pki = TestPki.rsa(now);
    ecSigner = pki.issueLeaf("ec.profiles.scepca.test", TestPki.ecKeyPair());
    plist = new ProfileGenerator().mobileconfig(ProfileFixtures.jamf().build());
  }

  private byte[] signRsa() {
    return new ProfileSigner(clock)
        .sign(
            plist,
            pki.signer().privateKey(),
            pki.signer().certificate(),
            List.of(pki.intermediate().certificate()));
  }

  @Test
  void rsaSignedProfile_verifiesWithBouncyCastle_andEncapsulatesTheExactPlist() {
    SignedProfiles.Verified verified =
        SignedProfiles.verify(signRsa(), pki.root().certificate(), Date.from(now));

    assertThat(verified.content()).isEqualTo(plist);
    assertThat(verified.certificates())
        .containsExactlyInAnyOrder(pki.signer().certificate(), pki.intermediate().certificate());
  }

  @Test
  void rsaSignature_isSha256WithPkcs1v15_neverPss() {
    SignedProfiles.Verified verified =
        SignedProfiles.verify(signRsa(), pki.root().certificate(), Date.from(now));

    assertThat(verified.signerInfo().getDigestAlgOID()).isEqualTo(SHA256);
    // rsaEncryption as OpenSSL and Apple write it; never RSASSA-PSS.
    assertThat(verified.signerInfo().getEncryptionAlgOID())
        .isEqualTo(RSA_ENCRYPTION)
        .isNotEqualTo(RSASSA_PSS);
  }

  @Test
  void signingTime_comesFromTheInjectedClock() throws Exception {
    SignedProfiles.Verified verified =
        SignedProfiles.verify(signRsa(), pki.root().certificate(), Date.from(now));

    Attribute signingTime =
        verified.signerInfo().getSignedAttributes().get(CMSAttributes.signingTime);
    Date signed = Time.getInstance(signingTime.getAttrValues().getObjectAt(0)).getDate();
    assertThat(signed.toInstant()).isEqualTo(now);
    assertThat(signingTime.getAttrValues().getObjectAt(0)).isInstanceOf(ASN1UTCTime.class);
  }

  @Test
  void rsaSigning_withAFixedClock_isByteStable() {
    assertThat(signRsa()).isEqualTo(signRsa());
  }

  @Test
  void ecSignedProfile_usesEcdsaWithSha256_andVerifies() {
    byte[] signed =
        new ProfileSigner(clock)
            .sign(
                plist,
                ecSigner.privateKey(),
                ecSigner.certificate(),
                List.of(pki.intermediate().certificate(), pki.root().certificate()));

    SignedProfiles.Verified verified =
        SignedProfiles.verify(signed, pki.root().certificate(), Date.from(now));
    assertThat(verified.content()).isEqualTo(plist);
    assertThat(verified.signerInfo().getEncryptionAlgOID()).isEqualTo(ECDSA_WITH_SHA256);
    assertThat(verified.certificates()).hasSize(3);
  }

  @Test
  void signedProfile_verifiesWithOpenssl(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl not installed");

    OpensslResult result = opensslVerify(dir, signRsa(), pki.root().certificate());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.content()).isEqualTo(plist);
  }

  @Test
  void ecSignedProfile_verifiesWithOpenssl(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl not installed");
    byte[] signed =
        new ProfileSigner(clock)
            .sign(
                plist,
                ecSigner.privateKey(),
                ecSigner.certificate(),
                List.of(pki.intermediate().certificate()));

    OpensslResult result = opensslVerify(dir, signed, pki.root().certificate());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.content()).isEqualTo(plist);
  }

  @Test
  void opensslVerification_failsAgainstAnUnrelatedRoot(@TempDir Path dir) throws Exception {
    // Proves the openssl check above is not vacuous.
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl not installed");

    OpensslResult result = opensslVerify(dir, signRsa(), ProfileFixtures.ROOT);

    assertThat(result.exitCode()).isNotZero();
  }

  @Test
  void bouncyCastleVerification_failsAgainstAnUnrelatedRoot() {
    assertThatThrownBy(() -> SignedProfiles.verify(signRsa(), ProfileFixtures.ROOT, Date.from(now)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keyThatDoesNotMatchTheSignerCertificate_isRefused() {
    PrivateKey otherKey = pki.intermediate().privateKey();

    assertThatThrownBy(
            () ->
                new ProfileSigner(clock)
                    .sign(plist, otherKey, pki.signer().certificate(), List.of()))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageContaining("signer certificate does not match the signing key");
  }

  @Test
  void expiredSignerCertificate_isRefused() {
    Clock later = Clock.fixed(now.plus(Duration.ofDays(4000)), ZoneOffset.UTC);

    assertThatThrownBy(
            () ->
                new ProfileSigner(later)
                    .sign(plist, pki.signer().privateKey(), pki.signer().certificate(), List.of()))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageContaining("signer certificate is not valid at");
  }

  @Test
  void unsupportedKeyType_isRefused() throws Exception {
    PrivateKey ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();

    assertThatThrownBy(
            () ->
                new ProfileSigner(clock)
                    .sign(plist, ed25519, pki.signer().certificate(), List.of()))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageContaining("must be RSA (PKCS#1 v1.5) or EC");
  }

  private record OpensslResult(int exitCode, byte[] content, String stderr) {}

  private static OpensslResult opensslVerify(
      Path dir, byte[] signed, java.security.cert.X509Certificate root)
      throws IOException, InterruptedException {
    Path in = Files.write(dir.resolve("profile.mobileconfig"), signed);
    Path rootPem = Files.writeString(dir.resolve("root.pem"), TestPki.pem(root));
    Path out = dir.resolve("content.plist");
    Path err = dir.resolve("stderr.txt");
    // -purpose any: the signer is a TLS-style certificate (EKU serverAuth), as profile signers
    // often are; openssl's default S/MIME purpose check would refuse it, devices do not.
    Process process =
        new ProcessBuilder(
                OPENSSL,
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                in.toString(),
                "-CAfile",
                rootPem.toString(),
                "-purpose",
                "any",
                "-out",
                out.toString())
            .redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("openssl did not finish in 30 s");
    }
    byte[] content = Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
    return new OpensslResult(
        process.exitValue(), content, Files.readString(err, StandardCharsets.UTF_8));
  }
}
