package org.scepca.server.expiry;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.testing.Csrs;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpServer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** What the expiry tests share: certificates with a chosen validity, a webhook receiver, the audit lines. */
final class ExpiryTestKit {
    static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef";

    private ExpiryTestKit() {
    }

    /** Issues a device certificate that runs for {@code validity} from the CA's clock, through the endpoint named. */
    static CertificateRecord issue(CertificateAuthority ca, String cn, Duration validity, String endpoint,
            Optional<String> deviceSerial) {
        var engine = ca.issuance().withPolicy(ca.config().policy().withValidity(validity));
        IssuedFor f = new IssuedFor(Optional.of(endpoint), Optional.empty(), Optional.empty(), deviceSerial,
                Optional.empty(), Optional.empty());
        return engine.issue(new IssuanceRequest(Csrs.csr().subject("CN=" + cn + ",O=Test").build(), "test",
                CertificateProfile.CLIENT, IssuanceEffects.none(), NameRule.any(), f)).record();
    }

    /** Appends {@code keys} to the data folder's scepca.properties and writes the webhook secret. */
    static void configure(Path dir, Map<String, String> keys) throws IOException {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/webhook-secret"), SECRET + "\n");
        StringBuilder b = new StringBuilder("\n");
        keys.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve("scepca.properties"), b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The lines the audit logger writes, from now on. */
    static ListAppender<ILoggingEvent> captureAudit() {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        Logger l = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
        l.setLevel(Level.INFO);
        l.addAppender(a);
        return a;
    }

    static void release(ListAppender<ILoggingEvent> a) {
        ((Logger) LoggerFactory.getLogger(AuditLine.LOGGER)).detachAppender(a);
    }

    static List<Map<String, String>> lines(ListAppender<ILoggingEvent> a, String op) {
        return a.list.stream().map(e -> AuditLine.parse(e.getFormattedMessage())).filter(m -> op.equals(m.get("op")))
                .toList();
    }

    /** The distinct messages a GreenMail server received (it keeps one copy per recipient), in order. */
    static List<jakarta.mail.internet.MimeMessage> digests(com.icegreen.greenmail.util.GreenMail smtp)
            throws jakarta.mail.MessagingException {
        Map<String, jakarta.mail.internet.MimeMessage> byId = new java.util.LinkedHashMap<>();
        for (jakarta.mail.internet.MimeMessage m : smtp.getReceivedMessages()) {
            byId.putIfAbsent(m.getMessageID(), m);
        }
        return List.copyOf(byId.values());
    }

    static String hex(BigInteger serial) {
        return serial.toString(16);
    }

    /** A webhook receiver on 127.0.0.1 (JDK HTTP server) that checks every signature and answers 200. */
    static final class Receiver implements AutoCloseable {
        record Delivery(Map<String, String> headers, String body, boolean signatureValid) {
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }
        }

        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", ex -> {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Map<String, String> h = new TreeMap<>();
                ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v.get(0)));
                deliveries.add(new Delivery(h, new String(body, StandardCharsets.UTF_8),
                        valid(h.get("x-scepca-timestamp"), h.get("x-scepca-signature"), body)));
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        /** docs/webhooks.md: sha256= HMAC-SHA256(secret, timestamp "." body). */
        private static boolean valid(String ts, String sig, byte[] body) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
                mac.update((ts + ".").getBytes(StandardCharsets.US_ASCII));
                return ("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))).equals(sig);
            } catch (Exception e) {
                return false;
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
