package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.bouncycastle.cms.CMSSignedData;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.jscep.message.CertRep;
import org.jscep.message.PkcsPkiEnvelopeDecoder;
import org.jscep.message.PkcsPkiEnvelopeEncoder;
import org.jscep.message.PkcsReq;
import org.jscep.message.PkiMessageDecoder;
import org.jscep.message.PkiMessageEncoder;
import org.jscep.transaction.FailInfo;
import org.jscep.transaction.Nonce;
import org.jscep.transaction.PkiStatus;
import org.jscep.transaction.TransactionId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.CsrCorpus;
import org.scepca.ca.testing.CsrCorpus.Case;
import org.scepca.ca.testing.CsrCorpus.Expect;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * A representative subset of the CSR attack corpus through the real SCEP server (Jetty, jscep, H2): each refusal is
 * a signed CertRep FAILURE with badAlg for algorithm problems and badRequest otherwise; nothing is stored and the
 * one-time challenge the request carried can still be used.
 */
class ScepCsrCorpusTest {
    @TempDir
    static Path dir;
    static Running server;
    static String url;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final KeyPair SIGNER = TestKeys.rsa2048(3);
    static final X509Certificate SELF = ScepClients.selfSigned(SIGNER, "CN=corpus");

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(), ServerConfig.defaults("127.0.0.1", 0));
        url = "http://127.0.0.1:" + server.port() + "/scep";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Case> corpus() {
        return CsrCorpus.all().stream().filter(Case::scep);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void scepAnswersWithASignedCertRep(Case c) throws Exception {
        String challenge = server.ca().challenges().mint(Duration.ofMinutes(10), Optional.of(c.name())).secret();
        long before = server.ca().certificates().count();
        var csr = c.request().get().challenge(challenge).build();
        String txid = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        CertRep rep = pkcsReq(txid, csr);
        if (c.expect() == Expect.OK) {
            assertThat(rep.getPkiStatus()).as("failInfo %s", rep.getPkiStatus() == PkiStatus.FAILURE ? rep.getFailInfo() : null)
                    .isEqualTo(PkiStatus.SUCCESS);
            assertThat(server.ca().certificates().count()).isEqualTo(before + 1);
            return;
        }
        assertThat(rep.getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
        assertThat(rep.getFailInfo()).isEqualTo(c.expect() == Expect.BAD_ALG ? FailInfo.badAlg : FailInfo.badRequest);
        assertThat(server.ca().certificates().count()).as("nothing stored").isEqualTo(before);
        assertThat(server.ca().requests().find(txid)).as("no request record").isEmpty();
        assertThat(server.ca().challenges().check(challenge)).as("challenge not consumed").isPresent();
    }

    /** A hand-made PKCSReq (jscep's Client derives the transactionID from the CSR key, which cases share). */
    static CertRep pkcsReq(String txid, org.bouncycastle.pkcs.PKCS10CertificationRequest csr) throws Exception {
        var encoder = new PkiMessageEncoder(SIGNER.getPrivate(), SELF, new PkcsPkiEnvelopeEncoder(
                server.scep().raCertificate(), "AES"), "SHA256withRSA");
        byte[] message = encoder.encode(new PkcsReq(new TransactionId(txid.getBytes(StandardCharsets.US_ASCII)),
                Nonce.nextNonce(), csr)).getEncoded();
        HttpResponse<byte[]> resp = HTTP.send(HttpRequest.newBuilder(URI.create(url + "?operation=PKIOperation"))
                .header("Content-Type", "application/x-pki-message").POST(HttpRequest.BodyPublishers.ofByteArray(message))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(resp.statusCode()).isEqualTo(200);
        return (CertRep) new PkiMessageDecoder(server.scep().raCertificate(),
                new PkcsPkiEnvelopeDecoder(SELF, SIGNER.getPrivate())).decode(new CMSSignedData(resp.body()));
    }

    /**
     * Before: a CN with a newline and "op=PKCSReq ... outcome=issued" wrote a second, forged audit line (no challenge
     * needed). Now every line is one event whose fields read back as sent.
     */
    @Test
    void aNewlineInTheSubjectNeverForgesAnAuditLine() throws Exception {
        ListAppender<ILoggingEvent> audit = new ListAppender<>();
        audit.start();
        Logger logger = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(audit);
        try {
            String forged = "victim\nop=PKCSReq txid=forged subject=\"CN=admin\" serial=01 outcome=issued";
            var csr = org.scepca.ca.testing.Csrs.csr().subject(new org.bouncycastle.asn1.x500.X500Name(
                    new org.bouncycastle.asn1.x500.RDN[] {new org.bouncycastle.asn1.x500.RDN(
                            org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(forged))}))
                    .build();
            String txid = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            assertThat(pkcsReq(txid, csr).getPkiStatus()).isEqualTo(PkiStatus.FAILURE);
            var lines = audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(1);
            String line = lines.get(0);
            assertThat(line).doesNotContain("\n", "\r");
            var fields = AuditLine.parse(line);
            assertThat(fields).containsEntry("op", "PKCSReq").containsEntry("txid", txid)
                    .containsEntry("subject", csr.getSubject().toString()).containsEntry("outcome", "failure:bad_request")
                    .containsEntry("endpoint", "scep").containsEntry("serial", "-").containsEntry("device", "-")
                    .containsEntry("actor", "scep:anonymous");
            assertThat(fields.get("subject")).as("the newline is data inside the field").contains("\n");
        } finally {
            logger.detachAppender(audit);
            logger.setLevel(level);
        }
    }
}
