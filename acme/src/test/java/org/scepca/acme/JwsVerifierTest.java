package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.JwsVerifier.KeyForm;
import org.scepca.ca.store.Database;

import static org.scepca.acme.TestJws.b64;
import static org.scepca.acme.TestJws.flattened;
import static org.scepca.acme.TestJws.sign;

/** JWS refusals of RFC 8555 section 6.2-6.5 on a real H2 store (nonces in the database, as replicas share them). */
class JwsVerifierTest {
    static final String URL = "https://ca.example/acme/web/new-order";
    static final String ACCOUNT = "https://ca.example/acme/web/acct/a1";

    @TempDir
    Path dir;
    Database db;
    NonceStore nonces;
    JwsVerifier verifier;
    ECKey accountKey;

    @BeforeEach
    void open() throws Exception {
        db = Database.openH2(dir, dir.resolve("pw"), 2);
        nonces = new NonceStore(db, Clock.systemUTC(), Duration.ofMinutes(10), new SecureRandom());
        accountKey = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, JWK> accounts = Map.of(ACCOUNT, accountKey.toPublicJWK());
        verifier = new JwsVerifier(nonces, url -> Optional.ofNullable(accounts.get(url))
                .map(k -> new JwsVerifier.AccountKey(k, true)));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void acceptsEs256WithKidAndConsumesTheNonce() throws Exception {
        String nonce = nonces.issue();
        byte[] body = sign(kidHeader(JWSAlgorithm.ES256, URL, nonce), "{\"a\":1}", new ECDSASigner(accountKey));

        JwsVerifier.Verified v = verifier.verify(body, URL, KeyForm.KID);

        assertThat(v.accountUrl()).contains(ACCOUNT);
        assertThat(JwsVerifier.utf8(v.payload())).isEqualTo("{\"a\":1}");
        assertThat(v.postAsGet()).isFalse();
        // Replay of the very same request: the nonce is gone.
        assertProblem(() -> verifier.verify(body, URL, KeyForm.KID), Type.BAD_NONCE);
    }

    @Test
    void acceptsRs256AndEs384WithEmbeddedJwkAndEmptyPayloadAsPostAsGet() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        byte[] body = sign(jwkHeader(JWSAlgorithm.RS256, rsa.toPublicJWK(), URL, nonces.issue()), "",
                new RSASSASigner(rsa));
        JwsVerifier.Verified v = verifier.verify(body, URL, KeyForm.JWK);
        assertThat(v.accountUrl()).isEmpty();
        assertThat(v.postAsGet()).isTrue();
        assertThat(JwsVerifier.thumbprint(v.key())).isEqualTo(rsa.computeThumbprint().toString());

        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        byte[] es384 = sign(jwkHeader(JWSAlgorithm.ES384, p384.toPublicJWK(), URL, nonces.issue()), "{}",
                new ECDSASigner(p384));
        assertThat(verifier.verify(es384, URL, KeyForm.EITHER).key().toPublicJWK()).isEqualTo(p384.toPublicJWK());
    }

    @Test
    void refusesAlgNoneNamingTheAcceptedAlgorithms() {
        String header = "{\"alg\":\"none\",\"kid\":\"" + ACCOUNT + "\",\"url\":\"" + URL + "\",\"nonce\":\""
                + nonces.issue() + "\"}";
        byte[] body = flattened(b64(header), b64("{}"), "");
        assertThatThrownBy(() -> verifier.verify(body, URL, KeyForm.KID)).isInstanceOfSatisfying(AcmeProblem.class,
                p -> {
                    assertThat(p.type()).isEqualTo(Type.BAD_SIGNATURE_ALGORITHM);
                    assertThat(p.detail()).contains("ES256", "ES384", "RS256");
                });
    }

    @Test
    void refusesHmac() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] body = sign(kidHeader(JWSAlgorithm.HS256, URL, nonces.issue()), "{}", new MACSigner(secret));
        assertProblem(() -> verifier.verify(body, URL, KeyForm.KID), Type.BAD_SIGNATURE_ALGORITHM);
    }

    @Test
    void refusesAUrlOtherThanTheRequestUrlAndKeepsTheNonce() throws Exception {
        String nonce = nonces.issue();
        byte[] body = sign(kidHeader(JWSAlgorithm.ES256, URL, nonce), "{}", new ECDSASigner(accountKey));
        assertProblem(() -> verifier.verify(body, "https://ca.example/acme/web/revoke-cert", KeyForm.KID),
                Type.UNAUTHORIZED);
        // A refused request does not burn the nonce: the url check comes before the nonce is consumed.
        assertThat(verifier.verify(body, URL, KeyForm.KID).accountUrl()).contains(ACCOUNT);
    }

    @Test
    void refusesANonceWeNeverIssuedAndAnExpiredOne() throws Exception {
        byte[] forged = sign(kidHeader(JWSAlgorithm.ES256, URL, "bm90LW91cnM"), "{}", new ECDSASigner(accountKey));
        assertProblem(() -> verifier.verify(forged, URL, KeyForm.KID), Type.BAD_NONCE);

        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String old = new NonceStore(db, past, Duration.ofMinutes(10), new SecureRandom()).issue();
        byte[] stale = sign(kidHeader(JWSAlgorithm.ES256, URL, old), "{}", new ECDSASigner(accountKey));
        assertProblem(() -> verifier.verify(stale, URL, KeyForm.KID), Type.BAD_NONCE);
    }

    @Test
    void aNonceIssuedByOneReplicaIsAcceptedOnceByAnother() throws Exception {
        // Two NonceStores over the same database stand for two replicas: no per-process nonce state.
        NonceStore other = new NonceStore(db, Clock.systemUTC(), Duration.ofMinutes(10), new SecureRandom());
        String nonce = other.issue();
        assertThat(nonces.consume(nonce)).isTrue();
        assertThat(other.consume(nonce)).isFalse();
    }

    @Test
    void refusesAnUnknownKid() throws Exception {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("https://ca.example/acme/web/acct/nobody")
                .customParam("url", URL).customParam("nonce", nonces.issue()).build();
        byte[] body = sign(h, "{}", new ECDSASigner(accountKey));
        assertProblem(() -> verifier.verify(body, URL, KeyForm.KID), Type.ACCOUNT_DOES_NOT_EXIST);
    }

    @Test
    void refusesJwkAndKidTogetherAndNeither() throws Exception {
        JWSHeader both = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ACCOUNT).jwk(accountKey.toPublicJWK())
                .customParam("url", URL).customParam("nonce", nonces.issue()).build();
        assertProblem(() -> verifier.verify(sign(both, "{}", new ECDSASigner(accountKey)), URL, KeyForm.EITHER),
                Type.MALFORMED);
        JWSHeader neither = new JWSHeader.Builder(JWSAlgorithm.ES256).customParam("url", URL)
                .customParam("nonce", nonces.issue()).build();
        assertProblem(() -> verifier.verify(sign(neither, "{}", new ECDSASigner(accountKey)), URL, KeyForm.EITHER),
                Type.MALFORMED);
    }

    @Test
    void refusesTheWrongKeyFormForTheResource() throws Exception {
        byte[] withJwk = sign(jwkHeader(JWSAlgorithm.ES256, accountKey.toPublicJWK(), URL, nonces.issue()), "{}",
                new ECDSASigner(accountKey));
        assertProblem(() -> verifier.verify(withJwk, URL, KeyForm.KID), Type.MALFORMED);
    }

    @Test
    void refusesASignatureByAnotherKey() throws Exception {
        ECKey other = new ECKeyGenerator(Curve.P_256).generate();
        byte[] body = sign(kidHeader(JWSAlgorithm.ES256, URL, nonces.issue()), "{}", new ECDSASigner(other));
        assertProblem(() -> verifier.verify(body, URL, KeyForm.KID), Type.MALFORMED);
    }

    @Test
    void refusesNonJsonAndCompactSerialization() throws Exception {
        assertProblem(() -> verifier.verify("not json".getBytes(StandardCharsets.UTF_8), URL, KeyForm.KID),
                Type.MALFORMED);
        JWSObject jws = new JWSObject(kidHeader(JWSAlgorithm.ES256, URL, nonces.issue()), new Payload("{}"));
        jws.sign(new ECDSASigner(accountKey));
        byte[] compact = ("\"" + jws.serialize() + "\"").getBytes(StandardCharsets.UTF_8);
        assertProblem(() -> verifier.verify(compact, URL, KeyForm.KID), Type.MALFORMED);
    }

    @Test
    void keyAuthorizationIsTokenDotThumbprint() throws Exception {
        // RFC 7638 section 3.1's example key and thumbprint.
        RSAKey rfc = RSAKey.parse("{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAt"
                + "VT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
                + "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWh"
                + "AI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\"}");
        assertThat(JwsVerifier.keyAuthorization("tok", rfc))
                .isEqualTo("tok.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    private static JWSHeader kidHeader(JWSAlgorithm alg, String url, String nonce) {
        return new JWSHeader.Builder(alg).keyID(ACCOUNT).customParam("url", url).customParam("nonce", nonce).build();
    }

    private static JWSHeader jwkHeader(JWSAlgorithm alg, JWK jwk, String url, String nonce) {
        return new JWSHeader.Builder(alg).jwk(jwk).customParam("url", url).customParam("nonce", nonce)
                .type(JOSEObjectType.JOSE).build();
    }

    static void assertProblem(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Type type) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AcmeProblem.class, p -> assertThat(p.type()).isEqualTo(type));
    }
}
