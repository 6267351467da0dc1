package org.scepca.acme.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.acme.attest.TestAttestations.permanent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.AcmeProblem;
import org.scepca.acme.ChallengeValidator.Attempt;
import org.scepca.acme.ChallengeValidator.Outcome;
import org.scepca.acme.Identifier;
import org.scepca.ca.store.Database;

/**
 * device-attest-01 behind the ACME core's {@link org.scepca.acme.ChallengeValidator} interface, on a real H2 store
 * for the allow-list: a valid outcome binds the attested key and notes the device; refusals come back as invalid
 * outcomes with their ACME problem, never as exceptions.
 */
class DeviceAttest01ValidatorTest {
    static final String TOKEN = AppleDeviceAttestationTest.TOKEN;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Database db;
    DeviceAllowList allowList;
    final Clock clock = Clock.fixed(AppleDeviceAttestationTest.NOW, ZoneOffset.UTC);
    final TestAttestations pki = new TestAttestations(clock);
    ECKey accountKey;

    @BeforeEach
    void open() throws Exception {
        db = Database.openH2(dir, dir.resolve("pw"), 2);
        allowList = new DeviceAllowList(db, clock);
        accountKey = new ECKeyGenerator(Curve.P_256).generate();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Attempt attempt(Identifier identifier, JsonNode response) {
        return new Attempt("ios", identifier, TOKEN, accountKey.toPublicJWK(), TOKEN + ".thumbprint", response);
    }

    private static JsonNode response(byte[] attestationObject) throws Exception {
        return JSON.readTree(TestAttestations.challengeResponse(attestationObject));
    }

    @Test
    void deviceIds_readBackWhatTheNoteWrote_andNothingFromOtherNotes() {
        var ids = DeviceAttest01Validator.deviceIds(
                "apple-attested serial=C02XL0GHJGH5 udid=00008030-001A2D3E0C38802E os=17.2 sepos=21.3.51");
        assertThat(ids.serial()).hasValue("C02XL0GHJGH5");
        assertThat(ids.udid()).hasValue("00008030-001A2D3E0C38802E");
        assertThat(DeviceAttest01Validator.deviceIds("apple-attested udid=abc-1 os=17").serial()).isEmpty();
        assertThat(DeviceAttest01Validator.deviceIds("apple-attested udid=abc-1 os=17").udid()).hasValue("ABC-1");
        // not ours, not valid identifiers, or a second value: nothing (or the first) is taken
        assertThat(DeviceAttest01Validator.deviceIds("acme order 42 serial=C02XL0GHJGH5").serial()).isEmpty();
        assertThat(DeviceAttest01Validator.deviceIds(null).serial()).isEmpty();
        assertThat(DeviceAttest01Validator.deviceIds("apple-attested serial=a/b udid=" + "x".repeat(65)))
                .isEqualTo(new DeviceAttest01Validator.DeviceIds(java.util.Optional.empty(), java.util.Optional.empty()));
        assertThat(DeviceAttest01Validator.deviceIds("apple-attested serial=FIRST serial=SECOND").serial())
                .hasValue("FIRST");
    }

    @Test
    void valid_bindsTheAttestedKey_andNotesTheDevice() throws Exception {
        DeviceAttest01Validator v = new DeviceAttest01Validator(pki.verifier(), DevicePolicy.ANY, allowList);
        TestAttestations.Leaf leaf = pki.leaf(TOKEN);
        Outcome o = v.validate(attempt(permanent(TestAttestations.SERIAL), response(leaf.attestationObject())));

        assertThat(o.isValid()).as(o.problem().map(AcmeProblem::detail).orElse("")).isTrue();
        assertThat(o.boundKey()).contains(leaf.key.getPublic());
        assertThat(o.note()).contains("apple-attested serial=C02XL0GHJGH5 udid=00008030-001A2D3E0C38802E os=17.2"
                + " sepos=21.3.51");
        assertThat(v.type()).isEqualTo("device-attest-01");
        assertThat(v.supports(permanent("X"))).isTrue();
        assertThat(v.supports(new Identifier(Identifier.DNS, "host.example.org"))).isFalse();
    }

    @Test
    void refusalsAreInvalidOutcomes() throws Exception {
        DeviceAttest01Validator v = new DeviceAttest01Validator(pki.verifier(), DevicePolicy.ANY, allowList);
        Outcome stale = v.validate(attempt(permanent(TestAttestations.SERIAL),
                response(pki.leaf("an older token").attestationObject())));
        assertThat(stale.problem()).get().extracting(AcmeProblem::type)
                .isEqualTo(AcmeProblem.Type.BAD_ATTESTATION_STATEMENT);
        assertThat(stale.boundKey()).isEmpty();

        Outcome other = v.validate(attempt(permanent("C02OTHERDEV1"), response(pki.leaf(TOKEN).attestationObject())));
        assertThat(other.problem()).get().extracting(AcmeProblem::type).isEqualTo(AcmeProblem.Type.UNAUTHORIZED);

        Outcome empty = v.validate(attempt(permanent(TestAttestations.SERIAL), JSON.readTree("{}")));
        assertThat(empty.problem()).get().extracting(AcmeProblem::type).isEqualTo(AcmeProblem.Type.MALFORMED);
    }

    @Test
    void allowListPolicy_refusesUnlistedDevices() throws Exception {
        DeviceAttest01Validator v = new DeviceAttest01Validator(pki.verifier(), DevicePolicy.ALLOW_LIST, allowList);
        JsonNode answer = response(pki.leaf(TOKEN).attestationObject());
        Outcome refused = v.validate(attempt(permanent(TestAttestations.SERIAL), answer));
        assertThat(refused.problem()).get().extracting(AcmeProblem::type)
                .isEqualTo(AcmeProblem.Type.REJECTED_IDENTIFIER);

        allowList.add("ios", List.of(TestAttestations.SERIAL), "cli:ops");
        assertThat(v.validate(attempt(permanent(TestAttestations.SERIAL), answer)).isValid()).isTrue();
        // Listed for another endpoint only: refused here.
        allowList.remove("ios", List.of(TestAttestations.SERIAL));
        allowList.add("macs", List.of(TestAttestations.SERIAL), "cli:ops");
        assertThat(v.validate(attempt(permanent(TestAttestations.SERIAL), answer)).isValid()).isFalse();
    }

    @Test
    void checkResponse_wantsAnAttObjString() throws Exception {
        DeviceAttest01Validator v = new DeviceAttest01Validator(pki.verifier(), DevicePolicy.ANY, allowList);
        v.checkResponse(JSON.readTree("{\"attObj\":\"o2NmbXQ\"}"));
        for (String bad : List.of("{}", "{\"attObj\":1}", "{\"attObj\":\"\"}", "[]")) {
            assertThatThrownBy(() -> v.checkResponse(JSON.readTree(bad))).isInstanceOfSatisfying(AcmeProblem.class,
                    p -> assertThat(p.type()).isEqualTo(AcmeProblem.Type.MALFORMED));
        }
    }
}
