package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * Debian's certmonger, an SCEP client written independently of this project, against the real server: GetCACaps and
 * GetCACert through its scep-submit helper, then enrollment, refusal, renewal and manual approval through a private
 * certmonger daemon. Skipped only where certmonger's scep-submit or dbus-daemon is not installed; CI installs both.
 */
class CertmongerInteropIT {
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String AUTO_CA = "scepca-auto";
    private static final String MANUAL_CA = "scepca-manual";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** certmonger states after which waiting longer cannot bring a certificate. */
    private static final Set<String> FAILED = Set.of("CA_REJECTED", "CA_UNREACHABLE", "CA_UNCONFIGURED", "NEED_GUIDANCE",
            "NEED_CA");

    @TempDir
    static Path tmp;
    private static Running auto;
    private static Running manual;
    private static CertmongerSession certmonger;
    private static AuditLines audit;
    private static Path certs;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(CertmongerSession.installed(),
                "certmonger's " + CertmongerSession.SCEP_SUBMIT + " or " + CertmongerSession.DBUS_DAEMON + " is not installed");
        Providers.register();
        audit = AuditLines.attach();
        auto = startServer(tmp.resolve("ca-auto"), new Properties());
        Properties manualApproval = new Properties();
        manualApproval.setProperty("scep.approval", "manual");
        manual = startServer(tmp.resolve("ca-manual"), manualApproval);
        certs = Files.createDirectories(tmp.resolve("certs"));

        certmonger = CertmongerSession.start(tmp.resolve("cm"));
        addScepCa(AUTO_CA, auto);
        addScepCa(MANUAL_CA, manual);
    }

    @AfterAll
    static void stop() {
        if (certmonger != null) {
            certmonger.close();
        }
        if (auto != null) {
            auto.close();
        }
        if (manual != null) {
            manual.close();
        }
        if (audit != null) {
            audit.detach();
        }
    }

    // ---- the helper alone ----

    @Test
    void getCaCaps_listsAesSha256PostAndRenewal() {
        CertmongerSession.Result caps = certmonger.scepSubmit("-u", url(auto), "-c");

        assertThat(caps.ok()).as(caps.output()).isTrue();
        assertThat(caps.output().lines()).contains("AES", "SHA-256", "POSTPKIOperation", "Renewal");
    }

    @Test
    void getCaCert_returnsTheRaAndCaCertificates() throws Exception {
        CertmongerSession.Result result = certmonger.scepSubmit("-u", url(auto), "-C");

        assertThat(result.ok()).as(result.output()).isTrue();
        List<X509Certificate> returned = pemCertificates(result.output());
        var material = auto.ca().material();
        assertThat(returned).extracting(c -> c.getSubjectX500Principal().getName())
                .contains(material.raCertificate().getSubjectX500Principal().getName(),
                        material.intermediateCertificate().getSubjectX500Principal().getName());
        assertThat(returned).contains(material.raCertificate(), material.intermediateCertificate());
    }

    // ---- through the daemon ----

    @Test
    void enrollsWithAOneTimeChallenge_certificateChainsToOurRootAndIsStored() throws Exception {
        String challenge = auto.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("certmonger IT")).secret();

        X509Certificate issued = enroll(AUTO_CA, "enroll", "certmonger-enroll", challenge);

        assertVerifiesAsClientCertificate(auto, certFile("enroll"));
        assertThat(issued.getExtendedKeyUsage()).contains(CLIENT_AUTH);
        assertThat(issued.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        CertificateRecord stored = auto.ca().certificates().find(issued.getSerialNumber()).orElseThrow();
        assertThat(stored.requester()).isEqualTo("scep:challenge:one_time");
        assertThat(stored.status()).isEqualTo(CertificateStatus.VALID);
        assertThat(audit.matching("op=PKCSReq txid=\\S+ subject=\"CN=certmonger-enroll\" serial="
                + stored.serialHex() + " outcome=issued")).hasSize(1);
    }

    @Test
    void aWrongChallenge_endsInCaRejected_andNothingIsStored() throws Exception {
        long before = auto.ca().certificates().count();

        request(AUTO_CA, "wrong-challenge", "certmonger-wrong-challenge", "not-a-challenge-this-ca-minted");
        CertmongerSession.Listing listing = certmonger.awaitStatus("wrong-challenge", "CA_REJECTED", SETTLE);

        assertThat(listing.text()).contains("ca-error");
        assertThat(Files.exists(certFile("wrong-challenge"))).isFalse();
        assertThat(audit.matching("op=PKCSReq txid=\\S+ subject=\"CN=certmonger-wrong-challenge\" serial=- "
                + "outcome=failure:bad_request reason=\"wrong, expired or used challenge password\"")).isNotEmpty();
        assertThat(auto.ca().certificates().list(new CertificateQuery(CertificateQuery.State.ALL,
                Optional.of("certmonger-wrong-challenge"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 10), Instant.now()).items()).isEmpty();
        assertThat(auto.ca().requests().list(Optional.empty(), 1000))
                .noneMatch(r -> r.subjectDn().contains("certmonger-wrong-challenge"));
        assertThat(auto.ca().certificates().count()).isEqualTo(before);
    }

    /**
     * {@code getcert resubmit} renews with the same key, so certmonger sends a PKCSReq (not a RenewalReq) signed by the
     * certificate it holds, with the transactionID of the first enrollment (derived from the key) and a new CSR.
     */
    @Test
    void resubmit_renewsWithTheExistingCertificate_andSupersedesTheOld() throws Exception {
        String challenge = auto.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("certmonger IT")).secret();
        X509Certificate first = enroll(AUTO_CA, "renew", "certmonger-renew", challenge);
        String firstSerial = first.getSerialNumber().toString(16);
        String txid = audit.group("op=PKCSReq txid=(\\S+) subject=\"CN=certmonger-renew\" serial=" + firstSerial
                + " outcome=issued");

        CertmongerSession.Result resubmit = certmonger.getcert("resubmit", "-i", "renew");
        assertThat(resubmit.ok()).as(resubmit.output()).isTrue();
        certmonger.await("renew", SETTLE, l -> l.status().equals("MONITORING")
                && !serialOf(certFile("renew")).equals(first.getSerialNumber()), FAILED);

        X509Certificate second = readCertificate(certFile("renew"));
        String secondSerial = second.getSerialNumber().toString(16);
        assertThat(second.getPublicKey()).as("same key").isEqualTo(first.getPublicKey());
        assertVerifiesAsClientCertificate(auto, certFile("renew"));
        assertThat(audit.matching("op=PKCSReq txid=" + Pattern.quote(txid) + " subject=\"CN=certmonger-renew\" serial="
                + secondSerial + " outcome=renewed")).hasSize(1);
        assertThat(audit.matching("op=RenewalReq txid=" + Pattern.quote(txid))).isEmpty();
        CertificateRecord old = auto.ca().certificates().find(first.getSerialNumber()).orElseThrow();
        assertThat(old.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(old.revocationReason()).contains(RevocationReason.SUPERSEDED);
        CertificateRecord renewed = auto.ca().certificates().find(second.getSerialNumber()).orElseThrow();
        assertThat(renewed.requester()).isEqualTo("scep:renewal:" + firstSerial);
        assertThat(renewed.status()).isEqualTo(CertificateStatus.VALID);
    }

    /**
     * certmonger polls a PENDING request by resending its PKCSReq; its own poll interval is far longer than a test, so
     * {@code getcert refresh} asks for that poll now.
     */
    @Test
    void manualApproval_waitsInCaWorking_thenTheNextPollFetchesTheApprovedCertificate() throws Exception {
        String challenge = manual.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("certmonger IT")).secret();
        request(MANUAL_CA, "manual", "certmonger-manual", challenge);
        certmonger.awaitStatus("manual", "CA_WORKING", SETTLE);
        RequestRecord pending = manual.ca().requests().list(Optional.of(RequestStatus.PENDING), 100).stream()
                .filter(r -> r.subjectDn().equals("CN=certmonger-manual")).findFirst().orElseThrow();
        assertThat(Files.exists(certFile("manual"))).isFalse();

        IssuedCertificate approved = manual.ca().approvals().approve(pending.transactionId(), "it");
        CertmongerSession.Result refresh = certmonger.getcert("refresh", "-i", "manual");
        assertThat(refresh.ok()).as(refresh.output()).isTrue();
        certmonger.await("manual", SETTLE, l -> l.status().equals("MONITORING"), FAILED);

        X509Certificate fetched = readCertificate(certFile("manual"));
        assertThat(fetched.getSerialNumber()).isEqualTo(approved.record().serial());
        assertVerifiesAsClientCertificate(manual, certFile("manual"));
        String tx = Pattern.quote(pending.transactionId());
        assertThat(audit.matching("op=PKCSReq txid=" + tx + " .* outcome=pending")).isNotEmpty();
        assertThat(audit.matching("op=PKCSReq txid=" + tx + " subject=\"CN=certmonger-manual\" serial="
                + approved.record().serialHex() + " outcome=issued")).isNotEmpty();
    }

    // ---- helpers ----

    private static Running startServer(Path dir, Properties config) throws Exception {
        TestPki.create(dir).close();
        return Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.from(config),
                ServerConfig.defaults("127.0.0.1", 0));
    }

    private static String url(Running server) {
        return "http://127.0.0.1:" + server.port() + "/scep";
    }

    private static void addScepCa(String name, Running server) {
        CertmongerSession.Result r = certmonger.getcert("add-scep-ca", "-c", name, "-u", url(server),
                "-R", server.ca().directory().rootCert().toString());
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    private static void request(String ca, String id, String commonName, String challenge) {
        CertmongerSession.Result r = certmonger.getcert("request", "-c", ca, "-I", id,
                "-f", certFile(id).toString(), "-k", certs.resolve(id + ".key").toString(),
                "-N", "CN=" + commonName, "-L", challenge);
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    private static X509Certificate enroll(String ca, String id, String commonName, String challenge) throws Exception {
        request(ca, id, commonName, challenge);
        certmonger.awaitStatus(id, "MONITORING", SETTLE);
        return readCertificate(certFile(id));
    }

    private static Path certFile(String id) {
        return certs.resolve(id + ".pem");
    }

    /** {@code openssl verify} with our root as the only trust anchor, the issuing CA untrusted, purpose sslclient. */
    private static void assertVerifiesAsClientCertificate(Running server, Path cert) {
        CaDirectory dir = server.ca().directory();
        OpenSsl.Result verify = OpenSsl.run("verify", "-CAfile", dir.rootCert().toString(),
                "-untrusted", dir.intermediateCert().toString(), "-purpose", "sslclient", cert.toString());
        assertThat(verify.ok()).as(verify.output()).isTrue();
        assertThat(verify.output()).contains(cert + ": OK");
    }

    private static BigInteger serialOf(Path pem) {
        try {
            return Files.exists(pem) ? readCertificate(pem).getSerialNumber() : BigInteger.ZERO;
        } catch (Exception e) {
            return BigInteger.ZERO; // being rewritten by certmonger: look again on the next poll
        }
    }

    private static X509Certificate readCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static List<X509Certificate> pemCertificates(String text) throws Exception {
        Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        return all.stream().map(X509Certificate.class::cast).toList();
    }
}
