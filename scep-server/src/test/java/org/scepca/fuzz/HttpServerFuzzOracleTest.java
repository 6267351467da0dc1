package org.scepca.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The raw-HTTP targets' hang oracle against a socket peer that misbehaves on purpose: a finding must tell a server
 * that never answered from one that answered and then left the connection open.
 */
class HttpServerFuzzOracleTest {
    private static final String ANSWER = "HTTP/1.1 415 Unsupported Media Type\r\nContent-Length: 0\r\n\r\n";

    @Test
    void anAnswerFollowedByTheCloseIsAReply() throws Exception {
        try (Peer peer = new Peer(ANSWER, true)) {
            HttpServerFuzzTest.Reply r = HttpServerFuzzTest.send(peer.port(), "POST", "/api/v1/challenges", null, null,
                    new byte[0], 5_000);
            assertThat(r.status()).isEqualTo(415);
        }
    }

    @Test
    void noAnswerAtAll() throws Exception {
        try (Peer peer = new Peer("", false)) {
            assertThatThrownBy(() -> HttpServerFuzzTest.send(peer.port(), "POST", "/api/v1/challenges", null, null,
                    new byte[0], 300))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("no answer within 300 ms: POST /api/v1/challenges [nothing received] [");
        }
    }

    @Test
    void anAnswerOnAConnectionLeftOpen() throws Exception {
        try (Peer peer = new Peer(ANSWER, false)) {
            assertThatThrownBy(() -> HttpServerFuzzTest.send(peer.port(), "POST", "/api/v1/challenges", null, null,
                    new byte[0], 300))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("[received " + ANSWER.length() + " bytes, but the connection stayed open:"
                            + " HTTP/1.1 415 Unsupported Media Type]")
                    .hasMessageContaining("[heap ");
        }
    }

    @Test
    void aCloseWithoutAnAnswer() throws Exception {
        try (Peer peer = new Peer("", true)) {
            assertThatThrownBy(() -> HttpServerFuzzTest.send(peer.port(), "POST", "/api/v1/challenges", null, null,
                    new byte[3], 5_000))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageMatching("(?s)not an HTTP response: the server closed the connection after \\d+ ms without"
                            + " a byte of answer: POST /api/v1/challenges \\(3-byte body\\) \\[.*");
        }
    }

    /** Accepts one connection, reads the request head, writes {@code answer}, and closes only if told to. */
    private static final class Peer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;

        Peer(String answer, boolean close) throws IOException {
            thread = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        head.append((char) b);
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (!close) {
                        done.await(10, TimeUnit.SECONDS);
                    }
                } catch (IOException | InterruptedException e) {
                    // the test ended
                }
            }, "oracle-test-peer");
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            done.countDown();
            server.close();
            thread.join(10_000);
        }
    }
}
