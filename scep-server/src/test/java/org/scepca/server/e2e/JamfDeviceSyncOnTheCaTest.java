package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestPki;
import org.scepca.jamf.JamfClient;
import org.scepca.jamf.JamfConfig;
import org.scepca.jamf.JamfDevice;
import org.scepca.jamf.JamfDeviceSync.DeviceCertificate;
import org.scepca.jamf.JamfDeviceSync.Outcome;
import org.scepca.jamf.JamfDeviceSync;
import org.scepca.jamf.testing.FakeJamfPro;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.scepca.server.integrations.IntegrationsAccess;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The Jamf device sync wired to a real CA: the fake Jamf Pro over HTTPS, the real client, the CA's revocation service.
 * A device deleted from Jamf loses its certificate after the second read, durably, on the CRL, with one audit line
 * naming the device. (Which certificates name which device is the store's to say; here a map stands in for it.) With
 * {@code acme-device-list-from=jamf}, an ACME endpoint's device-attest-01 allow-list (in the real H2 store) follows
 * the inventory, leaving devices listed by hand alone and changing nothing when Jamf cannot be read.
 */
class JamfDeviceSyncOnTheCaTest {
    @TempDir
    Path dir;
    private Running running;
    private FakeJamfPro jamf;
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    /** Certificate serial → the Jamf serial number and UDID recorded with it. */
    private final Map<BigInteger, Set<String>> jamfDevices = new ConcurrentHashMap<>();

    private static CaConfig config(boolean fromJamf) {
        Properties p = new Properties();
        p.setProperty("public-base-url", "http://ca.example.org");
        p.setProperty("endpoint.devices.protocol", "acme");
        p.setProperty("endpoint.devices.acme-challenges", "device-attest-01");
        if (fromJamf) {
            p.setProperty("endpoint.devices.acme-device-list-from", "jamf");
        }
        p.setProperty("endpoint.hand.protocol", "acme");
        p.setProperty("endpoint.hand.acme-challenges", "device-attest-01");
        return CaConfig.from(p);
    }

    @BeforeEach
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config(true),
                ServerConfig.defaults("127.0.0.1", 0), withJamfSync());
        jamf = FakeJamfPro.start("scepca-sync", "client-secret");
        audit.start();
        Logger l = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
        l.setLevel(Level.INFO);
        l.addAppender(audit);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(AuditLine.LOGGER)).detachAppender(audit);
        jamf.close();
        running.close();
    }

    private BigInteger issueFor(String jamfSerial, String udid) {
        var csr = Csrs.csr().subject("CN=" + jamfSerial + ",O=Test").build();
        BigInteger serial = running.ca().issuance().issue(new IssuanceRequest(csr, "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).record().serial();
        jamfDevices.put(serial, Set.of(jamfSerial, udid));
        return serial;
    }

    /** The Jamf Pro API with the device sync on (the scheduled run, an hour away, never happens in a test). */
    private AdminConfig withJamfSync() throws Exception {
        Files.writeString(dir.resolve("jamf-client.secret"), "client-secret\n");
        Properties p = new Properties();
        p.setProperty(JamfConfig.URL, "https://jamf.invalid");
        p.setProperty(JamfConfig.CLIENT_ID, "scepca-sync");
        p.setProperty(JamfConfig.CLIENT_SECRET_FILE, "jamf-client.secret");
        p.setProperty(JamfConfig.DEVICE_SYNC_INTERVAL, "60");
        return AdminConfig.loopback(0).withJamf(JamfConfig.from(p, dir));
    }

    private JamfDeviceSync syncFeedingLists() {
        CertificateAuthority ca = running.ca();
        JamfClient client = new JamfClient(jamf.url(), "scepca-sync", "client-secret", Optional.of(jamf.clientTls()),
                Clock.systemUTC(), 100);
        List<String> fed = IntegrationsAccess.jamfFedDeviceLists(ca);
        assertThat(fed).containsExactly("devices");
        return new JamfDeviceSync(client, () -> IntegrationsAccess.activeJamfCertificates(ca),
                (serial, reason, actor, device) -> ca.revocation().revoke(serial, reason, actor, device).changed(), 50,
                Optional.of(IntegrationsAccess.deviceListFeed(ca, fed)));
    }

    private List<String> entries(String endpoint) {
        return new DeviceAllowList(running.ca().database(), Clock.systemUTC()).list(endpoint).stream()
                .map(e -> e.deviceId() + " " + e.addedBy()).toList();
    }

    private List<Map<String, String>> syncLines() {
        return audit.list.stream().map(e -> AuditLine.parse(e.getFormattedMessage()))
                .filter(l -> "acme-device-sync".equals(l.get("op"))).toList();
    }

    private JamfDeviceSync sync() {
        CertificateAuthority ca = running.ca();
        JamfClient client = new JamfClient(jamf.url(), "scepca-sync", "client-secret",
                Optional.of(jamf.clientTls()), Clock.systemUTC(), 100);
        JamfDeviceSync.ActiveCertificates active = () -> jamfDevices.entrySet().stream()
                .filter(e -> ca.certificates().find(e.getKey()).orElseThrow().status() == CertificateStatus.VALID)
                .map(e -> new DeviceCertificate(e.getKey(), e.getValue())).toList();
        return new JamfDeviceSync(client, active,
                (serial, reason, actor, device) -> ca.revocation().revoke(serial, reason, actor, device).changed(), 50);
    }

    private static JamfDevice mac(String id, String serial, String udid) {
        return new JamfDevice(JamfDevice.Kind.COMPUTER, id, Optional.of(serial), Optional.of(udid));
    }

    @Test
    void aMacDeletedFromJamf_isRevokedOnTheSecondRead_onTheCrl_withOneAuditLineNamingIt() {
        BigInteger kept = issueFor("C02KEEP0001", "UDID-KEEP");
        BigInteger gone = issueFor("C02GONE0002", "UDID-GONE");
        jamf.computers(List.of(mac("1", "C02KEEP0001", "UDID-KEEP"), mac("2", "C02GONE0002", "UDID-GONE")));
        JamfDeviceSync sync = sync();
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.SYNCED);

        jamf.computers(List.of(mac("1", "C02KEEP0001", "UDID-KEEP")));
        assertThat(sync.runOnce().revoked()).isEmpty();
        assertThat(running.ca().certificates().find(gone).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);

        assertThat(sync.runOnce().revoked()).containsExactly(gone);
        var record = running.ca().certificates().find(gone).orElseThrow();
        assertThat(record.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(record.revocationReason()).contains(RevocationReason.CESSATION_OF_OPERATION);
        assertThat(running.ca().crls().current().crl().getRevokedCertificate(gone)).isNotNull();
        assertThat(running.ca().certificates().find(kept).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);

        List<Map<String, String>> revokes = audit.list.stream().map(e -> AuditLine.parse(e.getFormattedMessage()))
                .filter(l -> "revoke".equals(l.get("op"))).toList();
        assertThat(revokes).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("serial", gone.toString(16)).containsEntry("subject", record.subjectDn())
                .containsEntry("reason", "cessationOfOperation").containsEntry("actor", "jamf-sync")
                .containsEntry("endpoint", "internal").containsEntry("outcome", "revoked")
                .containsEntry("device", "C02GONE0002,UDID-GONE"));

        assertThat(sync.runOnce().revoked()).isEmpty(); // revoked certificates are no longer candidates
    }

    @Test
    void theAllowListFollowsJamfsInventory_handEntriesStay_andAFailedReadChangesNothing() {
        DeviceAllowList lists = new DeviceAllowList(running.ca().database(), Clock.systemUTC());
        lists.add("devices", List.of("HANDADDED01"), "cli:ops");
        jamf.computers(List.of(new JamfDevice(JamfDevice.Kind.COMPUTER, "1", Optional.of("C02MAC00001"),
                Optional.of("564d0001-udid"))));
        jamf.mobileDevices(List.of(new JamfDevice(JamfDevice.Kind.MOBILE_DEVICE, "7", Optional.of("DMPIPAD0007"),
                Optional.of("00008103-000A0007"))));
        JamfDeviceSync sync = syncFeedingLists();

        // No certificate names a Jamf device, yet the inventory is read: the list wants it.
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.SYNCED);
        assertThat(entries("devices")).containsExactly("00008103-000A0007 jamf-sync", "564D0001-UDID jamf-sync",
                "C02MAC00001 jamf-sync", "DMPIPAD0007 jamf-sync", "HANDADDED01 cli:ops");
        assertThat(entries("hand")).as("an endpoint without acme-device-list-from").isEmpty();
        assertThat(syncLines()).singleElement().satisfies(l -> assertThat(l).containsEntry("acme_endpoint", "devices")
                .containsEntry("added", "4").containsEntry("removed", "0").containsEntry("actor", "jamf-sync")
                .containsEntry("outcome", "synced"));

        // The same inventory again: nothing changes, no audit line.
        sync.runOnce();
        assertThat(syncLines()).hasSize(1);

        // Jamf unreachable: the list stays as it was.
        jamf.failPage(FakeJamfPro.COMPUTERS, 0, 500);
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.READ_FAILED);
        assertThat(entries("devices")).hasSize(5);

        // The iPad is deleted from Jamf: it can no longer enroll; the hand-listed device still can.
        jamf.mobileDevices(List.of());
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.SYNCED);
        assertThat(entries("devices")).containsExactly("564D0001-UDID jamf-sync", "C02MAC00001 jamf-sync",
                "HANDADDED01 cli:ops");
        assertThat(lists.containsAny("devices", List.of("DMPIPAD0007"))).isFalse();
        assertThat(syncLines()).hasSize(2);
        assertThat(syncLines().get(1)).containsEntry("added", "0").containsEntry("removed", "2");
    }

    @Test
    void aListFromJamfWithoutTheJamfDeviceSync_stopsTheServerNamingTheKey() throws Exception {
        running.close();
        assertThatThrownBy(() -> Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config(true),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0)))
                .hasMessageContaining("endpoint.devices.acme-device-list-from = jamf")
                .hasMessageContaining("jamf.device-sync-interval");
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, config(false),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        assertThat(IntegrationsAccess.jamfFedDeviceLists(running.ca())).isEmpty();
    }
}
