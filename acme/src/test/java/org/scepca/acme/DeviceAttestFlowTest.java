package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.scepca.acme.TestClient.b64url;
import static org.scepca.acme.TestClient.json;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.acme.attest.DeviceAttest01Validator;
import org.scepca.acme.attest.DevicePolicy;
import org.scepca.acme.attest.TestAttestations;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestPki;

/**
 * device-attest-01 end to end in the ACME core, with the real validator (attestation objects made under a test
 * root) on a real CA: an order for a device's serial number, its challenge answered with an attestation, finalize
 * only with the attested key, the certificate's record noting the device; the allow-list policy and a replayed
 * attestation refused, each as the invalid challenge's ACME error.
 */
class DeviceAttestFlowTest {
    @TempDir
    Path dir;
    CertificateAuthority ca;
    AcmeService acme;
    DeviceAllowList allowList;
    final TestAttestations pki = new TestAttestations(Clock.systemUTC());

    @BeforeEach
    void open() {
        ca = TestPki.create(dir.resolve("ca"));
        Clock clock = Clock.systemUTC();
        allowList = new DeviceAllowList(ca.database(), clock);
        // As the server registers it for an endpoint whose device policy is the allow-list.
        ChallengeValidator deviceAttest = new DeviceAttest01Validator(pki.verifier(), DevicePolicy.ALLOW_LIST,
                allowList);
        Directory directory = new Directory(TestAcme.BASE, Optional.empty(), false);
        acme = new AcmeService("web", directory,
                new NonceStore(ca.database(), clock, Duration.ofDays(1), new SecureRandom()),
                new AccountStore(ca.database(), directory, "web", clock, new SecureRandom()),
                new OrderStore(ca.database(), "web", clock, new SecureRandom()),
                Map.of(deviceAttest.type(), deviceAttest),
                new AcmeIssuer(ca.issuance(), ca.revocation(), ca.certificates(),
                        List.of(ca.material().intermediateCertificate())),
                Runnable::run, clock);
    }

    @AfterEach
    void close() {
        ca.close();
    }

    /** A new order for the device, and its device-attest-01 challenge. */
    private record Pending(JsonNode order, String challengeUrl, String token) {
    }

    private static Pending order(TestClient c, String identifier) throws Exception {
        AcmeResponse created = c.post("new-order",
                "{\"identifiers\":[{\"type\":\"permanent-identifier\",\"value\":\"" + identifier + "\"}]}");
        assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
        JsonNode order = json(created);
        JsonNode challenge = json(c.postUrl(order.path("authorizations").get(0).asText(), "")).path("challenges")
                .get(0);
        assertThat(challenge.path("type").asText()).isEqualTo("device-attest-01");
        return new Pending(order, challenge.path("url").asText(), challenge.path("token").asText());
    }

    private static String answer(byte[] attestationObject) {
        return new String(TestAttestations.challengeResponse(attestationObject), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String finalizeWith(KeyPair keys) throws Exception {
        return "{\"csr\":\"" + b64url(Csrs.csr().keys(keys).subject("CN=" + TestAttestations.SERIAL).build()
                .getEncoded()) + "\"}";
    }

    @Test
    void listedDevice_attestsAndGetsACertificateForTheAttestedKeyOnly() throws Exception {
        allowList.add("web", List.of(TestAttestations.SERIAL), "cli:ops");
        TestClient c = new TestClient(acme).register();
        Pending p = order(c, TestAttestations.SERIAL);
        TestAttestations.Leaf leaf = pki.leaf(p.token());

        JsonNode validated = json(c.postUrl(p.challengeUrl(), answer(leaf.attestationObject())));
        assertThat(validated.path("status").asText()).as(validated.toString()).isEqualTo("valid");

        String finalizeUrl = p.order().path("finalize").asText();
        AcmeResponse otherKey = c.postUrl(finalizeUrl, finalizeWith(TestAttestations.ec("secp256r1")));
        assertThat(otherKey.bodyText()).contains("badCSR");
        AcmeResponse ok = c.postUrl(finalizeUrl, finalizeWith(leaf.key));
        assertThat(json(ok).path("status").asText()).as(ok.bodyText()).isEqualTo("valid");

        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(c.postUrl(json(ok).path("certificate").asText(), "").body())).iterator()
                .next();
        assertThat(cert.getPublicKey()).isEqualTo(leaf.key.getPublic());
        // The attested identifier is in the certificate, written by the CA (RFC 4043), not taken from the CSR.
        assertThat(org.scepca.ca.issuance.IssuanceEngine.sanStrings(cert))
                .containsExactly("permanent-id:" + TestAttestations.SERIAL);
        CertificateRecord record = ca.certificates().find(cert.getSerialNumber()).orElseThrow();
        assertThat(record.profile()).isEqualTo(CertificateProfile.CLIENT);
        assertThat(record.issuedFor().note()).get().asString().contains("serial=" + TestAttestations.SERIAL)
                .contains("os=17.2").contains("sepos=21.3.51");
        // the device columns: search by serial or UDID finds the ACME device as it finds a SCEP one
        assertThat(record.issuedFor().deviceSerial()).hasValue(TestAttestations.SERIAL);
        assertThat(record.issuedFor().deviceUdid()).hasValue(TestAttestations.UDID);
        assertThat(ca.certificates().activeWithDevice(java.time.Instant.now(), 10))
                .extracting(CertificateRecord::serialHex).contains(record.serialHex());
    }

    @Test
    void unlistedDevice_andReplayedAttestation_makeTheChallengeInvalid() throws Exception {
        TestClient c = new TestClient(acme).register();
        Pending unlisted = order(c, TestAttestations.SERIAL);
        byte[] attestation = pki.leaf(unlisted.token()).attestationObject();
        JsonNode refused = json(c.postUrl(unlisted.challengeUrl(), answer(attestation)));
        assertThat(refused.path("status").asText()).isEqualTo("invalid");
        assertThat(refused.path("error").path("type").asText()).isEqualTo("urn:ietf:params:acme:error:rejectedIdentifier");

        // Listed now, but the attestation made for the first challenge's token is no proof for a new one.
        allowList.add("web", List.of(TestAttestations.UDID), "cli:ops");
        Pending next = order(c, TestAttestations.SERIAL);
        JsonNode replayed = json(c.postUrl(next.challengeUrl(), answer(attestation)));
        assertThat(replayed.path("status").asText()).isEqualTo("invalid");
        assertThat(replayed.path("error").path("type").asText())
                .isEqualTo("urn:ietf:params:acme:error:badAttestationStatement");
        assertThat(replayed.path("error").path("detail").asText()).contains("freshness code");
    }

    @Test
    void aDeviceOrderNamesOneDevice_itsSerialNumberItsUdidOrBoth() throws Exception {
        TestClient c = new TestClient(acme).register();
        AcmeResponse both = c.post("new-order", "{\"identifiers\":[{\"type\":\"permanent-identifier\",\"value\":\""
                + TestAttestations.SERIAL + "\"},{\"type\":\"permanent-identifier\",\"value\":\"" + TestAttestations.UDID
                + "\"}]}");
        assertThat(both.status()).as(both.bodyText()).isEqualTo(201);
        AcmeResponse three = c.post("new-order", "{\"identifiers\":[{\"type\":\"permanent-identifier\",\"value\":"
                + "\"A1\"},{\"type\":\"permanent-identifier\",\"value\":\"B2\"},{\"type\":\"permanent-identifier\","
                + "\"value\":\"C3\"}]}");
        assertThat(three.status()).isEqualTo(400);
        assertThat(json(three).path("type").asText()).isEqualTo("urn:ietf:params:acme:error:rejectedIdentifier");
        assertThat(json(three).path("detail").asText()).contains("one device");
    }
}
