package org.scepca.ca.material;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

/** Importing a root and intermediate made with OpenSSL the way the usual mTLS guides do it. */
class CaImportTest {

    private static void makeOpenSslCa(Path t) throws Exception {
        java.nio.file.Files.writeString(t.resolve("v3_intermediate.cnf"), """
                [v3_intermediate_ca]
                subjectKeyIdentifier = hash
                authorityKeyIdentifier = keyid:always,issuer
                basicConstraints = critical, CA:true, pathlen:0
                keyUsage = critical, digitalSignature, cRLSign, keyCertSign
                """);
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", t.resolve("root.key").toString(), "-out",
                t.resolve("root.pem").toString(), "-days", "3650", "-subj", "/CN=OpenSSL Root/O=Acme",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run("req", "-newkey", "rsa:2048", "-passout", "pass:import-secret", "-keyout", t.resolve("int.key").toString(),
                "-out", t.resolve("int.csr").toString(), "-subj", "/CN=OpenSSL Intermediate/O=Acme");
        run("x509", "-req", "-in", t.resolve("int.csr").toString(), "-CA", t.resolve("root.pem").toString(), "-CAkey",
                t.resolve("root.key").toString(), "-CAcreateserial", "-out", t.resolve("int.pem").toString(), "-days", "1000",
                "-extfile", t.resolve("v3_intermediate.cnf").toString(), "-extensions", "v3_intermediate_ca");
    }

    private static void run(String... args) {
        var r = OpenSsl.run(args);
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    @Test
    void importsAnEncryptedPemIntermediateMadeWithOpenSsl(@TempDir Path t) throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary needed");
        makeOpenSslCa(t);
        Path bundle = t.resolve("bundle.pem");
        java.nio.file.Files.writeString(bundle, java.nio.file.Files.readString(t.resolve("int.pem"))
                + java.nio.file.Files.readString(t.resolve("int.key")));
        CaDirectory dir = new CaDirectory(t.resolve("data"));
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).importIntermediate(dir, bundle,
                Passphrase.of("import-secret"), t.resolve("root.pem"), TestPki.PASSPHRASE, TestPki.fastOptions());
        CaMaterial m = CaMaterial.load(dir, TestPki.PASSPHRASE);
        assertThat(m.intermediateCertificate().getSubjectX500Principal().getName()).contains("OpenSSL Intermediate");
        assertThat(m.rootKey()).isEmpty();
        m.raCertificate().verify(m.intermediateCertificate().getPublicKey());
        var r = OpenSsl.run("verify", "-CAfile", dir.rootCert().toString(), "-untrusted", dir.intermediateCert().toString(),
                dir.raCert().toString());
        assertThat(r.output()).contains(": OK");
    }

    @Test
    void importsAPkcs12Intermediate(@TempDir Path t) throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary needed");
        makeOpenSslCa(t);
        run("pkcs12", "-export", "-in", t.resolve("int.pem").toString(), "-inkey", t.resolve("int.key").toString(),
                "-passin", "pass:import-secret", "-out", t.resolve("int.p12").toString(), "-passout", "pass:p12-secret");
        CaDirectory dir = new CaDirectory(t.resolve("data"));
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).importIntermediate(dir, t.resolve("int.p12"),
                Passphrase.of("p12-secret"), t.resolve("root.pem"), TestPki.PASSPHRASE, TestPki.fastOptions());
        assertThat(CaMaterial.load(dir, TestPki.PASSPHRASE).intermediateCertificate())
                .isEqualTo(Pem.readCertificates(t.resolve("int.pem")).get(0));
    }

    @Test
    void refusesAnIntermediateNotSignedByTheGivenRoot(@TempDir Path t) throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary needed");
        makeOpenSslCa(t);
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", t.resolve("other.key").toString(), "-out",
                t.resolve("other.pem").toString(), "-days", "30", "-subj", "/CN=Other Root");
        Path bundle = t.resolve("bundle.pem");
        java.nio.file.Files.writeString(bundle, java.nio.file.Files.readString(t.resolve("int.pem"))
                + java.nio.file.Files.readString(t.resolve("int.key")));
        CaDirectory dir = new CaDirectory(t.resolve("data"));
        assertThatThrownBy(() -> new CaInitializer(Clock.systemUTC(), new SecureRandom()).importIntermediate(dir, bundle,
                Passphrase.of("import-secret"), t.resolve("other.pem"), TestPki.PASSPHRASE, TestPki.fastOptions()))
                .hasMessage("the intermediate is not signed by the given root");
        assertThat(dir.caExists()).isFalse();
    }

    @Test
    void wrongImportPassphraseIsAOneLineError(@TempDir Path t) throws Exception {
        assumeTrue(OpenSsl.available(), "openssl binary needed");
        makeOpenSslCa(t);
        Path bundle = t.resolve("bundle.pem");
        java.nio.file.Files.writeString(bundle, java.nio.file.Files.readString(t.resolve("int.pem"))
                + java.nio.file.Files.readString(t.resolve("int.key")));
        CaDirectory dir = new CaDirectory(t.resolve("data"));
        assertThatThrownBy(() -> new CaInitializer(Clock.systemUTC(), new SecureRandom()).importIntermediate(dir, bundle,
                Passphrase.of("wrong"), t.resolve("root.pem"), TestPki.PASSPHRASE, TestPki.fastOptions()))
                .hasMessageStartingWith("wrong passphrase for").hasMessageNotContaining("\n");
    }
}
