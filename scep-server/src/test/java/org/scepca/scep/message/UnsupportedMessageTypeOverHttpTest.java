package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.scep.ScepReply;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * A correctly signed pkiMessage whose messageType this server does not handle (an unassigned number, or a CertRep,
 * which only a server sends) gets what RFC 8894 §3.2.1.4 has for a transaction "not permitted or supported": a
 * CertRep FAILURE badRequest, signed by the RA and addressed to the request (its transactionID, its senderNonce as
 * recipientNonce), over POST and GET alike. It was an HTTP 400, which a client cannot tell from a broken message.
 * Nothing is stored for it.
 */
class UnsupportedMessageTypeOverHttpTest {

    @ParameterizedTest(name = "messageType={0} over {1}")
    @CsvSource({"99, POST", "3, POST", "0, GET", "23, GET"})
    void isASignedFailureBadRequestAddressedToTheSender(String messageType, String method, @TempDir Path dir)
            throws Exception {
        Providers.register();
        org.scepca.ca.testing.TestPki.create(dir).close();
        try (Running server = Running.start(new CaDirectory(dir), org.scepca.ca.testing.TestPki.PASSPHRASE,
                CaConfig.defaults(), ServerConfig.defaults("127.0.0.1", 0))) {
            byte[] nonce = "sixteen-byte-non".getBytes(StandardCharsets.US_ASCII);
            String transactionId = "unsupported-" + messageType;
            byte[] msg = TestRequests.pkcsReq(TestPki.PKI).messageType(messageType).transactionId(transactionId)
                    .senderNonce(nonce).recipient(server.scep().raCertificate()).build();
            long stored = server.ca().certificates().count();
            String base = "http://127.0.0.1:" + server.port() + "/scep?operation=PKIOperation";
            HttpRequest request = "GET".equals(method)
                    ? HttpRequest.newBuilder(URI.create(base + "&message=" + URLEncoder.encode(
                            Base64.getEncoder().encodeToString(msg), StandardCharsets.US_ASCII))).GET().build()
                    : HttpRequest.newBuilder(URI.create(base)).header("Content-Type", "application/x-pki-message")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(msg)).build();
            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            CertRepCheck.Rep rep = CertRepCheck.verify(new ScepReply(
                    response.headers().firstValue("Content-Type").orElse(""), response.body()),
                    server.scep().raCertificate());
            CertRepCheck.assertAddressed(rep, transactionId, nonce);
            assertThat(rep.status()).isEqualTo("2");
            assertThat(rep.failInfo()).isEqualTo("2");
            assertThat(server.ca().certificates().count()).isEqualTo(stored);
        }
    }
}
