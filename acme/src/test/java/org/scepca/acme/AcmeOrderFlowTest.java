package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.acme.TestClient.b64url;
import static org.scepca.acme.TestClient.dnsOrder;
import static org.scepca.acme.TestClient.json;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.ChallengeValidator.Outcome;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.MutableClock;

/**
 * Orders, authorizations, challenges, finalize, download and revocation (RFC 8555 sections 7.4 to 7.6) on a real CA,
 * with the validators scripted (http-01 and dns-01 are tested against real servers in their own tests): every step a
 * client takes, and every refusal.
 */
class AcmeOrderFlowTest {
    @TempDir
    Path dir;
    TestAcme fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private TestClient client(String... types) throws Exception {
        if (fixture == null) {
            fixture = TestAcme.open(dir, types);
        }
        return new TestClient(fixture.acme()).register();
    }

    /** newOrder, then the first challenge of each authorization answered: the order is ready. */
    private JsonNode readyOrder(TestClient c, String... names) throws Exception {
        AcmeResponse created = c.post("new-order", dnsOrder(names));
        assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
        JsonNode order = json(created);
        for (JsonNode authz : order.path("authorizations")) {
            JsonNode a = json(c.postUrl(authz.asText(), ""));
            AcmeResponse answered = c.postUrl(a.path("challenges").get(0).path("url").asText(), "{}");
            assertThat(json(answered).path("status").asText()).as(answered.bodyText()).isEqualTo("valid");
        }
        JsonNode again = json(c.postUrl(created.headers().get("Location"), ""));
        assertThat(again.path("status").asText()).isEqualTo("ready");
        ((com.fasterxml.jackson.databind.node.ObjectNode) again).put("url", created.headers().get("Location"));
        return again;
    }

    private static String csr(KeyPair keys, String subject, String... names) {
        Csrs b = Csrs.csr().keys(keys);
        if (subject != null) {
            b.subject(subject);
        } else {
            b.subject(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]));
        }
        for (String n : names) {
            b.dns(n);
        }
        try {
            return "{\"csr\":\"" + b64url(b.build().getEncoded()) + "\"}";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() throws Exception {
        return new ECKeyGenerator(Curve.P_256).generate().toKeyPair();
    }

    private static X509Certificate leaf(AcmeResponse pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.body())).iterator().next();
    }

    @Test
    void aDnsOrderFromNewOrderToDownloadAndRevocation() throws Exception {
        TestClient c = client();
        AcmeResponse created = c.post("new-order", dnsOrder("www.example.org", "Example.org"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.headers().get("Location")).startsWith(TestAcme.BASE + "/order/");
        assertThat(created.headers().get("Link")).isEqualTo("<" + TestAcme.BASE + "/directory>;rel=\"index\"");
        JsonNode order = json(created);
        assertThat(order.path("status").asText()).isEqualTo("pending");
        assertThat(order.path("identifiers").findValuesAsText("value")).containsExactly("www.example.org",
                "example.org");
        assertThat(order.path("authorizations")).hasSize(2);

        JsonNode authz = json(c.postUrl(order.path("authorizations").get(0).asText(), ""));
        assertThat(authz.path("status").asText()).isEqualTo("pending");
        assertThat(authz.path("challenges").findValuesAsText("type")).containsExactly("dns-01", "http-01");
        JsonNode http = authz.path("challenges").get(1);
        assertThat(http.path("token").asText()).matches("[A-Za-z0-9_-]{43}");

        // The challenge is answered: the validator gets token, identifier and the key authorization (section 8.1).
        AcmeResponse answered = c.postUrl(http.path("url").asText(), "{}");
        assertThat(answered.headers().get("Link")).contains("rel=\"up\"");
        assertThat(json(answered).path("status").asText()).isEqualTo("valid");
        assertThat(json(answered).path("validated").asText()).isNotEmpty();
        ChallengeValidator.Attempt attempt = fixture.validators.get("http-01").attempts.get(0);
        assertThat(attempt.token()).isEqualTo(http.path("token").asText());
        assertThat(attempt.keyAuthorization()).isEqualTo(attempt.token() + "." + JwsVerifier.thumbprint(c.key));
        assertThat(attempt.identifier().value()).isEqualTo(authz.path("identifier").path("value").asText());

        // One authorization of two: still pending; the second makes the order ready.
        assertThat(json(c.postUrl(created.headers().get("Location"), "")).path("status").asText()).isEqualTo("pending");
        JsonNode second = json(c.postUrl(order.path("authorizations").get(1).asText(), ""));
        c.postUrl(second.path("challenges").get(0).path("url").asText(), "{}");
        assertThat(json(c.postUrl(created.headers().get("Location"), "")).path("status").asText()).isEqualTo("ready");

        KeyPair keys = ecKeys();
        AcmeResponse finalized = c.postUrl(order.path("finalize").asText(), csr(keys, null, "example.org",
                "www.example.org"));
        assertThat(finalized.status()).as(finalized.bodyText()).isEqualTo(200);
        JsonNode done = json(finalized);
        assertThat(done.path("status").asText()).isEqualTo("valid");

        AcmeResponse pem = c.postUrl(done.path("certificate").asText(), "");
        assertThat(pem.headers()).containsEntry("Content-Type", "application/pem-certificate-chain");
        assertThat(pem.bodyText().split("-----BEGIN CERTIFICATE-----")).hasSize(3); // leaf and issuing CA
        X509Certificate cert = leaf(pem);
        cert.verify(fixture.ca.material().intermediateCertificate().getPublicKey());
        assertThat(cert.getPublicKey().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        CertificateRecord record = fixture.ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(record.requester()).isEqualTo("acme:" + c.kid.substring(c.kid.lastIndexOf('/') + 1));
        assertThat(record.profile()).isEqualTo(CertificateProfile.SERVER);
        assertThat(record.endpointName()).isEqualTo("web");

        // Finalize again: the order is no longer ready.
        assertThat(c.postUrl(order.path("finalize").asText(), csr(keys, null, "example.org", "www.example.org"))
                .bodyText()).contains("orderNotReady");

        // Revocation by the account (section 7.6), then again: alreadyRevoked.
        String revoke = "{\"certificate\":\"" + b64url(cert.getEncoded()) + "\",\"reason\":1}";
        AcmeResponse revoked = c.post("revoke-cert", revoke);
        assertThat(revoked.status()).as(revoked.bodyText()).isEqualTo(200);
        CertificateRecord after = fixture.ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(after.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(after.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
        assertThat(fixture.ca.crls().current().crl().getRevokedCertificate(cert.getSerialNumber())).isNotNull();
        assertThat(c.post("revoke-cert", revoke).bodyText()).contains("alreadyRevoked");

        // The account lists its order.
        assertThat(json(c.post(TestClient.path(c.kid) + "/orders", "")).path("orders").get(0).asText())
                .isEqualTo(created.headers().get("Location"));
    }

    @Test
    void newOrderRefusals() throws Exception {
        fixture = TestAcme.open(dir, java.time.Clock.systemUTC(), Runnable::run,
                p -> p.withSanPattern(SanType.DNS, Pattern.compile("([a-z0-9-]+\\.)*example\\.org")), "http-01");
        TestClient c = new TestClient(fixture.acme()).register();
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(dnsOrder("www.example.com"), "rejectedIdentifier"); // outside san-dns-pattern
        refused.put(dnsOrder("*.example.org"), "rejectedIdentifier"); // a wildcard needs dns-01
        refused.put(dnsOrder("10.0.0.1"), "rejectedIdentifier"); // an IP address is no dns name
        refused.put(dnsOrder("bad_name.example.org"), "rejectedIdentifier");
        refused.put("{\"identifiers\":[{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]}", "unsupportedIdentifier");
        refused.put("{\"identifiers\":[{\"type\":\"permanent-identifier\",\"value\":\"C02XYZ\"}]}",
                "unsupportedIdentifier"); // device-attest-01 not offered here
        refused.put("{\"identifiers\":[]}", "malformed");
        refused.put("{\"identifiers\":\"www.example.org\"}", "malformed");
        refused.put("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.org\"}],"
                + "\"notAfter\":\"2030-01-01T00:00:00Z\"}", "malformed");
        for (var e : refused.entrySet()) {
            AcmeResponse r = c.post("new-order", e.getValue().isEmpty() ? "" : e.getKey());
            assertThat(r.headers()).containsEntry("Content-Type", "application/problem+json");
            assertThat(r.bodyText()).as(e.getKey()).contains("urn:ietf:params:acme:error:" + e.getValue());
            assertThat(r.headers().get("Replay-Nonce")).isNotBlank();
        }
        assertThat(c.post("new-order", dnsOrder("www.example.org")).status()).isEqualTo(201);
    }

    @Test
    void aDeviceOrderAndADnsNameTogetherAreRefused() throws Exception {
        TestClient c = client("http-01", "device-attest-01");
        AcmeResponse r = c.post("new-order", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.org\"},"
                + "{\"type\":\"permanent-identifier\",\"value\":\"C02XYZ\"}]}");
        assertThat(r.bodyText()).contains("rejectedIdentifier");
    }

    @Test
    void finalizeRefusesACsrWhoseNamesAreNotTheOrdersAndStaysReady() throws Exception {
        TestClient c = client();
        JsonNode order = readyOrder(c, "www.example.org");
        String finalize = order.path("finalize").asText();
        KeyPair keys = ecKeys();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put(csr(keys, null, "www.example.org", "evil.example.org"), "evil.example.org");
        bad.put(csr(keys, null, "other.example.org"), "missing");
        bad.put(csr(keys, "CN=someone else", "www.example.org"), "subject");
        bad.put("{\"csr\":\"bm90IGEgY3Ny\"}", "PKCS#10");
        bad.put("{\"csr\":\"" + b64url(Csrs.csr().keys(keys).subject(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]))
                .dns("www.example.org").tamperSignature().build().getEncoded()) + "\"}", "signature");
        for (var e : bad.entrySet()) {
            AcmeResponse r = c.postUrl(finalize, e.getKey());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("urn:ietf:params:acme:error:badCSR").contains(e.getValue());
        }
        assertThat(json(c.postUrl(order.path("url").asText(), "")).path("status").asText()).isEqualTo("ready");
        // A CN that is one of the names is fine.
        AcmeResponse ok = c.postUrl(finalize, csr(keys, "CN=www.example.org", "www.example.org"));
        assertThat(json(ok).path("status").asText()).as(ok.bodyText()).isEqualTo("valid");
    }

    /**
     * RFC 8555 section 7.4: a dns identifier appears "either in the commonName portion of the requested subject name or
     * in an extensionRequest attribute [RFC2985] requesting a subjectAltName extension, or both". A CSR made with
     * {@code openssl req -subj /CN=NAME} (no -addext) names its identifier in the CN only; lego's {@code --csr} sends it
     * as it is. The certificate still names it as a dNSName (RFC 6125 clients ignore the CN).
     */
    @Test
    void anIdentifierNamedOnlyInTheCsrsCommonNameIsTheOrdersName() throws Exception {
        TestClient c = client();
        JsonNode order = readyOrder(c, "www.example.org");
        KeyPair keys = ecKeys();
        AcmeResponse r = c.postUrl(order.path("finalize").asText(), csr(keys, "CN=www.example.org"));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        X509Certificate cert = leaf(c.postUrl(json(r).path("certificate").asText(), ""));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=www.example.org");
        assertThat(cert.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactly("www.example.org");
        assertThat(cert.getCriticalExtensionOIDs()).doesNotContain("2.5.29.17");

        // Two names: one in the CN only, the other in the subjectAltName extension; the CN's name in another case.
        JsonNode two = readyOrder(c, "example.org", "api.example.org");
        AcmeResponse both = c.postUrl(two.path("finalize").asText(), csr(ecKeys(), "CN=Example.ORG", "api.example.org"));
        assertThat(both.status()).as(both.bodyText()).isEqualTo(200);
        X509Certificate cert2 = leaf(c.postUrl(json(both).path("certificate").asText(), ""));
        assertThat(cert2.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactlyInAnyOrder("api.example.org", "example.org");

        // The CN counts as one of the names, so a CN outside the order is still an extra name.
        JsonNode three = readyOrder(c, "www.example.org");
        AcmeResponse extra = c.postUrl(three.path("finalize").asText(), csr(ecKeys(), "CN=evil.example.org",
                "www.example.org"));
        assertThat(extra.bodyText()).contains("badCSR");
        assertThat(json(c.postUrl(three.path("url").asText(), "")).path("status").asText()).isEqualTo("ready");
    }

    /**
     * DNS names are case-insensitive (RFC 4343; RFC 8555 section 7.4 asks for "the exact same set of requested
     * identifiers"): {@code lego -d LocalHost} orders the name (kept in lower case and checked against the endpoint's
     * san-dns-pattern at newOrder) and writes it into its CSR as typed. Finalize must not then find the same name
     * outside the pattern it was admitted under.
     */
    @Test
    void aCsrThatSpellsTheOrdersNamesInAnotherCaseIsWithinTheEndpointsPattern() throws Exception {
        fixture = TestAcme.open(dir, java.time.Clock.systemUTC(), Runnable::run,
                p -> p.withSanPattern(SanType.DNS, Pattern.compile("([a-z0-9-]+\\.)*example\\.org")));
        TestClient c = new TestClient(fixture.acme()).register();
        JsonNode order = readyOrder(c, "WWW.Example.org");
        assertThat(order.path("identifiers").get(0).path("value").asText()).isEqualTo("www.example.org");
        AcmeResponse r = c.postUrl(order.path("finalize").asText(), csr(ecKeys(), "CN=WWW.Example.org",
                "WWW.Example.org"));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("valid");
        // Still outside: another name in any case.
        AcmeResponse outside = c.post("new-order", dnsOrder("WWW.Example.COM"));
        assertThat(outside.bodyText()).contains("rejectedIdentifier");
    }

    @Test
    void aDeactivatedAuthorizationInvalidatesItsOrder() throws Exception {
        TestClient c = client();
        AcmeResponse created = c.post("new-order", dnsOrder("www.example.org"));
        String authzUrl = json(created).path("authorizations").get(0).asText();
        assertThat(c.postUrl(authzUrl, "{\"status\":\"valid\"}").bodyText()).contains("malformed");
        AcmeResponse off = c.postUrl(authzUrl, "{\"status\":\"deactivated\"}");
        assertThat(json(off).path("status").asText()).as(off.bodyText()).isEqualTo("deactivated");
        assertThat(json(c.postUrl(created.headers().get("Location"), "")).path("status").asText()).isEqualTo("invalid");
        String chall = json(off).path("challenges").get(0).path("url").asText();
        assertThat(c.postUrl(chall, "{}").bodyText()).contains("malformed");
        assertThat(fixture.validators.get("dns-01").attempts).isEmpty();
        assertThat(fixture.validators.get("http-01").attempts).isEmpty();
    }

    /**
     * The certificate and the order's move to valid are one transaction: when the order's update cannot be written,
     * no certificate is stored either. (Before, the certificate was stored first and the order updated after it, so a
     * crash or a failed write in between left a certificate no order named, behind an order stuck processing.)
     */
    @Test
    void finalizeStoresTheCertificateOnlyWithTheOrdersUpdate() throws Exception {
        TestClient c = client();
        JsonNode order = readyOrder(c, "atomic.example.org");
        long before = certificates();
        // The store refuses to make any order valid: the update in the issuance's transaction fails.
        sql("ALTER TABLE acme_orders ADD CONSTRAINT test_no_valid_order CHECK (status <> 'VALID')");
        AcmeResponse r = c.postUrl(order.path("finalize").asText(), csr(ecKeys(), null, "atomic.example.org"));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(500);
        assertThat(r.bodyText()).contains("serverInternal");
        assertThat(certificates()).as("no certificate stored without its order").isEqualTo(before);
        assertThat(json(c.postUrl(order.path("url").asText(), "")).path("status").asText()).isEqualTo("invalid");

        sql("ALTER TABLE acme_orders DROP CONSTRAINT test_no_valid_order");
        JsonNode next = readyOrder(c, "atomic.example.org");
        AcmeResponse ok = c.postUrl(next.path("finalize").asText(), csr(ecKeys(), null, "atomic.example.org"));
        assertThat(json(ok).path("status").asText()).as(ok.bodyText()).isEqualTo("valid");
        assertThat(certificates()).isEqualTo(before + 1);
    }

    /** Two finalize calls at once on one ready order: one certificate, the one the order names; the other call stores nothing. */
    @Test
    void racingFinalizesOfOneOrderStoreOneCertificate() throws Exception {
        TestClient c = client();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                String name = "race" + round + ".example.org";
                JsonNode order = readyOrder(c, name);
                long before = certificates();
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<AcmeResponse>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    String body = csr(ecKeys(), null, name);
                    calls.add(pool.submit(() -> {
                        go.await();
                        return c.postUrl(order.path("finalize").asText(), body);
                    }));
                }
                go.countDown();
                List<AcmeResponse> answers = new java.util.ArrayList<>();
                for (var f : calls) {
                    answers.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertThat(answers).extracting(AcmeResponse::status).as(round + ": " + answers.get(0).bodyText() + " / "
                        + answers.get(1).bodyText()).containsExactlyInAnyOrder(200, 403);
                AcmeResponse lost = answers.stream().filter(a -> a.status() == 403).findFirst().orElseThrow();
                assertThat(lost.bodyText()).contains("orderNotReady");
                assertThat(certificates()).as("round " + round).isEqualTo(before + 1);
                JsonNode done = json(c.postUrl(order.path("url").asText(), ""));
                assertThat(done.path("status").asText()).isEqualTo("valid");
                X509Certificate cert = leaf(c.postUrl(done.path("certificate").asText(), ""));
                assertThat(fixture.ca.certificates().find(cert.getSerialNumber())).isPresent();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private long certificates() {
        return fixture.ca.database().inTransaction(conn -> {
            try (var s = conn.prepareStatement("SELECT COUNT(*) FROM certificates"); var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private void sql(String statement) {
        fixture.ca.database().inTransaction(conn -> {
            try (var s = conn.prepareStatement(statement)) {
                s.executeUpdate();
            }
            return null;
        });
    }

    @Test
    void finalizeBeforeTheChallengesIsOrderNotReady() throws Exception {
        TestClient c = client();
        JsonNode order = json(c.post("new-order", dnsOrder("www.example.org")));
        AcmeResponse r = c.postUrl(order.path("finalize").asText(), csr(ecKeys(), null, "www.example.org"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodyText()).contains("orderNotReady");
    }

    @Test
    void aFailedValidationMakesChallengeAuthorizationAndOrderInvalid() throws Exception {
        TestClient c = client();
        fixture.validators.get("http-01").next = Outcome.invalid(AcmeProblem.Type.INCORRECT_RESPONSE,
                "http://www.example.org/.well-known/acme-challenge/x did not answer the key authorization");
        AcmeResponse created = c.post("new-order", dnsOrder("www.example.org"));
        JsonNode order = json(created);
        String authzUrl = order.path("authorizations").get(0).asText();
        JsonNode authz = json(c.postUrl(authzUrl, ""));
        JsonNode ch = json(c.postUrl(authz.path("challenges").get(1).path("url").asText(), "{}"));
        assertThat(ch.path("status").asText()).isEqualTo("invalid");
        assertThat(ch.path("error").path("type").asText()).isEqualTo("urn:ietf:params:acme:error:incorrectResponse");
        assertThat(json(c.postUrl(authzUrl, "")).path("status").asText()).isEqualTo("invalid");
        JsonNode after = json(c.postUrl(created.headers().get("Location"), ""));
        assertThat(after.path("status").asText()).isEqualTo("invalid");
        assertThat(after.path("error").path("type").asText()).isEqualTo("urn:ietf:params:acme:error:incorrectResponse");
        // The other challenge of the settled authorization can no longer be answered.
        assertThat(c.postUrl(authz.path("challenges").get(0).path("url").asText(), "{}").bodyText())
                .contains("malformed");
        // A challenge response that is not {} is refused before anything is stored.
        JsonNode fresh = json(c.postUrl(json(c.post("new-order", dnsOrder("a.example.org"))).path("authorizations")
                .get(0).asText(), ""));
        assertThat(c.postUrl(fresh.path("challenges").get(1).path("url").asText(), "{\"attObj\":\"x\"}").bodyText())
                .contains("malformed");
        assertThat(json(c.postUrl(fresh.path("challenges").get(1).path("url").asText(), "")).path("status").asText())
                .isEqualTo("pending");
    }

    @Test
    void anotherAccountCanNeitherSeeNorUseAnOrderNorRevokeItsCertificate() throws Exception {
        TestClient owner = client();
        TestClient other = new TestClient(fixture.acme()).register();
        JsonNode order = readyOrder(owner, "www.example.org");
        JsonNode authz = json(owner.postUrl(order.path("authorizations").get(0).asText(), ""));
        for (String url : List.of(order.path("url").asText(), order.path("authorizations").get(0).asText(),
                authz.path("challenges").get(0).path("url").asText())) {
            AcmeResponse r = other.postUrl(url, "");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).contains("unauthorized");
        }
        assertThat(other.postUrl(order.path("finalize").asText(), csr(ecKeys(), null, "www.example.org")).bodyText())
                .contains("unauthorized");
        JsonNode done = json(owner.postUrl(order.path("finalize").asText(), csr(ecKeys(), null, "www.example.org")));
        assertThat(other.postUrl(done.path("certificate").asText(), "").bodyText()).contains("unauthorized");
        X509Certificate cert = leaf(owner.postUrl(done.path("certificate").asText(), ""));
        AcmeResponse r = other.post("revoke-cert", "{\"certificate\":\"" + b64url(cert.getEncoded()) + "\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodyText()).contains("unauthorized");
        assertThat(fixture.ca.certificates().find(cert.getSerialNumber()).orElseThrow().status())
                .isEqualTo(CertificateStatus.VALID);
        // Unknown resources are 404.
        assertThat(owner.post("order/nope", "").status()).isEqualTo(404);
        assertThat(owner.post("nothing-here", "").status()).isEqualTo(404);
    }

    @Test
    void revocationByTheCertificatesOwnKey() throws Exception {
        TestClient c = client();
        JsonNode order = readyOrder(c, "www.example.org");
        ECKey certKey = new ECKeyGenerator(Curve.P_256).generate();
        JsonNode done = json(c.postUrl(order.path("finalize").asText(), csr(certKey.toKeyPair(), null,
                "www.example.org")));
        X509Certificate cert = leaf(c.postUrl(done.path("certificate").asText(), ""));
        String payload = "{\"certificate\":\"" + b64url(cert.getEncoded()) + "\",\"reason\":4}";

        // Some other key: refused. caCompromise (2): not a reason an end entity gives.
        TestClient stranger = new TestClient(fixture.acme());
        assertThat(stranger.jwkPost("revoke-cert", payload).bodyText()).contains("unauthorized");
        stranger.key = certKey;
        assertThat(stranger.jwkPost("revoke-cert", "{\"certificate\":\"" + b64url(cert.getEncoded())
                + "\",\"reason\":2}").bodyText()).contains("badRevocationReason");
        AcmeResponse r = stranger.jwkPost("revoke-cert", payload);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        CertificateRecord after = fixture.ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(after.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(after.revocationReason()).contains(RevocationReason.SUPERSEDED);
        // A certificate this endpoint did not issue: unauthorized.
        assertThat(c.post("revoke-cert", "{\"certificate\":\"" + b64url(fixture.ca.material()
                .intermediateCertificate().getEncoded()) + "\"}").bodyText()).contains("unauthorized");
    }

    @Test
    void aBoundKeyMustBeTheCsrsKey() throws Exception {
        TestClient c = client("device-attest-01");
        KeyPair attested = ecKeys();
        fixture.validators.get("device-attest-01").next = Outcome.validFor(attested.getPublic(),
                java.util.Optional.of("sepOS 17.0"));
        AcmeResponse created = c.post("new-order",
                "{\"identifiers\":[{\"type\":\"permanent-identifier\",\"value\":\"C02XYZ123\"}]}");
        assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
        JsonNode order = json(created);
        JsonNode authz = json(c.postUrl(order.path("authorizations").get(0).asText(), ""));
        String chall = authz.path("challenges").get(0).path("url").asText();
        assertThat(c.postUrl(chall, "{}").bodyText()).contains("attObj"); // the validator's own response check
        assertThat(json(c.postUrl(chall, "{\"attObj\":\"AAAA\"}")).path("status").asText()).isEqualTo("valid");
        assertThat(fixture.validators.get("device-attest-01").attempts.get(0).response().path("attObj").asText())
                .isEqualTo("AAAA");

        AcmeResponse wrongKey = c.postUrl(order.path("finalize").asText(), "{\"csr\":\"" + b64url(Csrs.csr()
                .keys(ecKeys()).subject("CN=C02XYZ123").build().getEncoded()) + "\"}");
        assertThat(wrongKey.bodyText()).contains("badCSR").contains("not the key");
        AcmeResponse ok = c.postUrl(order.path("finalize").asText(), "{\"csr\":\"" + b64url(Csrs.csr()
                .keys(attested).subject("CN=C02XYZ123").build().getEncoded()) + "\"}");
        assertThat(json(ok).path("status").asText()).as(ok.bodyText()).isEqualTo("valid");
        X509Certificate cert = leaf(c.postUrl(json(ok).path("certificate").asText(), ""));
        CertificateRecord record = fixture.ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(record.profile()).isEqualTo(CertificateProfile.CLIENT);
        assertThat(record.issuedFor().note()).contains("sepOS 17.0");
    }

    @Test
    void aValidationLeftProcessingIsTakenOverOnceItsLeaseRunsOut() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        AtomicInteger dropped = new AtomicInteger();
        List<Runnable> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.Executor dropping = r -> {
            if (dropped.getAndIncrement() == 0) {
                throw new java.util.concurrent.RejectedExecutionException("full"); // as a full queue, or a dead replica
            }
            queued.add(r);
        };
        fixture = TestAcme.open(dir, clock, dropping, p -> p, "http-01");
        TestClient c = new TestClient(fixture.acme()).register();
        JsonNode order = json(c.post("new-order", dnsOrder("www.example.org")));
        String authzUrl = order.path("authorizations").get(0).asText();
        String chall = json(c.postUrl(authzUrl, "")).path("challenges").get(0).path("url").asText();
        AcmeResponse processing = c.postUrl(chall, "{}");
        assertThat(json(processing).path("status").asText()).isEqualTo("processing");
        assertThat(processing.headers()).containsEntry("Retry-After", "2");
        AcmeResponse polled = c.postUrl(authzUrl, "");
        assertThat(polled.headers()).containsEntry("Retry-After", "2");
        assertThat(queued).isEmpty(); // the lease still holds

        clock.advance(AcmeService.VALIDATION_LEASE.plus(Duration.ofSeconds(1)));
        c.postUrl(authzUrl, "");
        assertThat(queued).hasSize(1);
        queued.get(0).run();
        assertThat(json(c.postUrl(authzUrl, "")).path("status").asText()).isEqualTo("valid");
    }

    @Test
    void keyRollover() throws Exception {
        TestClient c = client();
        TestClient other = new TestClient(fixture.acme()).register();
        ECKey newKey = new ECKeyGenerator(Curve.P_256).generate();

        // Refusals: a nonce in the inner JWS, another url, the wrong oldKey, another account's key (409 + Location).
        assertThat(rollover(c, newKey, c.kid, c.key, true, TestAcme.BASE + "/key-change").bodyText())
                .contains("malformed");
        assertThat(rollover(c, newKey, c.kid, c.key, false, TestAcme.BASE + "/new-order").bodyText())
                .contains("malformed");
        assertThat(rollover(c, newKey, c.kid, other.key, false, TestAcme.BASE + "/key-change").bodyText())
                .contains("unauthorized");
        assertThat(rollover(c, newKey, other.kid, c.key, false, TestAcme.BASE + "/key-change").bodyText())
                .contains("unauthorized");
        AcmeResponse taken = rollover(c, other.key, c.kid, c.key, false, TestAcme.BASE + "/key-change");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.headers()).containsEntry("Location", other.kid);

        AcmeResponse ok = rollover(c, newKey, c.kid, c.key, false, TestAcme.BASE + "/key-change");
        assertThat(ok.status()).as(ok.bodyText()).isEqualTo(200);
        // The old key no longer signs for the account; the new one does.
        assertThat(c.post(TestClient.path(c.kid), "").bodyText()).contains("signature");
        c.key = newKey;
        assertThat(c.post(TestClient.path(c.kid), "").status()).isEqualTo(200);
        assertThat(c.jwkPost("new-account", "{\"onlyReturnExisting\":true}").headers()).containsEntry("Location", c.kid);
    }

    private static AcmeResponse rollover(TestClient c, ECKey newKey, String account, ECKey oldKey, boolean innerNonce,
            String innerUrl) throws Exception {
        JWSHeader.Builder inner = new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(newKey.toPublicJWK())
                .customParam("url", innerUrl);
        if (innerNonce) {
            inner.customParam("nonce", c.nonce());
        }
        String innerPayload = "{\"account\":\"" + account + "\",\"oldKey\":" + oldKey.toPublicJWK().toJSONString() + "}";
        String innerJws = new String(TestJws.sign(inner.build(), innerPayload, new ECDSASigner(newKey)),
                java.nio.charset.StandardCharsets.UTF_8);
        return c.post("key-change", innerJws);
    }
}
