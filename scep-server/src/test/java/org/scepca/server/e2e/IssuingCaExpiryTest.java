package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * An issuing CA at the end of its life. Expired: the server still starts and serves the CRL, OCSP and GetCACert,
 * and refuses enrollments with a reason. Within 90 days of expiry: it warns (log, readiness, dashboard).
 */
class IssuingCaExpiryTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A test PKI made {@code ago} in the past: its issuing CA (1825 days) ends 1825 days after that. */
    private static void pkiMade(Path dir, Duration ago) throws Exception {
        Providers.register();
        TestPki.create(dir, CaConfig.defaults(), Clock.fixed(Instant.now().minus(ago), ZoneOffset.UTC)).close();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void expiredIssuingCa_serverStarts_servesCrlOcspAndCaCert_refusesEnrollmentWithAReason(@TempDir Path dir) throws Exception {
        pkiMade(dir, Duration.ofDays(1830));
        ListAppender<ILoggingEvent> audit = capture(AuditLine.LOGGER);
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0))) {
            String url = "http://127.0.0.1:" + server.port() + "/scep";
            assertThat(get(server.port(), "/crl/intermediate.crl").statusCode()).isEqualTo(200);
            assertThat(get(server.port(), "/scep?operation=GetCACert").statusCode()).isEqualTo(200);
            assertThat(ScepClients.certificates(ScepClients.client(url).getCaCertificate())).isNotEmpty();
            var ocsp = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ocsp"))
                    .header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ocspRequest(server)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ocsp.statusCode()).isEqualTo(200);
            assertThat(new org.bouncycastle.cert.ocsp.OCSPResp(ocsp.body()).getStatus()).as("successful, not tryLater")
                    .isEqualTo(org.bouncycastle.cert.ocsp.OCSPResp.SUCCESSFUL);

            String challenge = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.empty()).secret();
            KeyPair keys = TestKeys.rsa2048(6);
            long before = server.ca().certificates().count();
            // Sent by hand: jscep refuses a reply signed by an RA certificate that has expired along with the CA.
            var self = ScepClients.selfSigned(keys, "CN=late");
            byte[] message = new org.jscep.message.PkiMessageEncoder(keys.getPrivate(), self,
                    new org.jscep.message.PkcsPkiEnvelopeEncoder(server.scep().raCertificate(), "AES"), "SHA256withRSA")
                    .encode(new org.jscep.message.PkcsReq(org.jscep.transaction.TransactionId.createTransactionId(
                            keys.getPublic(), "SHA-256"), org.jscep.transaction.Nonce.nextNonce(),
                            csr().keys(keys).subject("CN=late").challenge(challenge).build())).getEncoded();
            var reply = HTTP.send(HttpRequest.newBuilder(URI.create(url + "?operation=PKIOperation"))
                    .header("Content-Type", "application/x-pki-message").POST(HttpRequest.BodyPublishers.ofByteArray(message))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(reply.statusCode()).isEqualTo(200);
            var signed = new org.bouncycastle.cms.CMSSignedData(reply.body());
            var signer = signed.getSignerInfos().getSigners().iterator().next();
            assertThat(signer.verify(new org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder()
                    .build(server.scep().raCertificate().getPublicKey()))).isTrue();
            assertThat(attribute(signer, "2.16.840.1.113733.1.9.3")).as("pkiStatus FAILURE").isEqualTo("2");
            assertThat(attribute(signer, "2.16.840.1.113733.1.9.4")).as("failInfo badRequest").isEqualTo("2");
            assertThat(server.ca().certificates().count()).isEqualTo(before);
            assertThat(server.ca().challenges().check(challenge)).as("challenge not consumed").isPresent();
            assertThat(audit.list.stream().map(ILoggingEvent::getFormattedMessage).map(AuditLine::parse)
                    .filter(f -> "PKCSReq".equals(f.get("op")))).singleElement()
                    .satisfies(f -> assertThat(f.get("reason")).startsWith("issuing CA expired"));

            var ready = get(server.adminPort(), "/readyz");
            assertThat(ready.statusCode()).as("still serving CRL and OCSP").isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"degraded\"").contains("issuing CA expired");
        } finally {
            release(AuditLine.LOGGER, audit);
        }
    }

    @Test
    void issuingCaExpiringIn10Days_warnsAtStartUp_inReadiness_andOnTheDashboard(@TempDir Path dir) throws Exception {
        pkiMade(dir, Duration.ofDays(1815));
        ListAppender<ILoggingEvent> log = capture("scepca");
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0))) {
            assertThat(log.list).anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().matches("issuing CA expires on \\S+ \\(in (9|10) days\\).*"));
            var ready = get(server.adminPort(), "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"ok\"").contains("issuing CA expires on");
            String token = server.ca().tokens().create("t", org.scepca.ca.tokens.AdminRole.VIEWER).token();
            var dash = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/api/v1/dashboard"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(dash.body()).contains("\"warnings\":[\"issuing CA expires on");
        } finally {
            release("scepca", log);
        }
    }

    @Test
    void issuingCaWithYearsLeft_noWarning(@TempDir Path dir) throws Exception {
        pkiMade(dir, Duration.ZERO);
        try (Running server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0))) {
            assertThat(get(server.adminPort(), "/readyz").body()).startsWith("{\"status\":\"ok\",\"warnings\":[],")
                    .contains("{\"name\":\"issuing-ca\",\"status\":\"ok\",\"detail\":\"valid until ");
        }
    }

    private static String attribute(org.bouncycastle.cms.SignerInformation signer, String oid) {
        var a = signer.getSignedAttributes().get(new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid));
        return ((org.bouncycastle.asn1.ASN1String) a.getAttrValues().getObjectAt(0)).getString();
    }

    private static byte[] ocspRequest(Running server) throws Exception {
        var id = new org.bouncycastle.cert.ocsp.CertificateID(new org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder()
                .build().get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1), new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(
                server.ca().material().intermediateCertificate()), java.math.BigInteger.TEN);
        return new org.bouncycastle.cert.ocsp.OCSPReqBuilder().addRequest(id).build().getEncoded();
    }

    /** The levels capture() replaced, put back by release(): a test must not leave its logging to the next class. */
    private static final Map<String, Optional<Level>> PREVIOUS = new ConcurrentHashMap<>();

    private static ListAppender<ILoggingEvent> capture(String name) {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        PREVIOUS.put(name, Optional.ofNullable(logger.getLevel()));
        logger.setLevel(Level.INFO);
        logger.addAppender(a);
        return a;
    }

    private static void release(String name, ListAppender<ILoggingEvent> a) {
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        logger.detachAppender(a);
        // Not setLevel(null): that made the audit logger inherit the root's WARN for every test class after this one
        // in the JVM (CliTest and P12BatchCommandTest then found no audit line), shown once test classes ran in two
        // JVMs in another order.
        logger.setLevel(PREVIOUS.getOrDefault(name, Optional.empty()).orElse(null));
    }
}
