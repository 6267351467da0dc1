package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.ChallengeValidator.Attempt;
import org.scepca.acme.ChallengeValidator.Outcome;

/**
 * dns-01 through the JDK's own DNS client (JNDI) against a small authoritative DNS server on loopback UDP, written
 * here (RFC 1035 message format, TXT answers and NXDOMAIN): the look-up path the server uses, without the internet.
 */
class Dns01ValidatorTest {
    DatagramSocket socket;
    final Map<String, List<String>> zone = new ConcurrentHashMap<>();
    ECKey key;
    String keyAuthorization;

    @BeforeEach
    void start() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).generate();
        keyAuthorization = JwsVerifier.keyAuthorization("tok", key);
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "test-dns");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() {
        socket.close();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket q = new DatagramPacket(buf, buf.length);
                socket.receive(q);
                byte[] reply = answer(java.util.Arrays.copyOf(q.getData(), q.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, q.getSocketAddress()));
            } catch (java.io.IOException e) {
                return;
            }
        }
    }

    /** One question in, its TXT records (or NXDOMAIN) out. */
    private byte[] answer(byte[] q) {
        int i = 12;
        StringBuilder name = new StringBuilder();
        while (q[i] != 0) {
            int len = q[i] & 0xff;
            name.append(name.isEmpty() ? "" : ".").append(new String(q, i + 1, len, StandardCharsets.US_ASCII));
            i += len + 1;
        }
        int questionEnd = i + 1 + 4;
        List<String> txt = zone.get(name.toString().toLowerCase(Locale.ROOT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84); // QR, AA
        out.write(txt == null ? 0x03 : 0x00); // NXDOMAIN or no error
        out.writeBytes(new byte[] {0, 1, 0, (byte) (txt == null ? 0 : txt.size()), 0, 0, 0, 0});
        out.write(q, 12, questionEnd - 12);
        for (String t : txt == null ? List.<String>of() : txt) {
            byte[] v = t.getBytes(StandardCharsets.US_ASCII);
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, (byte) (v.length + 1),
                    (byte) v.length});
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    private Outcome validate(String name) {
        Dns01Validator v = new Dns01Validator(Dns01Validator.jndi(Optional.of("127.0.0.1:" + socket.getLocalPort()),
                Duration.ofSeconds(1)));
        return v.validate(new Attempt("web", new Identifier("dns", name), "tok", key.toPublicJWK(), keyAuthorization,
                new ObjectMapper().createObjectNode()));
    }

    @Test
    void theDigestInATxtRecordIsValid() {
        zone.put("_acme-challenge.www.example.org", List.of("unrelated", Dns01Validator.digest(keyAuthorization)));
        assertThat(validate("www.example.org").isValid()).isTrue();
        // A wildcard's authorization is for its base name (section 8.4): the same record.
        assertThat(validate("*.www.example.org").isValid()).isTrue();
        assertThat(new Identifier("dns", "*.www.example.org").base().value()).isEqualTo("www.example.org");
    }

    @Test
    void aWrongOrMissingRecordIsIncorrectResponse() {
        zone.put("_acme-challenge.www.example.org", List.of(Dns01Validator.digest("other." + keyAuthorization)));
        Outcome wrong = validate("www.example.org");
        assertThat(wrong.problem().orElseThrow().type()).isEqualTo(Type.INCORRECT_RESPONSE);
        assertThat(wrong.problem().orElseThrow().detail()).contains("expected digest");
        Outcome none = validate("nothing.example.org");
        assertThat(none.problem().orElseThrow().type()).isEqualTo(Type.INCORRECT_RESPONSE);
        assertThat(none.problem().orElseThrow().detail()).contains("no TXT record");
    }

    @Test
    void anUnreachableResolverIsADnsProblem() {
        socket.close();
        Outcome o = validate("www.example.org");
        assertThat(o.problem().orElseThrow().type()).isEqualTo(Type.DNS);
    }

    @Test
    void digestIsBase64UrlSha256() throws Exception {
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII));
        assertThat(Dns01Validator.digest(keyAuthorization)).isEqualTo(java.util.Base64.getUrlEncoder()
                .withoutPadding().encodeToString(sha)).hasSize(43);
        assertThat(Dns01Validator.joinStrings("\"abc\" \"def\"")).isEqualTo("abcdef");
        assertThat(Dns01Validator.joinStrings("abc")).isEqualTo("abc");
    }
}
