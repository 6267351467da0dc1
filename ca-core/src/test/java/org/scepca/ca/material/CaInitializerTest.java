package org.scepca.ca.material;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

class CaInitializerTest {
    @TempDir
    static Path shared;
    static CaDirectory dir;
    static X509Certificate root;
    static X509Certificate intermediate;
    static X509Certificate ra;

    @BeforeAll
    static void createCa() throws Exception {
        dir = new CaDirectory(shared.resolve("data"));
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(dir, TestPki.fastOptions(), TestPki.PASSPHRASE);
        root = Pem.readCertificates(dir.rootCert()).get(0);
        intermediate = Pem.readCertificates(dir.intermediateCert()).get(0);
        ra = Pem.readCertificates(dir.raCert()).get(0);
    }

    @Test
    void rootIsACriticalCaWithCertSignAndCrlSign() {
        assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(root.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        boolean[] ku = root.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(root.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
        assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    }

    @Test
    void intermediateHasPathLenZeroAndIsSignedByRoot() throws Exception {
        assertThat(intermediate.getBasicConstraints()).isZero();
        intermediate.verify(root.getPublicKey());
        assertThat(intermediate.getNotAfter()).isBeforeOrEqualTo(root.getNotAfter());
        assertThat(intermediate.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
    }

    @Test
    void raCarriesDigitalSignatureAndKeyEnciphermentAndIsNoCa() throws Exception {
        boolean[] ku = ra.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[2]).as("keyEncipherment").isTrue();
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(ra.getBasicConstraints()).isEqualTo(-1);
        ra.verify(intermediate.getPublicKey());
    }

    @Test
    void serialsAreRandomAndLong() {
        for (X509Certificate c : List.of(root, intermediate, ra)) {
            assertThat(c.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64).isLessThanOrEqualTo(159);
            assertThat(c.getSerialNumber().signum()).isPositive();
        }
    }

    @Test
    void privateKeysAreEncryptedAtRest() throws Exception {
        byte[] p12 = Files.readAllBytes(dir.intermediateKey());
        assertThatThrownBy(() -> Pkcs12Files.read(p12, Passphrase.of("wrong-passphrase"), "intermediate.p12"))
                .isInstanceOf(KeyAccessException.class).hasMessage("wrong passphrase for intermediate.p12");
        assertThat(Pkcs12Files.read(dir.intermediateKey(), TestPki.PASSPHRASE).certificate()).isEqualTo(intermediate);
        if (OpenSsl.available()) {
            // OpenSSL can read it with the passphrase and reports PBES2/AES, never plaintext keys.
            var info = OpenSsl.run("pkcs12", "-info", "-noout", "-in", dir.intermediateKey().toString(),
                    "-passin", "pass:test-passphrase-123");
            assertThat(info.ok()).as(info.output()).isTrue();
            assertThat(info.output()).contains("PBES2").contains("AES-256");
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.intermediateKey())))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesToOverwriteAnExistingCa() {
        assertThatThrownBy(() -> new CaInitializer(Clock.systemUTC(), new SecureRandom())
                .create(dir, TestPki.fastOptions(), TestPki.PASSPHRASE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing to overwrite");
    }

    @Test
    void wrongPassphraseIsAOneLineError() {
        assertThatThrownBy(() -> CaMaterial.load(dir, Passphrase.of("nope-nope")))
                .isInstanceOf(KeyAccessException.class)
                .hasMessageStartingWith("wrong passphrase for ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void opensslVerifiesTheChain() {
        if (!OpenSsl.available()) {
            return;
        }
        var r = OpenSsl.run("verify", "-CAfile", dir.rootCert().toString(), "-untrusted", dir.intermediateCert().toString(),
                dir.raCert().toString());
        assertThat(r.output()).contains(": OK");
    }

    @Test
    void rootKeyCanBeWrittenOutsideTheDataFolder(@TempDir Path tmp) throws Exception {
        CaDirectory d = new CaDirectory(tmp.resolve("data"));
        Path offline = tmp.resolve("offline/root.p12");
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(d, TestPki.fastOptions().withRootKeyOut(offline),
                TestPki.PASSPHRASE);
        assertThat(offline).exists();
        assertThat(d.rootKey()).doesNotExist();
        CaMaterial m = CaMaterial.load(d, TestPki.PASSPHRASE);
        assertThat(m.rootKey()).isEmpty();
        assertThat(Pkcs12Files.read(offline, TestPki.PASSPHRASE).certificate()).isEqualTo(m.root());
    }

    @Test
    void rootKeyOutInsideTheDataFolderIsRefused(@TempDir Path tmp) {
        CaDirectory d = new CaDirectory(tmp.resolve("data"));
        assertThatThrownBy(() -> new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(d,
                TestPki.fastOptions().withRootKeyOut(tmp.resolve("data/root.p12")), TestPki.PASSPHRASE))
                .hasMessageContaining("outside the data folder");
    }

    @Test
    void profileSignerIsAnEmailProtectionLeafBelowTheIntermediate() throws Exception {
        var bundle = Pkcs12Files.read(dir.intermediateKey(), TestPki.PASSPHRASE);
        var keys = org.scepca.ca.keys.KeyPairs.rsa(2048, new SecureRandom());
        java.time.Instant now = java.time.Instant.now();
        X509Certificate signer = CertificateMaker.profileSigner(new org.bouncycastle.asn1.x500.X500Name("CN=Profile Signing"),
                keys.getPublic(), intermediate, bundle.key(), java.math.BigInteger.valueOf(4711), now,
                now.plus(java.time.Duration.ofDays(30)), java.util.Optional.of(java.net.URI.create("http://ca.test/crl/intermediate.crl")));
        signer.verify(intermediate.getPublicKey());
        assertThat(signer.getBasicConstraints()).isEqualTo(-1);
        assertThat(signer.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(signer.getKeyUsage()[2]).as("keyEncipherment").isFalse();
        assertThat(signer.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.4");
        assertThat(signer.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(signer.getExtensionValue(Extension.cRLDistributionPoints.getId())).isNotNull();
    }
}
