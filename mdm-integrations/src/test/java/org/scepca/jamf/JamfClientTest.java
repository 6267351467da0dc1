package org.scepca.jamf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.jamf.JamfDevice.Kind;
import org.scepca.jamf.testing.FakeJamfPro;
import org.scepca.ca.testing.MutableClock;

/** The Jamf Pro API client against a fake Jamf Pro over HTTPS. */
class JamfClientTest {
    static final String CLIENT_ID = "5a1c2b3d-api-client";
    static final String SECRET = "s3cret+with&form=characters";

    private FakeJamfPro jamf;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        jamf = FakeJamfPro.start(CLIENT_ID, SECRET);
    }

    @AfterEach
    void stop() {
        jamf.close();
    }

    private JamfClient client(int pageSize) {
        return new JamfClient(jamf.url(), CLIENT_ID, SECRET, Optional.of(jamf.clientTls()), clock, pageSize);
    }

    static List<JamfDevice> computers(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new JamfDevice(Kind.COMPUTER, String.valueOf(i),
                Optional.of("C02MAC" + i), Optional.of("0000-MAC-" + i))).toList();
    }

    static List<JamfDevice> mobileDevices(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new JamfDevice(Kind.MOBILE_DEVICE, String.valueOf(i),
                Optional.of("DMPIPAD" + i), Optional.of("ipad-udid-" + i))).toList();
    }

    @Test
    void readsEveryPageOfComputersAndMobileDevices_withTheDocumentedParameters() throws Exception {
        jamf.computers(computers(5));
        jamf.mobileDevices(mobileDevices(3));

        JamfInventory inventory = client(2).readInventory();

        assertThat(inventory.devices()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(computers(5).stream(), mobileDevices(3).stream()).toList());
        var computerPages = jamf.requests(FakeJamfPro.COMPUTERS);
        assertThat(computerPages).extracting(r -> r.query().get("page")).containsExactly("0", "1", "2");
        assertThat(computerPages).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.query()).containsEntry("page-size", "2").containsEntry("section", "HARDWARE")
                    .containsEntry("sort", "id:asc");
            assertThat(r.authorization()).startsWith("Bearer eyJ");
        });
        assertThat(jamf.requests(FakeJamfPro.MOBILE_DEVICES)).extracting(r -> r.query().get("page"))
                .containsExactly("0", "1");
        assertThat(inventory.identifiers()).contains("C02MAC5", "0000-MAC-1", "DMPIPAD3", "IPAD-UDID-2");
    }

    @Test
    void anEmptyInventory_isOnePageEach() throws Exception {
        assertThat(client(100).readInventory().devices()).isEmpty();
        assertThat(jamf.requests(FakeJamfPro.COMPUTERS)).hasSize(1);
        assertThat(jamf.requests(FakeJamfPro.MOBILE_DEVICES)).hasSize(1);
    }

    @Test
    void exactlyFullPages_stopAtTheTotalCount() throws Exception {
        jamf.computers(computers(4));
        assertThat(client(2).readInventory().devices()).hasSize(4);
        assertThat(jamf.requests(FakeJamfPro.COMPUTERS)).hasSize(2);
    }

    @Test
    void theTokenRequest_isTheClientCredentialsForm() throws Exception {
        client(100).readInventory();
        var token = jamf.requests(FakeJamfPro.TOKEN);
        assertThat(token).hasSize(1);
        assertThat(token.get(0).method()).isEqualTo("POST");
        assertThat(token.get(0).contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(token.get(0).body()).isEqualTo("grant_type=client_credentials&client_id=5a1c2b3d-api-client"
                + "&client_secret=s3cret%2Bwith%26form%3Dcharacters");
    }

    @Test
    void theToken_isReusedUntilAMinuteBeforeItExpires() throws Exception {
        JamfClient client = client(100);
        client.readInventory();
        client.readInventory();
        assertThat(jamf.tokensIssued()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(538)); // expires_in 599: still more than 60 s left
        client.readInventory();
        assertThat(jamf.tokensIssued()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        client.readInventory();
        assertThat(jamf.tokensIssued()).isEqualTo(2);
        String second = jamf.requests(FakeJamfPro.COMPUTERS).get(3).authorization();
        assertThat(second).isNotEqualTo(jamf.requests(FakeJamfPro.COMPUTERS).get(0).authorization());
    }

    @Test
    void aShortLivedToken_isRefreshedHalfwayThroughItsLife() throws Exception {
        jamf.tokenLifetimeSeconds(60);
        JamfClient client = client(100);
        client.readInventory();
        clock.advance(Duration.ofSeconds(29));
        client.readInventory();
        assertThat(jamf.tokensIssued()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        client.readInventory();
        assertThat(jamf.tokensIssued()).isEqualTo(2);
    }

    @Test
    void aTokenJamfInvalidated_isReplacedOnce_andTheReadSucceeds() throws Exception {
        jamf.computers(computers(3));
        JamfClient client = client(100);
        client.readInventory();
        jamf.invalidateTokens();
        assertThat(client.readInventory().devices()).hasSize(3);
        assertThat(jamf.tokensIssued()).isEqualTo(2);
    }

    @Test
    void a401WithAFreshToken_failsTheRead_afterOneRetry() {
        jamf.failNext(FakeJamfPro.COMPUTERS, 401, 401);
        assertThatThrownBy(() -> client(100).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("HTTP 401");
        assertThat(jamf.tokensIssued()).isEqualTo(2);
        assertThat(jamf.requests(FakeJamfPro.COMPUTERS)).hasSize(2);
    }

    @Test
    void aTokenAnswerWithoutAnAccessToken_failsTheRead() {
        jamf.failNext(FakeJamfPro.TOKEN, 200); // 200 with {"httpStatus":200,"errors":[]}
        assertThatThrownBy(() -> client(100).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("access_token");
    }

    @Test
    void aRefusedClient_isAnExceptionNamingTheKeys_neverTheSecret() {
        JamfClient wrong = new JamfClient(jamf.url(), CLIENT_ID, "not-the-secret", Optional.of(jamf.clientTls()),
                clock, 100);
        assertThatThrownBy(wrong::readInventory).isInstanceOf(JamfException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("jamf.client-id")
                .hasMessageContaining("jamf.client-secret-file").hasMessageNotContaining("not-the-secret");
        assertThat(jamf.requests(FakeJamfPro.COMPUTERS)).isEmpty();
    }

    @Test
    void aServerErrorOnALaterPage_failsTheWholeRead() {
        jamf.computers(computers(5));
        jamf.failPage(FakeJamfPro.COMPUTERS, 1, 503);
        assertThatThrownBy(() -> client(2).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void aMissingPrivilege_says403AndWhichPrivileges() {
        jamf.failPage(FakeJamfPro.MOBILE_DEVICES, 0, 403);
        assertThatThrownBy(() -> client(100).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("Read Mobile Devices");
    }

    @Test
    void aShortPage_isAPartialRead() {
        jamf.computers(computers(5));
        jamf.shortPage(FakeJamfPro.COMPUTERS, 1);
        assertThatThrownBy(() -> client(2).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("short");
    }

    @Test
    void aShortLastPage_isAPartialRead() {
        jamf.mobileDevices(mobileDevices(3));
        jamf.shortPage(FakeJamfPro.MOBILE_DEVICES, 1);
        assertThatThrownBy(() -> client(2).readInventory()).isInstanceOf(JamfException.class);
    }

    @Test
    void anInventoryThatChangesWhileRead_failsTheRead() {
        jamf.computers(computers(5));
        jamf.totalCountGrowsFromPage(FakeJamfPro.COMPUTERS, 2);
        assertThatThrownBy(() -> client(2).readInventory()).isInstanceOf(JamfException.class)
                .hasMessageContaining("changed");
    }

    @Test
    void anUnreachableServer_isAJamfException() {
        JamfClient client = client(100);
        jamf.close();
        assertThatThrownBy(client::readInventory).isInstanceOf(JamfException.class);
    }

    @Test
    void aServerCertificateNotTrusted_isRefused() {
        // The JDK's default trust: the fake's self-signed certificate is not in it.
        JamfClient client = new JamfClient(jamf.url(), CLIENT_ID, SECRET, Optional.empty(), clock, 100);
        assertThatThrownBy(client::readInventory).isInstanceOf(JamfException.class);
        assertThat(jamf.requests()).isEmpty();
    }

    @Test
    void toString_hidesTheSecret() {
        assertThat(client(100).toString()).doesNotContain(SECRET);
    }
}
