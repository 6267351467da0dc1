package org.scepca.acme;

import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/** An ACME client as the tests need one: an ES256 account key, its kid once registered, signed requests. */
final class TestClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The replica the next request goes to. */
    AcmeService acme;
    ECKey key;
    String kid;

    TestClient(AcmeService acme) throws Exception {
        this.acme = acme;
        this.key = new ECKeyGenerator(Curve.P_256).generate();
    }

    /** Registers (newAccount) and remembers the account URL. */
    TestClient register() throws Exception {
        AcmeResponse r = jwkPost("new-account", "{\"termsOfServiceAgreed\":true}");
        if (r.status() != 201) {
            throw new AssertionError(r.bodyText());
        }
        kid = r.headers().get("Location");
        return this;
    }

    String nonce() {
        return acme.handle("HEAD", "new-nonce", new byte[0]).headers().get("Replay-Nonce");
    }

    AcmeResponse jwkPost(String path, String payload) throws Exception {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(key.toPublicJWK())
                .customParam("url", TestAcme.BASE + "/" + path).customParam("nonce", nonce()).build();
        return acme.handle("POST", path, TestJws.sign(h, payload, new ECDSASigner(key)));
    }

    AcmeResponse post(String path, String payload) throws Exception {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid)
                .customParam("url", TestAcme.BASE + "/" + path).customParam("nonce", nonce()).build();
        return acme.handle("POST", path, TestJws.sign(h, payload, new ECDSASigner(key)));
    }

    /** POST to an absolute URL the server handed out. */
    AcmeResponse postUrl(String url, String payload) throws Exception {
        return post(path(url), payload);
    }

    static String path(String url) {
        if (!url.startsWith(TestAcme.BASE + "/")) {
            throw new AssertionError("not one of our URLs: " + url);
        }
        return url.substring(TestAcme.BASE.length() + 1);
    }

    static JsonNode json(AcmeResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    static String dnsOrder(String... names) {
        StringBuilder b = new StringBuilder("{\"identifiers\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"dns\",\"value\":\"").append(names[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    static String b64url(byte[] der) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(der);
    }
}
