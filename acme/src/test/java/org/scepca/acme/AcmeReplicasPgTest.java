package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.acme.TestClient.b64url;
import static org.scepca.acme.TestClient.dnsOrder;
import static org.scepca.acme.TestClient.json;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.DatabaseConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.PgCluster;
import org.scepca.ca.testing.TestPki;

/**
 * Two replicas sharing one PostgreSQL database serve one client, every request going to the other replica than the
 * last: a nonce from one is used on the other, an order made on one is validated, finalized, downloaded and revoked
 * on the other. Nothing a request needs is held by the process that served the one before.
 */
class AcmeReplicasPgTest {
    @TempDir
    Path tmp;

    @Test
    void aClientAlternatingBetweenTwoReplicasGetsItsCertificateAndRevokesIt() throws Exception {
        Path dirA = tmp.resolve("a");
        Path dirB = tmp.resolve("b");
        TestPki.create(dirA).close();
        TestPki.copyForReplica(dirA, dirB);
        CaConfig config = CaConfig.defaults().withDatabase(new DatabaseConfig(Optional.of(PgCluster.shared()
                .newDatabase()), PgCluster.USER, Optional.of(PgCluster.PASSWORD), 4));
        try (TestAcme a = TestAcme.on(CertificateAuthority.open(new CaDirectory(dirA), TestPki.PASSPHRASE, config,
                Clock.systemUTC(), new SecureRandom()), Clock.systemUTC(), Runnable::run, p -> p, "http-01");
                TestAcme b = TestAcme.on(CertificateAuthority.open(new CaDirectory(dirB), TestPki.PASSPHRASE, config,
                        Clock.systemUTC(), new SecureRandom()), Clock.systemUTC(), Runnable::run, p -> p, "http-01")) {
            TestClient c = new TestClient(a.acme());
            // The nonce comes from A, the request goes to B.
            String nonceFromA = c.nonce();
            c.acme = b.acme();
            com.nimbusds.jose.JWSHeader h = new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                    .jwk(c.key.toPublicJWK()).customParam("url", TestAcme.BASE + "/new-account")
                    .customParam("nonce", nonceFromA).build();
            AcmeResponse created = b.acme().handle("POST", "new-account", TestJws.sign(h, "{}",
                    new com.nimbusds.jose.crypto.ECDSASigner(c.key)));
            assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
            c.kid = created.headers().get("Location");

            c.acme = a.acme();
            AcmeResponse order = c.post("new-order", dnsOrder("www.example.org"));
            String orderUrl = order.headers().get("Location");
            c.acme = b.acme();
            JsonNode authz = json(c.postUrl(json(order).path("authorizations").get(0).asText(), ""));
            c.acme = a.acme();
            assertThat(json(c.postUrl(authz.path("challenges").get(0).path("url").asText(), "{}")).path("status")
                    .asText()).isEqualTo("valid");
            c.acme = b.acme();
            assertThat(json(c.postUrl(orderUrl, "")).path("status").asText()).isEqualTo("ready");
            String csr = b64url(Csrs.csr().keys(new ECKeyGenerator(Curve.P_256).generate().toKeyPair())
                    .subject(new X500Name(new RDN[0])).dns("www.example.org").build().getEncoded());
            JsonNode done = json(c.postUrl(json(order).path("finalize").asText(), "{\"csr\":\"" + csr + "\"}"));
            assertThat(done.path("status").asText()).isEqualTo("valid");
            c.acme = a.acme();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(c.postUrl(done.path("certificate").asText(), "").body()));
            c.acme = b.acme();
            assertThat(c.post("revoke-cert", "{\"certificate\":\"" + b64url(cert.getEncoded()) + "\"}").status())
                    .isEqualTo(200);
            assertThat(a.ca.certificates().find(cert.getSerialNumber()).orElseThrow().status())
                    .isEqualTo(CertificateStatus.REVOKED);
            assertThat(a.ca.crls().current().crl().isRevoked(cert)).isTrue();
            // The same finalize again on A: the order is valid now, not ready.
            c.acme = a.acme();
            assertThat(c.postUrl(json(order).path("finalize").asText(), "{\"csr\":\"" + csr + "\"}").bodyText())
                    .contains("orderNotReady");
        }
    }
}
