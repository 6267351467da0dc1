package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.ca.testing.Csrs.csr;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.scepca.ca.challenge.ChallengeService.MintedChallenge;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.testing.TestKeys;
import org.scepca.server.e2e.ScepWire.Signer;

/**
 * A one-time challenge bound to names at creation is good only for a CSR with those names; a CSR with other names is
 * refused with badRequest and leaves the challenge usable for the device it was meant for.
 */
class BoundChallengeTest extends LiveScepServer {

    private static MintedChallenge bound(String subject, String... sans) {
        return server.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("bound"),
                NameBinding.of(Optional.ofNullable(subject), List.of(sans)));
    }

    private static boolean stillActive(MintedChallenge c) {
        return server.ca().challenges().listActive(1000).stream().anyMatch(r -> r.id().equals(c.id()));
    }

    @Test
    void aCsrWithOtherNames_isRefused_andDoesNotConsumeTheChallenge() {
        MintedChallenge c = bound("CN=mac-17,O=Example", "dns:mac-17.example.com");
        KeyPair keys = TestKeys.rsa2048(40);
        Signer s = Signer.throwaway(keys);

        assertBadRequest(wire.send(wire.pkcsReq("bound-1", csr().keys(keys).subject("CN=alice,O=Example")
                .challenge(c.secret()).build(), s), s));
        assertBadRequest(wire.send(wire.pkcsReq("bound-2", csr().keys(keys).subject("CN=mac-17,O=Example")
                .dns("mac-17.example.com").email("alice@example.com").challenge(c.secret()).build(), s), s));
        assertThat(stillActive(c)).isTrue();

        X509Certificate cert = wire.send(wire.pkcsReq("bound-3", csr().keys(keys).subject("CN=mac-17,O=Example")
                .dns("mac-17.example.com").challenge(c.secret()).build(), s), s).issued();
        assertThat(server.ca().certificates().find(cert.getSerialNumber()).orElseThrow().subjectAltNames())
                .containsExactly("dns:mac-17.example.com");
        assertThat(stillActive(c)).isFalse();
    }

    @Test
    void aRegexBinding_allowsAFamilyOfNames_only() {
        MintedChallenge c = bound("regex:O=Example,CN=kiosk-[0-9]+");
        KeyPair keys = TestKeys.rsa2048(41);
        Signer s = Signer.throwaway(keys);

        assertBadRequest(wire.send(wire.pkcsReq("bound-re-1", csr().keys(keys).subject("CN=kiosk-1x,O=Example")
                .challenge(c.secret()).build(), s), s));
        assertThat(wire.send(wire.pkcsReq("bound-re-2", csr().keys(keys).subject("CN=kiosk-12,O=Example")
                .challenge(c.secret()).build(), s), s).success()).isTrue();
    }
}
