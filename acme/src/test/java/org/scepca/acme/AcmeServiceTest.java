package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.acme.TestJws.sign;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.store.Database;

/** The core's directory, newNonce and account resources on a real H2 store, driven as a client would. */
class AcmeServiceTest {
    static final String BASE = "https://ca.example/acme/web";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    TestAcme fixture;
    AcmeService acme;
    ECKey key;

    @BeforeEach
    void open() throws Exception {
        fixture = TestAcme.open(dir);
        acme = fixture.acme();
        key = new ECKeyGenerator(Curve.P_256).generate();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void directoryAndNewNonce() throws Exception {
        JsonNode d = JSON.readTree(acme.handle("GET", "directory", new byte[0]).body());
        assertThat(d.path("newNonce").asText()).isEqualTo(BASE + "/new-nonce");
        assertThat(d.path("newAccount").asText()).isEqualTo(BASE + "/new-account");
        assertThat(d.path("meta").path("externalAccountRequired").asBoolean(true)).isFalse();

        AcmeResponse head = acme.handle("HEAD", "new-nonce", new byte[0]);
        AcmeResponse get = acme.handle("GET", "new-nonce", new byte[0]);
        assertThat(head.status()).isEqualTo(200);
        assertThat(get.status()).isEqualTo(204);
        assertThat(get.headers()).containsEntry("Cache-Control", "no-store");
        assertThat(head.headers().get("Replay-Nonce")).isNotBlank().isNotEqualTo(get.headers().get("Replay-Nonce"));
    }

    @Test
    void newAccountThenTheSameKeyFindsItAndDeactivationIsFinal() throws Exception {
        AcmeResponse created = post("new-account", jwk(BASE + "/new-account"),
                "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:ops@example.org\"]}");
        assertThat(created.status()).isEqualTo(201);
        String url = created.headers().get("Location");
        assertThat(url).startsWith(BASE + "/acct/");
        assertThat(JSON.readTree(created.body()).path("status").asText()).isEqualTo("valid");

        AcmeResponse again = post("new-account", jwk(BASE + "/new-account"), "{\"onlyReturnExisting\":true}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers()).containsEntry("Location", url);

        String path = url.substring(BASE.length() + 1);
        AcmeResponse read = post(path, kid(url, url), "");
        assertThat(JSON.readTree(read.body()).path("contact").get(0).asText()).isEqualTo("mailto:ops@example.org");

        AcmeResponse off = post(path, kid(url, url), "{\"status\":\"deactivated\"}");
        assertThat(JSON.readTree(off.body()).path("status").asText()).isEqualTo("deactivated");
        // Section 7.3.6: a deactivated account's requests are unauthorized.
        AcmeResponse after = post(path, kid(url, url), "");
        assertThat(after.status()).isEqualTo(403);
        assertThat(after.bodyText()).contains("urn:ietf:params:acme:error:unauthorized");
        AcmeResponse order = post("new-order", kid(url, BASE + "/new-order"),
                "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.example.org\"}]}");
        assertThat(order.bodyText()).contains("urn:ietf:params:acme:error:unauthorized");
        AcmeResponse again2 = post("new-account", jwk(BASE + "/new-account"), "{}");
        assertThat(again2.bodyText()).contains("urn:ietf:params:acme:error:unauthorized");
    }

    @Test
    void onlyReturnExistingForAnUnknownKeyAndAReplayAreProblemsWithAFreshNonce() throws Exception {
        AcmeResponse none = post("new-account", jwk(BASE + "/new-account"), "{\"onlyReturnExisting\":true}");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.headers()).containsEntry("Content-Type", "application/problem+json");
        assertThat(none.bodyText()).contains("urn:ietf:params:acme:error:accountDoesNotExist");

        byte[] body = sign(jwk(BASE + "/new-account"), "{}", new ECDSASigner(key));
        assertThat(acme.handle("POST", "new-account", body).status()).isEqualTo(201);
        AcmeResponse replay = acme.handle("POST", "new-account", body);
        assertThat(replay.bodyText()).contains("urn:ietf:params:acme:error:badNonce");
        assertThat(replay.headers().get("Replay-Nonce")).isNotBlank();
    }

    @Test
    void anAccountCannotReadAnother() throws Exception {
        String mine = post("new-account", jwk(BASE + "/new-account"), "{}").headers().get("Location");
        ECKey otherKey = new ECKeyGenerator(Curve.P_256).generate();
        ECKey saved = key;
        key = otherKey;
        String theirs = post("new-account", jwk(BASE + "/new-account"), "{}").headers().get("Location");
        key = saved;
        AcmeResponse r = post(theirs.substring(BASE.length() + 1), kid(mine, theirs), "");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodyText()).contains("urn:ietf:params:acme:error:unauthorized");
    }

    private AcmeResponse post(String path, JWSHeader header, String payload) throws Exception {
        return acme.handle("POST", path, sign(header, payload, new ECDSASigner(key)));
    }

    private String nonce() {
        return acme.handle("HEAD", "new-nonce", new byte[0]).headers().get("Replay-Nonce");
    }

    private JWSHeader jwk(String url) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(key.toPublicJWK()).customParam("url", url)
                .customParam("nonce", nonce()).build();
    }

    private JWSHeader kid(String account, String url) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(account).customParam("url", url)
                .customParam("nonce", nonce()).build();
    }
}
