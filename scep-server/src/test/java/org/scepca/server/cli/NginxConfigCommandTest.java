package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

import org.junit.jupiter.api.Assumptions;

/** {@code scepca cert issue-server} and {@code scepca nginx-config} through the real command line. */
class NginxConfigCommandTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path passphrase;

    @BeforeAll
    static void ca() throws Exception {
        data = tmp.resolve("data");
        TestPki.create(data).close();
        passphrase = tmp.resolve("passphrase");
        Files.writeString(passphrase, new String(TestPki.PASSPHRASE.chars()));
    }

    record Run(int code, String out, String err) {
    }

    static Run scepca(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void issueServer_writesAKeyOpenSslReads_andACertificateForTheNames() throws Exception {
        Assumptions.assumeTrue(OpenSsl.available(), "openssl not installed");
        Path out = tmp.resolve("tls-ec");
        Run r = scepca("cert", "issue-server", "--data", data.toString(), "--passphrase-file", passphrase.toString(),
                "--dns", "api.example.com", "--ip", "127.0.0.1", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();

        Path key = out.resolve("server.key");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        OpenSsl.Result keyText = OpenSsl.run("pkey", "-in", key.toString(), "-noout", "-text");
        assertThat(keyText.output()).contains("prime256v1");
        OpenSsl.Result fromKey = OpenSsl.run("pkey", "-in", key.toString(), "-pubout");
        OpenSsl.Result fromCert = OpenSsl.run("x509", "-in", out.resolve("server.pem").toString(), "-noout", "-pubkey");
        assertThat(fromKey.ok()).isTrue();
        assertThat(fromKey.output()).isEqualTo(fromCert.output());

        List<X509Certificate> chain = Pem.readCertificates(out.resolve("server-chain.pem"));
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(Pem.readCertificates(new CaDirectory(data).intermediateCert()).get(0));
        X509Certificate cert = chain.get(0);
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        List<String> sans = cert.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList();
        assertThat(sans).containsExactly("api.example.com", "127.0.0.1");
    }

    @Test
    void nginxConfig_printsAServerBlockForMutualTls() {
        Run r = scepca("nginx-config", "--data", data.toString(), "--server-name", "api.example.com",
                "--cert", "/etc/nginx/tls/server-chain.pem", "--key", "/etc/nginx/tls/server.key");
        assertThat(r.code()).as(r.err()).isZero();
        CaDirectory dir = new CaDirectory(data);
        assertThat(r.out()).contains(
                "listen 443 ssl;",
                "server_name api.example.com;",
                "ssl_certificate     /etc/nginx/tls/server-chain.pem;",
                "ssl_certificate_key /etc/nginx/tls/server.key;",
                "ssl_protocols       TLSv1.2 TLSv1.3;",
                "ssl_client_certificate " + dir.chain() + ";",
                "ssl_verify_client      on;",
                "ssl_verify_depth       2;",
                "ssl_crl                " + dir.crlPem() + ";",
                "proxy_pass http://127.0.0.1:8080;",
                "proxy_set_header X-SSL-Client-Verify $ssl_client_verify;",
                "proxy_set_header X-SSL-Client-DN     $ssl_client_s_dn;",
                "proxy_set_header X-SSL-Client-Serial $ssl_client_serial;",
                "replaces any header of the same name",
                "nginx -s reload");
        assertThat(r.err()).contains("does not exist yet");
    }

    @Test
    void nginxConfig_isAcceptedByNginx() throws Exception {
        Path nginx = Path.of("/usr/sbin/nginx");
        Assumptions.assumeTrue(Files.isExecutable(nginx), "nginx not installed");
        Path tls = tmp.resolve("tls-nginx");
        assertThat(scepca("cert", "issue-server", "--data", data.toString(), "--passphrase-file", passphrase.toString(),
                "--dns", "localhost", "--out", tls.toString()).code()).isZero();
        Run r = scepca("nginx-config", "--data", data.toString(), "--server-name", "localhost", "--listen", "127.0.0.1:8443",
                "--cert", tls.resolve("server-chain.pem").toString(), "--key", tls.resolve("server.key").toString(),
                "--upstream", "http://127.0.0.1:9000");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        Path prefix = tmp.resolve("nginx-t");
        Files.createDirectories(prefix);
        Files.writeString(prefix.resolve("nginx.conf"), "pid " + prefix + "/nginx.pid;\nerror_log " + prefix + "/error.log;\n"
                + "events {}\nhttp {\n" + r.out() + "}\n");
        Process p = new ProcessBuilder(nginx.toString(), "-t", "-p", prefix.toString(), "-e", prefix + "/error.log", "-c",
                prefix + "/nginx.conf").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("test is successful");
    }

    @Test
    void nginxConfig_quotesPathsWithSpaces() {
        Run r = scepca("nginx-config", "--data", data.toString(), "--server-name", "api.example.com",
                "--cert", "/srv/my certs/chain.pem", "--key", "/srv/my certs/server.key");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ssl_certificate     \"/srv/my certs/chain.pem\";");
    }

    @Test
    void nginxConfig_refusesValuesThatWouldChangeTheConfiguration() {
        for (List<String> bad : List.of(
                List.of("--server-name", "x; include /etc/passwd"),
                List.of("--server-name", "ok.example.com", "--listen", "443; ssl_verify_client off"),
                List.of("--server-name", "ok.example.com", "--upstream", "http://127.0.0.1:8080;"),
                List.of("--server-name", "ok.example.com", "--upstream", "ftp://127.0.0.1"),
                List.of("--server-name", "ok.example.com", "--cert", "/tmp/$evil/chain.pem"))) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("nginx-config", "--data", data.toString()),
                    bad.stream()).toArray(String[]::new);
            Run r = scepca(args);
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void nginxConfig_withoutCa_failsInOneLine() {
        Run r = scepca("nginx-config", "--data", tmp.resolve("empty").toString(), "--server-name", "x.example.com");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("scepca: no CA in").hasLineCount(1);
    }

    @Test
    void nginxConfig_warnsWhenTheRootCrlIsMissing() throws Exception {
        Path other = tmp.resolve("offline-root");
        TestPki.create(other).close();
        Files.delete(new CaDirectory(other).rootCrl());
        Run r = scepca("nginx-config", "--data", other.toString(), "--server-name", "x.example.com");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("root.crl is missing", "scepca ca root-crl");
    }
}
