package org.scepca.acme.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.acme.attest.TestAttestations.permanent;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.scepca.acme.AcmeProblem;
import org.scepca.acme.AcmeProblem.Type;
import org.scepca.acme.Identifier;

/**
 * device-attest-01 with attestation objects built under a test root: what is accepted (serial, UDID, both encodings)
 * and each refusal with its ACME error type. The clock is fixed, so validity is decided by the test, not the hour.
 */
class AppleDeviceAttestationTest {
    static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");
    static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final TestAttestations pki = new TestAttestations(clock);
    final AppleDeviceAttestation verifier = pki.verifier();

    @Test
    void ok_serialNumber_givesTheAttestedKeyAndVersions() {
        TestAttestations.Leaf leaf = pki.leaf(TOKEN);
        AttestedDevice d = verifier.verify(leaf.attestationObject(), TOKEN,
                permanent(TestAttestations.SERIAL));

        assertThat(d.matchedBy()).isEqualTo(AttestedDevice.Match.SERIAL_NUMBER);
        assertThat(d.serialNumber()).contains(TestAttestations.SERIAL);
        assertThat(d.udid()).contains(TestAttestations.UDID);
        assertThat(d.osVersion()).contains("17.2");
        assertThat(d.sepOsVersion()).contains("21.3.51");
        assertThat(d.publicKey()).isEqualTo(leaf.key.getPublic());
        assertThat(d.chain()).hasSize(2);
        assertThat(d.keyThumbprint()).isEqualTo(AttestedDevice.keyThumbprint(leaf.key.getPublic()));
    }

    @Test
    void ok_udid_inEitherCase() {
        byte[] obj = pki.leaf(TOKEN).attestationObject();
        AttestedDevice d = verifier.verify(obj, TOKEN, permanent(TestAttestations.UDID));
        assertThat(d.matchedBy()).isEqualTo(AttestedDevice.Match.UDID);
        AttestedDevice lower = verifier.verify(obj, TOKEN,
                permanent(TestAttestations.UDID.toLowerCase()));
        assertThat(lower.matchedBy()).isEqualTo(AttestedDevice.Match.UDID);
    }

    @Test
    void ok_challengeResponsePayload_base64urlOfCbor() {
        byte[] payload = TestAttestations.challengeResponse(pki.leaf(TOKEN).attestationObject());
        assertThat(verifier.verifyChallengeResponse(payload, TOKEN, permanent(TestAttestations.SERIAL))
                .matchedBy()).isEqualTo(AttestedDevice.Match.SERIAL_NUMBER);
    }

    @Test
    void ok_valuesWrappedInDer_andAppleExtensionsCritical() {
        byte[] obj = pki.leaf(TOKEN).wrapped().critical().attestationObject();
        AttestedDevice d = verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL));
        assertThat(d.udid()).contains(TestAttestations.UDID);
        assertThat(d.osVersion()).contains("17.2");
    }

    @Test
    void criticalExtensions_applesArcIsUnderstood_anyOtherFailsTheChain() {
        // macOS boot security (SIP status, DER INTEGER 0): a property Apple reports, not a constraint.
        byte[] sip = pki.leaf(TOKEN).criticalExtension("1.2.840.113635.100.8.13.1", new byte[] {0x02, 0x01, 0x00})
                .attestationObject();
        assertThat(verifier.verify(sip, TOKEN, permanent(TestAttestations.SERIAL)).serialNumber())
                .contains(TestAttestations.SERIAL);
        byte[] unknown = pki.leaf(TOKEN).criticalExtension("1.3.6.1.4.1.99999.1", new byte[] {0x05, 0x00})
                .attestationObject();
        refused(() -> verifier.verify(unknown, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "does not chain");
    }

    @Test
    void ok_rootAppendedToX5c() {
        X509Certificate leaf = pki.leaf(TOKEN).certificate();
        byte[] obj = TestAttestations.attestationObject("apple", List.of(leaf, pki.intermediate, pki.root));
        assertThat(verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)).serialNumber())
                .contains(TestAttestations.SERIAL);
    }

    @Test
    void ok_deviceWithUdidOnly() {
        byte[] obj = pki.leaf(TOKEN).serial(null).attestationObject();
        AttestedDevice d = verifier.verify(obj, TOKEN, permanent(TestAttestations.UDID));
        assertThat(d.serialNumber()).isEmpty();
    }

    @Test
    void versionsAreOnlyRecorded_identitiesMustBeWellFormed() {
        AttestedDevice spaced = verifier.verify(pki.leaf(TOKEN).osVersion("14.2.1 (23C71)").attestationObject(), TOKEN,
                permanent(TestAttestations.SERIAL));
        assertThat(spaced.osVersion()).contains("14.2.1 (23C71)");
        AttestedDevice odd = verifier.verify(pki.leaf(TOKEN).osVersion("17\n2").attestationObject(), TOKEN,
                permanent(TestAttestations.SERIAL));
        assertThat(odd.osVersion()).as("left out, not refused").isEmpty();
        byte[] badSerial = pki.leaf(TOKEN).serial("C02 XL0").attestationObject();
        refused(() -> verifier.verify(badSerial, TOKEN, permanent(TestAttestations.UDID)),
                Type.BAD_ATTESTATION_STATEMENT, "attested serial number is malformed");
    }

    @Test
    void attestedKey_mustBeTheCsrKey() {
        TestAttestations.Leaf leaf = pki.leaf(TOKEN);
        AttestedDevice d = verifier.verify(leaf.attestationObject(), TOKEN,
                permanent(TestAttestations.SERIAL));
        d.requireAttestedKey(leaf.key.getPublic());
        AttestedDevice.requireAttestedKey(d.keyThumbprint(), leaf.key.getPublic());

        var otherKey = TestAttestations.ec("secp256r1").getPublic();
        refused(() -> d.requireAttestedKey(otherKey), Type.BAD_CSR, "not the key attested");
        refused(() -> AttestedDevice.requireAttestedKey(d.keyThumbprint(), otherKey), Type.BAD_CSR, "attested");
    }

    @Test
    void fail_wrongNonce() {
        byte[] obj = pki.leaf(TOKEN).attestationObject();
        refused(() -> verifier.verify(obj, "another-token", permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "freshness code is not the SHA-256 of this challenge's token");
        byte[] raw = pki.leaf(TOKEN).nonce(TOKEN.getBytes(StandardCharsets.UTF_8)).attestationObject();
        refused(() -> verifier.verify(raw, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "freshness code is not a SHA-256 value");
        byte[] flipped = TestAttestations.sha256(TOKEN);
        flipped[31] ^= 1;
        byte[] near = pki.leaf(TOKEN).nonce(flipped).attestationObject();
        refused(() -> verifier.verify(near, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "freshness code is not the SHA-256");
    }

    @Test
    void fail_missingNonce_isNeverSkipped() {
        byte[] obj = pki.leaf(TOKEN).nonce(null).attestationObject();
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "no freshness code (OID 1.2.840.113635.100.8.11.1); it is required");
    }

    @Test
    void fail_wrongSerialOrUdid() {
        byte[] obj = pki.leaf(TOKEN).attestationObject();
        refused(() -> verifier.verify(obj, TOKEN, permanent("C02OTHERDEV1")), Type.UNAUTHORIZED,
                "not for device \"C02OTHERDEV1\"");
        refused(() -> verifier.verify(obj, TOKEN, permanent("00008030-0000000000000000")),
                Type.UNAUTHORIZED, "neither its serial number nor its UDID");
        // Serial numbers are compared exactly: only UDIDs (hexadecimal) ignore case.
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL.toLowerCase())),
                Type.UNAUTHORIZED, "not for device");
    }

    @Test
    void fail_identifierOfAnotherTypeOrShape() {
        byte[] obj = pki.leaf(TOKEN).attestationObject();
        refused(() -> verifier.verify(obj, TOKEN, new Identifier("dns", "host.example.org")),
                Type.REJECTED_IDENTIFIER, "permanent-identifier identifiers only");
        refused(() -> verifier.verify(obj, TOKEN, permanent("C02 XL0\n")),
                Type.REJECTED_IDENTIFIER, "not a serial number or UDID");
    }

    @Test
    void fail_foreignRoot() {
        var foreignKey = TestAttestations.ec("secp384r1");
        X500Name sameName = new X500Name("CN=Test Enterprise Attestation Root CA,O=scepca tests");
        X509Certificate foreignRoot = TestAttestations.ca(sameName, foreignKey.getPublic(), sameName,
                foreignKey.getPrivate(), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(100)));
        var subKey = TestAttestations.ec("secp384r1");
        X509Certificate foreignSub = TestAttestations.ca(
                new X500Name("CN=Test Enterprise Attestation Sub CA 1,O=scepca tests"), subKey.getPublic(),
                foreignRoot, foreignKey.getPrivate(), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(100)));
        X509Certificate leaf = pki.leaf(TOKEN).issuedBy(foreignSub, subKey.getPrivate()).certificate();
        byte[] obj = TestAttestations.attestationObject("apple", List.of(leaf, foreignSub));
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "does not chain to Apple Enterprise Attestation Root CA");
        // Sending the foreign root along changes nothing: only pinned anchors are trusted.
        byte[] withRoot = TestAttestations.attestationObject("apple", List.of(leaf, foreignSub, foreignRoot));
        refused(() -> verifier.verify(withRoot, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "does not chain");
    }

    @Test
    void fail_testRootWithoutTheTestOnlyConstructor() {
        AppleDeviceAttestation production = new AppleDeviceAttestation(clock);
        byte[] obj = pki.leaf(TOKEN).attestationObject();
        refused(() -> production.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "does not chain to Apple Enterprise Attestation Root CA");
    }

    @Test
    void fail_leafSkippingTheIntermediate() {
        X509Certificate leaf = pki.leaf(TOKEN).certificate();
        byte[] obj = TestAttestations.attestationObject("apple", List.of(leaf));
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "does not chain");
    }

    @Test
    void fail_expiredAttestationCertificate() {
        byte[] expired = pki.leaf(TOKEN).validity(NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1))
                .attestationObject();
        refused(() -> verifier.verify(expired, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "has expired");
        byte[] early = pki.leaf(TOKEN).validity(NOW.plusSeconds(60), NOW.plus(Duration.ofDays(1)))
                .attestationObject();
        refused(() -> verifier.verify(early, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "not yet valid");
        // The same attestation a day later: the clock decides, not the certificate alone.
        AppleDeviceAttestation later = new AppleDeviceAttestation(
                Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC), List.of(pki.root));
        byte[] fresh = pki.leaf(TOKEN).attestationObject();
        refused(() -> later.verify(fresh, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "has expired");
    }

    @Test
    void fail_expiredIntermediateOrRoot() {
        var subKey = TestAttestations.ec("secp384r1");
        X509Certificate oldSub = TestAttestations.ca(new X500Name("CN=Old Sub CA,O=scepca tests"),
                subKey.getPublic(), pki.root, pki.rootKey.getPrivate(), NOW.minus(Duration.ofDays(400)),
                NOW.minus(Duration.ofDays(1)));
        X509Certificate leaf = pki.leaf(TOKEN).issuedBy(oldSub, subKey.getPrivate()).certificate();
        byte[] obj = TestAttestations.attestationObject("apple", List.of(leaf, oldSub));
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "has expired");

        X500Name rootName = new X500Name("CN=Expired Root,O=scepca tests");
        var rootKey = TestAttestations.ec("secp384r1");
        X509Certificate expiredRoot = TestAttestations.ca(rootName, rootKey.getPublic(), rootName,
                rootKey.getPrivate(), NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(1)));
        X509Certificate sub = TestAttestations.ca(new X500Name("CN=Sub,O=scepca tests"), subKey.getPublic(),
                expiredRoot, rootKey.getPrivate(), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));
        X509Certificate leaf2 = pki.leaf(TOKEN).issuedBy(sub, subKey.getPrivate()).certificate();
        AppleDeviceAttestation trustsExpired = new AppleDeviceAttestation(clock, List.of(expiredRoot));
        byte[] obj2 = TestAttestations.attestationObject("apple", List.of(leaf2, sub));
        refused(() -> trustsExpired.verify(obj2, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "has expired");
    }

    @Test
    void fail_malformedCbor() {
        byte[] good = pki.leaf(TOKEN).attestationObject();
        Identifier id = permanent(TestAttestations.SERIAL);
        refused(() -> verifier.verify("not CBOR at all".getBytes(StandardCharsets.UTF_8), TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "attObj");
        refused(() -> verifier.verify(Arrays.copyOf(good, good.length / 2), TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "not well-formed CBOR");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        refused(() -> verifier.verify(trailing, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "not well-formed CBOR");
        refused(() -> verifier.verify(new byte[0], TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "attObj is empty");
        // A CBOR array, not a map; a map with a repeated key (A2 = map of two: "fmt" twice).
        refused(() -> verifier.verify(new byte[] {(byte) 0x81, 0x01}, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT,
                "not a CBOR map");
        byte[] dup = {(byte) 0xa2, 0x63, 'f', 'm', 't', 0x65, 'a', 'p', 'p', 'l', 'e', 0x63, 'f', 'm', 't', 0x65, 'a',
                'p', 'p', 'l', 'e'};
        refused(() -> verifier.verify(dup, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "unique keys");
        refused(() -> verifier.verify("%%%", TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "not base64url");
        refused(() -> verifier.verifyChallengeResponse("{\"attObj\":1}".getBytes(StandardCharsets.UTF_8), TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "no attObj string");
        refused(() -> verifier.verifyChallengeResponse("{".getBytes(StandardCharsets.UTF_8), TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "not JSON");
        refused(() -> verifier.verify(new byte[AppleDeviceAttestation.MAX_ATTESTATION_OBJECT + 1], TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "larger than");
    }

    @Test
    void fail_wrongFormat() {
        X509Certificate leaf = pki.leaf(TOKEN).certificate();
        byte[] obj = TestAttestations.attestationObject("packed", List.of(leaf, pki.intermediate));
        refused(() -> verifier.verify(obj, TOKEN, permanent(TestAttestations.SERIAL)),
                Type.BAD_ATTESTATION_STATEMENT, "attestation format \"packed\" is not supported");
    }

    @Test
    void fail_emptyOrMissingOrMalformedX5c() throws Exception {
        Identifier id = permanent(TestAttestations.SERIAL);
        refused(() -> verifier.verify(TestAttestations.attestationObject("apple", List.of()), TOKEN, id),
                Type.BAD_ATTESTATION_STATEMENT, "x5c is empty");
        CBORMapper cbor = new CBORMapper();
        Map<String, Object> noX5c = new LinkedHashMap<>();
        noX5c.put("fmt", "apple");
        noX5c.put("attStmt", Map.of());
        byte[] a = cbor.writeValueAsBytes(noX5c);
        refused(() -> verifier.verify(a, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "no x5c array");
        noX5c.put("attStmt", Map.of("x5c", List.of("text, not bytes")));
        byte[] b = cbor.writeValueAsBytes(noX5c);
        refused(() -> verifier.verify(b, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "other than byte strings");
        noX5c.put("attStmt", Map.of("x5c", List.of(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})));
        byte[] c = cbor.writeValueAsBytes(noX5c);
        refused(() -> verifier.verify(c, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "malformed certificate");
        X509Certificate leaf = pki.leaf(TOKEN).certificate();
        byte[] tooMany = TestAttestations.attestationObject("apple",
                List.of(leaf, pki.intermediate, pki.intermediate, pki.intermediate, pki.root));
        refused(() -> verifier.verify(tooMany, TOKEN, id), Type.BAD_ATTESTATION_STATEMENT, "more than 4");
    }

    @Test
    void pinnedRoot_isApplesEnterpriseAttestationRoot() throws Exception {
        X509Certificate apple = AppleDeviceAttestation.appleEnterpriseAttestationRoot();
        assertThat(apple.getSubjectX500Principal().getName())
                .isEqualTo("C=US,O=Apple Inc.,CN=Apple Enterprise Attestation Root CA");
        assertThat(apple.getNotAfter().toInstant()).isEqualTo(Instant.parse("2047-02-20T00:00:00Z"));
        assertThat(Base64.getEncoder().encodeToString(apple.getEncoded())).startsWith("MIICJDCCAamgAwIBAgIUQsDCuyxyfFxeq");
    }

    private static void refused(ThrowingCallable call, Type type, String detail) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AcmeProblem.class, p -> {
            assertThat(p.type()).isEqualTo(type);
            assertThat(p.detail()).contains(detail);
        });
    }
}
