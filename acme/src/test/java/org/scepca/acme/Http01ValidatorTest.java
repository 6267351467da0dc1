package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.ChallengeValidator.Attempt;
import org.scepca.acme.ChallengeValidator.Outcome;

/** http-01 against a real HTTP server on loopback: what is accepted, and every refusal (section 8.3, section 10). */
class Http01ValidatorTest {
    static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

    HttpServer server;
    int port;
    volatile int status = 200;
    volatile String body;
    volatile String location;
    final List<String> paths = new CopyOnWriteArrayList<>();
    ECKey key;
    String keyAuthorization;

    @BeforeEach
    void start() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).generate();
        keyAuthorization = JwsVerifier.keyAuthorization(TOKEN, key);
        body = keyAuthorization + "\r\n";
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            paths.add(ex.getRequestURI().toString() + " Host=" + ex.getRequestHeaders().getFirst("Host"));
            if (location != null && !ex.getRequestURI().getPath().equals("/moved")) {
                ex.getResponseHeaders().add("Location", location);
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            byte[] b = body.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Outcome validate(boolean allowPrivate) {
        return validate(new Http01Validator(new Targets(allowPrivate), port), "localhost");
    }

    private Outcome validate(Http01Validator v, String host) {
        return v.validate(new Attempt("web", new Identifier("dns", host), TOKEN, key.toPublicJWK(), keyAuthorization,
                new ObjectMapper().createObjectNode()));
    }

    private static void assertInvalid(Outcome o, Type type, String detail) {
        assertThat(o.isValid()).isFalse();
        assertThat(o.problem().orElseThrow().type()).isEqualTo(type);
        assertThat(o.problem().orElseThrow().detail()).contains(detail);
    }

    @Test
    void theKeyAuthorizationAtTheWellKnownPathIsValid() {
        assertThat(validate(true).isValid()).isTrue();
        assertThat(paths).containsExactly("/.well-known/acme-challenge/" + TOKEN + " Host=localhost:" + port);
    }

    @Test
    void loopbackIsRefusedUnlessAllowedAndNothingIsSent() {
        assertInvalid(validate(false), Type.CONNECTION, "loopback, private or link-local");
        assertThat(paths).isEmpty();
        // A public-looking name that resolves to a private address is refused the same way (no second resolution).
        Http01Validator v = new Http01Validator(new Targets(false, h -> new InetAddress[] {
                InetAddress.getByName("169.254.169.254")}), port);
        assertInvalid(validate(v, "metadata.example.org"), Type.CONNECTION, "loopback, private or link-local");
        Http01Validator unknown = new Http01Validator(new Targets(false, h -> {
            throw new java.net.UnknownHostException(h);
        }), port);
        assertInvalid(validate(unknown, "nowhere.example.org"), Type.DNS, "no address");
    }

    @Test
    void aWrongBodyOrStatusIsIncorrectResponse() {
        body = "something else";
        assertInvalid(validate(true), Type.INCORRECT_RESPONSE, "did not answer the key authorization");
        body = keyAuthorization;
        status = 404;
        assertInvalid(validate(true), Type.INCORRECT_RESPONSE, "answered HTTP 404");
    }

    @Test
    void aLargeBodyIsRefused() {
        body = "x".repeat(Http01Validator.MAX_BODY + 1);
        assertInvalid(validate(true), Type.INCORRECT_RESPONSE, "exceeds");
    }

    @Test
    void redirectsAreFollowedOnTheSameHostAndPortOnly() {
        location = "/moved";
        assertThat(validate(true).isValid()).isTrue();
        assertThat(paths).hasSize(2).last().asString().startsWith("/moved");

        location = "http://elsewhere.example.org:" + port + "/x";
        assertInvalid(validate(true), Type.CONNECTION, "redirect to http://elsewhere.example.org");
        location = "https://localhost:" + port + "/x";
        assertInvalid(validate(true), Type.CONNECTION, "refused");
        location = "http://localhost:" + (port == 65535 ? 1 : port + 1) + "/x";
        assertInvalid(validate(true), Type.CONNECTION, "refused");
        location = "/.well-known/acme-challenge/" + TOKEN; // a loop
        assertInvalid(validate(true), Type.CONNECTION, "redirects");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    Thread.sleep(5000);
                } catch (IOException | InterruptedException ignored) {
                    // the validator gave up
                }
            });
            t.setDaemon(true);
            t.start();
            Http01Validator v = new Http01Validator(new Targets(true), silent.getLocalPort(), Duration.ofSeconds(1),
                    Duration.ofMillis(500));
            assertInvalid(validate(v, "localhost"), Type.CONNECTION, "");
        }
    }

    @Test
    void aClosedPortIsAConnectionProblem() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertInvalid(validate(new Http01Validator(new Targets(true), closed), "localhost"), Type.CONNECTION,
                "cannot connect");
    }

    @Test
    void chunkedBodiesAreRead() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    s.getInputStream().read(new byte[2048]);
                    OutputStream out = s.getOutputStream();
                    String half = keyAuthorization.substring(0, 10);
                    String rest = keyAuthorization.substring(10);
                    out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(half.length())
                            + "\r\n" + half + "\r\n" + Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // test fails on the assertion
                }
            });
            t.setDaemon(true);
            t.start();
            assertThat(validate(new Http01Validator(new Targets(true), raw.getLocalPort()), "localhost").isValid())
                    .isTrue();
        }
    }

    @Test
    void privateRanges() throws Exception {
        for (String a : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "::")) {
            assertThat(Targets.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
        }
        for (String a : List.of("8.8.8.8", "192.0.2.1", "2001:4860:4860::8888", "::ffff:8.8.8.8")) {
            assertThat(Targets.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
        }
    }

    @Test
    void supportsNonWildcardDnsNamesOnly() {
        Http01Validator v = new Http01Validator(new Targets(false), 80);
        assertThat(v.supports(new Identifier("dns", "www.example.org"))).isTrue();
        assertThat(v.supports(new Identifier("dns", "*.example.org"))).isFalse();
        assertThat(v.supports(new Identifier("permanent-identifier", "C02X"))).isFalse();
    }
}
