package org.scepca.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Main;
import org.scepca.server.cli.Providers;

/**
 * The mTLS admin connector: server certificate from {@code scepca cert issue-server}, client certificates from our
 * CA, roles from the configured subjects and SANs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MtlsAdminTest {
    @TempDir
    static Path dir;
    private Running running;
    private X509Certificate root;

    @BeforeAll
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        Path passphrase = dir.resolve("pp");
        Files.writeString(passphrase, "test-passphrase-123");
        StringWriter out = new StringWriter();
        int rc = Main.run(new String[] {"cert", "issue-server", "--data", dir.toString(), "--passphrase-file",
                passphrase.toString(), "--ip", "127.0.0.1", "--dns", "localhost", "--out", dir.resolve("tls").toString()},
                new PrintWriter(out), new PrintWriter(out));
        assertThat(rc).as(out.toString()).isZero();
        AdminConfig admin = AdminConfig.loopback(0).withTls(new AdminConfig.Tls("127.0.0.1", 0,
                dir.resolve("tls/server-chain.pem"), dir.resolve("tls/server.key")), List.of(
                AdminConfig.MtlsGrant.subject("CN=alice,O=Example", AdminRole.ADMIN),
                AdminConfig.MtlsGrant.san("email:bob@example.com", AdminRole.VIEWER)));
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), admin);
        root = running.ca().material().root();
    }

    @AfterAll
    void stop() {
        running.close();
    }

    private record Client(X509Certificate cert, KeyPair keys) {
    }

    private Client issue(String subject, String email, int key) {
        KeyPair kp = TestKeys.rsa2048(key);
        Csrs csr = Csrs.csr().subject(subject).keys(kp);
        if (email != null) {
            csr.email(email);
        }
        var issued = running.ca().issuance().issue(new IssuanceRequest(csr.build(), "test", CertificateProfile.CLIENT,
                IssuanceEffects.none()));
        return new Client(issued.certificate(), kp);
    }

    private AdminHttp over(X509Certificate cert, java.security.PrivateKey key, List<X509Certificate> chain) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (cert != null) {
            X509Certificate[] full = new X509Certificate[chain.size() + 1];
            full[0] = cert;
            for (int i = 0; i < chain.size(); i++) {
                full[i + 1] = chain.get(i);
            }
            ks.setKeyEntry("client", key, "pw".toCharArray(), full);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
        return new AdminHttp(client, "https://127.0.0.1:" + running.adminTlsPort());
    }

    private AdminHttp as(Client c) throws Exception {
        return over(c.cert(), c.keys().getPrivate(), List.of(running.ca().material().intermediateCertificate()));
    }

    @Test
    void listedSubject_isAdmin_andItsChangesAreAuditedUnderItsSubject() throws Exception {
        AdminHttp alice = as(issue("CN=alice,O=Example", null, 0));
        var me = alice.get("/api/v1/me", null).json();
        assertThat(me.path("role").asText()).isEqualTo("admin");
        assertThat(me.path("authenticatedBy").asText()).isEqualTo("client-certificate");
        assertThat(me.path("name").asText()).isEqualTo("O=Example,CN=alice");
        assertThat(alice.post("/api/v1/challenges", null, "{\"ttl\":60}").status()).isEqualTo(201);
        assertThat(alice.get("/console/", null).status()).isEqualTo(200);
    }

    @Test
    void listedSan_isViewer_andCannotChange() throws Exception {
        AdminHttp bob = as(issue("CN=bob", "bob@example.com", 1));
        assertThat(bob.get("/api/v1/me", null).json().path("role").asText()).isEqualTo("viewer");
        assertThat(bob.get("/api/v1/certificates", null).status()).isEqualTo(200);
        assertThat(bob.post("/api/v1/challenges", null, "{}").status()).isEqualTo(403);
    }

    @Test
    void unlistedClientCertificate_is401() throws Exception {
        AdminHttp carol = as(issue("CN=carol", null, 2));
        var r = carol.get("/api/v1/me", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("detail").asText()).contains("not granted");
    }

    @Test
    void revokedClientCertificate_is401() throws Exception {
        Client alice2 = issue("CN=alice,O=Example", null, 3);
        AdminHttp http = as(alice2);
        assertThat(http.get("/api/v1/me", null).status()).isEqualTo(200);
        running.ca().revocation().revoke(alice2.cert().getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");
        assertThat(as(alice2).get("/api/v1/me", null).status()).isEqualTo(401);
    }

    @Test
    void bearerTokenWorksOverTheMtlsConnectorToo() throws Exception {
        String token = running.ca().tokens().create("tls-token", AdminRole.ADMIN).token();
        AdminHttp carol = as(issue("CN=carol2", null, 2));
        assertThat(carol.get("/api/v1/me", token).json().path("name").asText()).isEqualTo("tls-token");
    }

    /**
     * Before: a form-encoded or empty-body POST with a foreign Origin revoked a certificate, the browser presenting
     * the admin's client certificate by itself (CSRF). Now a change needs JSON and this origin.
     */
    @Test
    void crossSiteChanges_areRefused_beforeAnythingChanges() throws Exception {
        AdminHttp alice = as(issue("CN=alice,O=Example", null, 0));
        Client victim = issue("CN=csrf-victim", null, 5);
        String path = "/api/v1/certificates/" + victim.cert().getSerialNumber().toString(16) + "/revoke";
        byte[] form = "reason=keyCompromise".getBytes();
        var formPost = alice.send("POST", path, null, "application/x-www-form-urlencoded", form, "Origin", "https://evil.example");
        assertThat(formPost.status()).isEqualTo(415);
        assertThat(formPost.problemType()).isEqualTo("unsupported-media-type");
        assertThat(alice.send("POST", path, null, null, null, "Origin", "https://evil.example").status()).isEqualTo(415);
        assertThat(alice.send("POST", path, null, "text/plain", form).status()).isEqualTo(415);
        var foreign = alice.send("POST", path, null, "application/json", "{}".getBytes(), "Origin", "https://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.problemType()).isEqualTo("cross-site-request");
        assertThat(alice.send("POST", path, null, "application/json", null, "Sec-Fetch-Site", "cross-site").status())
                .isEqualTo(403);
        assertThat(alice.send("POST", path, null, "application/json", null, "Origin", "null").status()).isEqualTo(403);
        assertThat(running.ca().certificates().find(victim.cert().getSerialNumber()).orElseThrow().status())
                .isEqualTo(CertificateStatus.VALID);
        // The console's own calls: JSON, this origin (empty body too).
        var own = alice.send("POST", path, null, "application/json", null, "Origin", alice.base(),
                "Sec-Fetch-Site", "same-origin");
        assertThat(own.status()).isEqualTo(200);
        assertThat(running.ca().certificates().find(victim.cert().getSerialNumber()).orElseThrow().status())
                .isEqualTo(CertificateStatus.REVOKED);
    }

    @Test
    void foreignOrMissingClientCertificate_failsTheHandshake() throws Exception {
        KeyPair kp = TestKeys.rsa2048(4);
        var now = java.time.Instant.now();
        X509Certificate selfSigned = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=alice,O=Example"), java.math.BigInteger.TEN, java.util.Date.from(now.minusSeconds(60)),
                java.util.Date.from(now.plusSeconds(3600)), new X500Name("CN=alice,O=Example"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        AdminHttp foreign = over(selfSigned, kp.getPrivate(), List.of());
        assertThatThrownBy(() -> foreign.get("/api/v1/me", null)).isInstanceOf(UncheckedIOException.class);
        AdminHttp anonymous = over(null, null, List.of());
        assertThatThrownBy(() -> anonymous.get("/api/v1/me", null)).isInstanceOf(UncheckedIOException.class);
    }
}
