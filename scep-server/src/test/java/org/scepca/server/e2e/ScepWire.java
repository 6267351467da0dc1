package org.scepca.server.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
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
import org.scepca.server.app.Running;

/**
 * Real SCEP messages over real HTTP, built and read with jscep's message codec: a PKCSReq signed by any certificate
 * (a throwaway one for a first enrollment, one of ours for a renewal), POSTed to the server, the CertRep verified and
 * decrypted with the signer's key. Also runs N requests at once from a start gate, for race tests.
 */
final class ScepWire {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Running server;

    ScepWire(Running server) {
        this.server = server;
    }

    /** Who signs a message: the certificate the server sees and the key that decrypts its reply. */
    record Signer(X509Certificate certificate, KeyPair keys) {
        static Signer throwaway(KeyPair keys) {
            return new Signer(ScepClients.selfSigned(keys, "CN=throwaway"), keys);
        }
    }

    /** A reply as the device reads it. */
    record Reply(PkiStatus status, Optional<FailInfo> failInfo, Optional<X509Certificate> certificate) {
        boolean success() {
            return status == PkiStatus.SUCCESS;
        }

        X509Certificate issued() {
            if (!success()) {
                throw new AssertionError("expected SUCCESS, got " + status + " " + failInfo.map(Enum::name).orElse(""));
            }
            return certificate.orElseThrow();
        }
    }

    /** A signed, enveloped PKCSReq (messageType 19). */
    byte[] pkcsReq(String transactionId, PKCS10CertificationRequest csr, Signer signer) {
        try {
            PkcsReq req = new PkcsReq(new TransactionId(transactionId.getBytes(StandardCharsets.US_ASCII)),
                    Nonce.nextNonce(), csr);
            return new PkiMessageEncoder(signer.keys().getPrivate(), signer.certificate(),
                    new PkcsPkiEnvelopeEncoder(server.scep().raCertificate(), "AES"), "SHA256withRSA").encode(req).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Reply send(byte[] message, Signer signer) {
        return send(message, signer, "/scep");
    }

    /** POSTs {@code message} to /scep and returns the HTTP response as it came. */
    HttpResponse<byte[]> post(byte[] message) throws java.io.IOException, InterruptedException {
        return post(message, "/scep");
    }

    private HttpResponse<byte[]> post(byte[] message, String path) throws java.io.IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path
                + "?operation=PKIOperation")).POST(HttpRequest.BodyPublishers.ofByteArray(message)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends to the endpoint at {@code path} (/scep, /scep/NAME). */
    Reply send(byte[] message, Signer signer, String path) {
        try {
            HttpResponse<byte[]> resp = post(message, path);
            if (resp.statusCode() != 200) {
                throw new AssertionError("HTTP " + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8));
            }
            CertRep rep = (CertRep) new PkiMessageDecoder(server.scep().raCertificate(),
                    new PkcsPkiEnvelopeDecoder(signer.certificate(), signer.keys().getPrivate()))
                    .decode(new CMSSignedData(resp.body()));
            if (rep.getPkiStatus() != PkiStatus.SUCCESS) {
                return new Reply(rep.getPkiStatus(), Optional.ofNullable(rep.getPkiStatus() == PkiStatus.FAILURE
                        ? rep.getFailInfo() : null), Optional.empty());
            }
            List<X509Certificate> certs = ScepClients.certificates(
                    org.jscep.util.SignedDataUtils.fromSignedData(rep.getMessageData()));
            return new Reply(rep.getPkiStatus(), Optional.empty(), certs.stream().findFirst());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code n} calls at once (all released together) and returns their results in order. */
    static <T> List<T> concurrently(int n, IntFunction<Callable<T>> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<T>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> c = call.apply(i);
                futures.add(pool.submit(() -> {
                    gate.await();
                    return c.call();
                }));
            }
            gate.countDown();
            List<T> out = new java.util.ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
