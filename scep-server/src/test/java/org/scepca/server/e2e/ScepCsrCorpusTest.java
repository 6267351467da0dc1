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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
        // Hand-made PKCSReq (jscep's Client derives the transactionID from the CSR key, which cases share).
        String txid = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        var encoder = new PkiMessageEncoder(SIGNER.getPrivate(), SELF, new PkcsPkiEnvelopeEncoder(
                server.scep().raCertificate(), "AES"), "SHA256withRSA");
        byte[] message = encoder.encode(new PkcsReq(new TransactionId(txid.getBytes(StandardCharsets.US_ASCII)),
                Nonce.nextNonce(), csr)).getEncoded();
        HttpResponse<byte[]> resp = HTTP.send(HttpRequest.newBuilder(URI.create(url + "?operation=PKIOperation"))
                .header("Content-Type", "application/x-pki-message").POST(HttpRequest.BodyPublishers.ofByteArray(message))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(resp.statusCode()).isEqualTo(200);
        CertRep rep = (CertRep) new PkiMessageDecoder(server.scep().raCertificate(),
                new PkcsPkiEnvelopeDecoder(SELF, SIGNER.getPrivate())).decode(new CMSSignedData(resp.body()));
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
}
