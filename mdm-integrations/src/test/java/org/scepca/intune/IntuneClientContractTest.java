package org.scepca.intune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scepca.intune.fake.FakeIntune.Recorded;
import org.scepca.intune.fake.FakeIntune.Route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What goes over the wire for each call of Microsoft's contract, checked field by field against the fake. */
class IntuneClientContractTest extends WithFakeIntune {
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        client = Fixture.client(fake, dir);
    }

    private void assertNoViolations() {
        assertThat(fake.violations()).as(fake.toString()).isEmpty();
    }

    @Test
    void validate_success_sendsMicrosoftsRequestShapeAndHeaders() throws Exception {
        byte[] csr = TestCerts.csr("device-1");

        ScepActionResult r = client.validate("tx-1", csr, CALLER);

        assertThat(r.success()).isTrue();
        assertThat(r.code()).isEqualTo("Success");
        assertNoViolations();
        Recorded call = fake.requests(Route.VALIDATE).get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v1/ScepRequestValidationFEService/ScepActions/validateRequest");
        assertThat(call.header("Authorization")).startsWith("Bearer fake-token-");
        assertThat(call.header("api-version")).isEqualTo("2018-02-20");
        assertThat(call.header("Content-Type")).isEqualTo("application/json");
        assertThat(call.header("User-Agent")).startsWith("scepca/");
        assertThat(UUID.fromString(call.header("client-request-id"))).isEqualTo(r.clientRequestId());
        JsonNode body = JSON.readTree(call.body());
        assertThat(body).isEqualTo(JSON.readTree("{\"request\":{\"transactionId\":\"tx-1\",\"certificateRequest\":\""
                + Base64.getEncoder().encodeToString(csr) + "\",\"callerInfo\":\"" + CALLER + "\"}}"));
        // Graph was asked where the service is, with a Graph token; Intune got an Intune token.
        Recorded discovery = fake.requests(Route.DISCOVERY).get(0);
        assertThat(discovery.path()).isEqualTo("/v1.0/servicePrincipals/appId=0000000a-0000-0000-c000-000000000000/endpoints");
        assertThat(fake.tokenRequests(fake.graphScope())).isEqualTo(1);
        assertThat(fake.tokenRequests("https://api.manage.microsoft.com//.default")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ChallengePasswordMissing", "ChallengeExpired", "ChallengeDecryptionError",
        "SubjectNameMismatch", "SubjectAltNameMismatch", "KeyLengthMismatch", "EnhancedKeyUsageMismatch",
        "ScepProfileNoLongerTargetedToTheClient", "SomeCodeMicrosoftAddsLater"})
    void validate_refusal_isAnAnswerWithIntunesCode_notRetried(String code) {
        fake.answerValidation("tx-r", code, "the " + code + " detail");

        ScepActionResult r = client.validate("tx-r", TestCerts.csr("device-r"), CALLER);

        assertThat(r.success()).isFalse();
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.description()).isEqualTo("the " + code + " detail");
        assertThat(fake.count(Route.VALIDATE)).isEqualTo(1);
        assertThat(client.validationCircuitOpen()).isFalse();
        assertNoViolations();
    }

    @Test
    void notifySuccess_afterValidation_sendsThumbprintSerialAndExpiryInMicrosoftsFormats() throws Exception {
        byte[] csr = TestCerts.csr("device-2");
        X509Certificate issued = TestCerts.issued(new BigInteger("0a1b2c3d4e5f60718293", 16),
                Instant.parse("2027-12-31T23:59:59Z"));
        assertThat(client.validate("tx-2", csr, CALLER).success()).isTrue();

        ScepActionResult r = client.notifySuccess("tx-2", csr, issued, "CN=Test Issuing CA", "scepca.example",
                "Test Issuing CA", CALLER);

        assertThat(r.success()).isTrue();
        assertNoViolations();
        Recorded call = fake.requests(Route.SUCCESS_NOTIFICATION).get(0);
        assertThat(call.path()).endsWith("/ScepActions/successNotification");
        assertThat(call.header("api-version")).isEqualTo("2018-02-20");
        String sha1 = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1")
                .digest(issued.getEncoded()));
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree("{\"notification\":{"
                + "\"transactionId\":\"tx-2\",\"certificateRequest\":\"" + Base64.getEncoder().encodeToString(csr) + "\","
                + "\"certificateThumbprint\":\"" + sha1 + "\",\"certificateSerialNumber\":\"A1B2C3D4E5F60718293\","
                + "\"certificateExpirationDateUtc\":\"2027-12-31T23:59:59Z\","
                + "\"issuingCertificateAuthority\":\"CN=Test Issuing CA\",\"callerInfo\":\"" + CALLER + "\","
                + "\"caConfiguration\":\"scepca.example\",\"certificateAuthority\":\"Test Issuing CA\"}}"));
        assertThat(sha1).hasSize(40);
    }

    @Test
    void notifyFailure_sendsHResultAsJsonInteger_andCutsTheDescriptionAt255() throws Exception {
        byte[] csr = TestCerts.csr("device-3");
        fake.answerValidation("tx-3", "ChallengeExpired", "expired");
        assertThat(client.validate("tx-3", csr, CALLER).success()).isFalse();

        ScepActionResult r = client.notifyFailure("tx-3", csr, 0x80004005L, "x".repeat(300), CALLER);

        assertThat(r.success()).isTrue();
        assertNoViolations();
        JsonNode n = JSON.readTree(fake.requests(Route.FAILURE_NOTIFICATION).get(0).body()).get("notification");
        assertThat(n.get("hResult").isIntegralNumber()).isTrue();
        assertThat(n.get("hResult").asLong()).isEqualTo(2147500037L);
        assertThat(n.get("errorDescription").asText()).hasSize(255);
        assertThat(n.get("transactionId").asText()).isEqualTo("tx-3");
        assertThat(n.get("callerInfo").asText()).isEqualTo(CALLER);
    }

    @Test
    void notificationRefusedByIntune_isReturnedAsItsCode() {
        byte[] csr = TestCerts.csr("device-4");
        client.validate("tx-4", csr, CALLER);
        fake.answerNotifications("ChallengeExpired");

        ScepActionResult r = client.notifySuccess("tx-4", csr, TestCerts.issued(BigInteger.TWO,
                Instant.parse("2027-01-01T00:00:00Z")), "CN=Test Issuing CA", "c", "a", CALLER);

        assertThat(r.success()).isFalse();
        assertThat(r.code()).isEqualTo("ChallengeExpired");
    }

    @Test
    void everyCallHasItsOwnClientRequestId() {
        byte[] csr = TestCerts.csr("device-5");
        for (int i = 0; i < 3; i++) {
            client.validate("tx-5-" + i, csr, CALLER);
        }
        List<String> ids = fake.requests(Route.VALIDATE).stream().map(r -> r.header("client-request-id")).toList();
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertNoViolations();
    }

    @Test
    void theFakeCatchesASuccessNotificationForARequestIntuneDidNotValidate() {
        // The fake must be able to fail a client: a notification out of order is a contract violation.
        violationsExpected = true;
        byte[] csr = TestCerts.csr("device-6");

        assertThatThrownBy(() -> client.notifySuccess("tx-never-validated", csr, TestCerts.issued(BigInteger.ONE,
                Instant.parse("2027-01-01T00:00:00Z")), "CN=Test Issuing CA", "c", "a", CALLER))
                .isInstanceOf(IntuneUnavailableException.class)
                .hasMessageContaining("HTTP 400");
        assertThat(fake.violations()).singleElement().asString()
                .contains("without a successful validateRequest");
    }

    @Test
    void argumentsAreCheckedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.validate(" ", TestCerts.csr("d"), CALLER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactionId");
        assertThatThrownBy(() -> client.validate("tx", new byte[0], CALLER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("csrDer");
        assertThatThrownBy(() -> client.downloadRevocationRequests(501, "CN=x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("500");
        assertThat(fake.count()).isZero();
    }
}
