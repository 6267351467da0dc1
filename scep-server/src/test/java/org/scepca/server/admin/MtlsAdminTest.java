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
import java.nio.file.attribute.PosixFilePermission;
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
import org.scepca.ca.pem.Pem;
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
 * The mTLS admin connector: server certificate from {@code scepca cert issue-server}, admin client certificates from
 * {@code scepca admin cert issue} with their role in the store. A device certificate never carries a role, whatever
 * its names (issue 11: a device enrolled as CN=alice,O=Example used to become admin).
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
                dir.resolve("tls/server-chain.pem"), dir.resolve("tls/server.key")));
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

    /** Runs {@code scepca admin cert issue} (as an operator would, while the server runs) and returns its output. */
    private String adminCertIssue(String... args) {
        StringWriter out = new StringWriter();
        List<String> all = new java.util.ArrayList<>(List.of("admin", "cert", "issue", "--data", dir.toString(),
                "--passphrase-file", dir.resolve("pp").toString(), "--out", dir.resolve("admins").toString()));
        all.addAll(List.of(args));
        int rc = Main.run(all.toArray(new String[0]), new PrintWriter(out), new PrintWriter(out));
        assertThat(rc).as(out.toString()).isZero();
        return out.toString();
    }

    /** An admin certificate written as PEM by the CLI, loaded back as the admin's browser or curl would. */
    private Client pemAdmin(String name, String role) throws Exception {
        adminCertIssue("--name", name, "--role", role, "--format", "pem");
        Path admins = dir.resolve("admins");
        var cert = Pem.readKeyAndCertificates(admins.resolve(name + ".pem"), null).certificates().get(0);
        var key = Pem.readKeyAndCertificates(admins.resolve(name + ".key"), null).key();
        assertThat(Files.getPosixFilePermissions(admins.resolve(name + ".key"))).containsOnly(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        return new Client(cert, new KeyPair(cert.getPublicKey(), key));
    }

    @Test
    void aDeviceCertificateWithAnAdminsNames_getsNoRole() throws Exception {
        pemAdmin("alice", "admin");
        // What any holder of a one-time challenge could ask for: the admin's subject and e-mail address.
        AdminHttp device = as(issue("CN=alice", "alice@example.com", 5));
        var r = device.get("/api/v1/me", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("detail").asText()).contains("not an admin certificate");
        assertThat(device.post("/api/v1/challenges", null, "{\"ttl\":60}").status()).isEqualTo(401);
    }

    @Test
    void anAdminCertificate_hasTheRoleItWasIssuedWith_andItsChangesAreAuditedUnderItsName() throws Exception {
        Client c = pemAdmin("ops-admin", "admin");
        assertThat(c.cert().getExtensionValue("2.5.29.32")).as("certificatePolicies").isNotNull();
        assertThat(running.ca().certificates().find(c.cert().getSerialNumber()).orElseThrow().profile())
                .isEqualTo(CertificateProfile.ADMIN_CLIENT);
        AdminHttp admin = as(c);
        var me = admin.get("/api/v1/me", null).json();
        assertThat(me.path("role").asText()).isEqualTo("admin");
        assertThat(me.path("authenticatedBy").asText()).isEqualTo("client-certificate");
        assertThat(me.path("name").asText()).isEqualTo("ops-admin");
        assertThat(admin.post("/api/v1/challenges", null, "{\"ttl\":60}").status()).isEqualTo(201);
        assertThat(admin.get("/console/", null).status()).isEqualTo(200);
    }

    @Test
    void aViewerCertificateInPkcs12_readsButCannotChange() throws Exception {
        String output = adminCertIssue("--name", "auditor", "--role", "viewer");
        String password = output.lines().filter(l -> l.contains("PKCS#12 password:")).findFirst().orElseThrow()
                .replaceAll(".*password:\\s+(\\S+).*", "$1");
        var kc = org.scepca.ca.keys.Pkcs12Files.read(dir.resolve("admins/auditor.p12"),
                org.scepca.ca.keys.Passphrase.of(password));
        AdminHttp viewer = over(kc.chain().get(0), kc.key(), kc.chain().subList(1, kc.chain().size()));
        assertThat(viewer.get("/api/v1/me", null).json().path("role").asText()).isEqualTo("viewer");
        assertThat(viewer.get("/api/v1/certificates", null).status()).isEqualTo(200);
        assertThat(viewer.post("/api/v1/challenges", null, "{}").status()).isEqualTo(403);
    }

    @Test
    void aRevokedAdminCertificate_is401() throws Exception {
        Client c = pemAdmin("leaver", "admin");
        assertThat(as(c).get("/api/v1/me", null).status()).isEqualTo(200);
        running.ca().revocation().revoke(c.cert().getSerialNumber(), RevocationReason.AFFILIATION_CHANGED, "test");
        assertThat(as(c).get("/api/v1/me", null).status()).isEqualTo(401);
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
        AdminHttp alice = as(pemAdmin("csrf-admin", "admin")); // the ambient credential a browser would send
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
