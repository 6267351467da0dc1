package org.scepca.jamf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scepca.jamf.JamfDevice.Kind;
import org.scepca.jamf.JamfDeviceSync.DeviceCertificate;
import org.scepca.jamf.JamfDeviceSync.Outcome;
import org.scepca.jamf.JamfDeviceSync.Report;
import org.scepca.jamf.testing.FakeJamfPro;
import org.scepca.ca.testing.MutableClock;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The device sync against a fake Jamf Pro over HTTPS through the real client; the CA side (active certificates,
 * revocation) is a list and a recorder, which is what the sync sees of it.
 */
class JamfDeviceSyncTest {
    private FakeJamfPro jamf;
    private JamfClient client;
    /** The CA's active certificates naming Jamf devices; revocations remove them, as the store would. */
    private final List<DeviceCertificate> active = new CopyOnWriteArrayList<>();
    private final List<String> revocations = new CopyOnWriteArrayList<>();
    private final Set<BigInteger> failingSerials = new java.util.concurrent.CopyOnWriteArraySet<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private final JamfDeviceSync.Revoker revoker = (serial, reason, actor, device) -> {
        if (failingSerials.contains(serial)) {
            throw new IllegalStateException("store unavailable");
        }
        revocations.add(serial.toString(16) + " " + reason.rfcName() + " " + actor + " " + device);
        return active.removeIf(c -> c.serial().equals(serial));
    };

    @BeforeEach
    void start() throws Exception {
        jamf = FakeJamfPro.start("client", "secret");
        client = new JamfClient(jamf.url(), "client", "secret", Optional.of(jamf.clientTls()),
                new MutableClock(Instant.parse("2026-03-01T10:00:00Z")), 2);
        log.start();
        Logger l = (Logger) LoggerFactory.getLogger(JamfDeviceSync.class);
        l.setLevel(Level.INFO);
        l.addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(JamfDeviceSync.class)).detachAppender(log);
        jamf.close();
    }

    private JamfDeviceSync sync(int max) {
        return new JamfDeviceSync(client, () -> List.copyOf(active), revoker, max);
    }

    private static JamfDevice mac(int id) {
        return new JamfDevice(Kind.COMPUTER, String.valueOf(id), Optional.of("C02MAC" + id),
                Optional.of("564D" + id + "-UDID"));
    }

    private static JamfDevice ipad(int id) {
        return new JamfDevice(Kind.MOBILE_DEVICE, String.valueOf(id), Optional.of("DMPIPAD" + id),
                Optional.of("00008103-IPAD" + id));
    }

    private static DeviceCertificate cert(long serial, String... deviceIds) {
        return new DeviceCertificate(BigInteger.valueOf(serial), Set.of(deviceIds));
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aDeviceMissingInOneSync_isKept_missingInTwo_isRevokedWithCessationOfOperation() {
        jamf.computers(List.of(mac(1), mac(2), mac(3)));
        jamf.mobileDevices(List.of(ipad(1)));
        active.addAll(List.of(cert(0x11, "C02MAC1"), cert(0x12, "C02MAC2"), cert(0x13, "00008103-IPAD1"),
                cert(0x14, "C02MAC2")));
        JamfDeviceSync sync = sync(50);
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.SYNCED);

        jamf.computers(List.of(mac(1), mac(3))); // Mac 2 deleted from Jamf
        Report first = sync.runOnce();
        assertThat(first.missingOnce()).containsExactlyInAnyOrder(BigInteger.valueOf(0x12), BigInteger.valueOf(0x14));
        assertThat(first.revoked()).isEmpty();
        assertThat(revocations).isEmpty();

        Report second = sync.runOnce();
        assertThat(second.outcome()).isEqualTo(Outcome.SYNCED);
        assertThat(second.revoked()).containsExactlyInAnyOrder(BigInteger.valueOf(0x12), BigInteger.valueOf(0x14));
        assertThat(revocations).containsExactlyInAnyOrder("12 cessationOfOperation jamf-sync C02MAC2",
                "14 cessationOfOperation jamf-sync C02MAC2");
        assertThat(active).extracting(DeviceCertificate::serial)
                .containsExactlyInAnyOrder(BigInteger.valueOf(0x11), BigInteger.valueOf(0x13));

        assertThat(sync.runOnce().revoked()).isEmpty(); // nothing left to revoke
        assertThat(revocations).hasSize(2);
    }

    @Test
    void aDeviceThatComesBack_startsOver() {
        jamf.computers(List.of(mac(1)));
        active.add(cert(0x21, "C02MAC9"));
        JamfDeviceSync sync = sync(50);
        assertThat(sync.runOnce().missingOnce()).containsExactly(BigInteger.valueOf(0x21));
        jamf.computers(List.of(mac(1), mac(9)));
        assertThat(sync.runOnce().missingOnce()).isEmpty();
        jamf.computers(List.of(mac(1)));
        assertThat(sync.runOnce().revoked()).isEmpty(); // missing once again, not twice in a row
        assertThat(sync.runOnce().revoked()).containsExactly(BigInteger.valueOf(0x21));
    }

    @Test
    void aCertificateNamingSerialAndUdid_isKeptWhileEitherIsInJamf_andIdentifiersIgnoreCase() {
        // Re-enrolled: the UDID Jamf knows is new, the serial number is the same.
        jamf.computers(List.of(new JamfDevice(Kind.COMPUTER, "7", Optional.of("C02MAC7"), Optional.of("NEW-UDID"))));
        jamf.mobileDevices(List.of(ipad(3)));
        active.add(cert(0x31, "C02MAC7", "OLD-UDID"));
        active.add(cert(0x32, "00008103-ipad3")); // recorded in lower case
        JamfDeviceSync sync = sync(50);
        sync.runOnce();
        Report r = sync.runOnce();
        assertThat(r.missingOnce()).isEmpty();
        assertThat(r.revoked()).isEmpty();
    }

    @Test
    void aFailedRead_revokesNothing_andNeitherCountsNorResetsTheFirstMiss() {
        jamf.computers(List.of(mac(1), mac(2), mac(3)));
        active.addAll(List.of(cert(0x41, "C02MAC1"), cert(0x42, "C02MAC4")));
        JamfDeviceSync sync = sync(50);
        assertThat(sync.runOnce().missingOnce()).containsExactly(BigInteger.valueOf(0x42));

        jamf.failPage(FakeJamfPro.COMPUTERS, 1, 500);
        Report failed = sync.runOnce();
        assertThat(failed.outcome()).isEqualTo(Outcome.READ_FAILED);
        assertThat(failed.detail()).contains("HTTP 500").contains("nothing revoked");
        assertThat(revocations).isEmpty();
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("nothing revoked"));

        assertThat(sync.runOnce().revoked()).containsExactly(BigInteger.valueOf(0x42));
    }

    @Test
    void aPartialRead_revokesNothing_evenForADeviceMissingBefore() {
        jamf.computers(List.of(mac(1), mac(2), mac(3)));
        active.addAll(List.of(cert(0x51, "C02MAC3"), cert(0x52, "C02MAC8")));
        JamfDeviceSync sync = sync(50);
        sync.runOnce();
        // Page 1 (Mac 3) comes back empty while Jamf still counts three: Mac 3 would look deleted, and Mac 8's second
        // miss would be read from an incomplete inventory.
        jamf.shortPage(FakeJamfPro.COMPUTERS, 1);
        Report partial = sync.runOnce();
        assertThat(partial.outcome()).isEqualTo(Outcome.READ_FAILED);
        assertThat(revocations).isEmpty();
    }

    @Test
    void anInventoryThatChangesWhileRead_revokesNothing() {
        jamf.computers(List.of(mac(1), mac(2), mac(3)));
        active.add(cert(0x55, "C02MAC9"));
        JamfDeviceSync sync = sync(50);
        sync.runOnce();
        jamf.totalCountGrowsFromPage(FakeJamfPro.COMPUTERS, 1);
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.READ_FAILED);
        assertThat(revocations).isEmpty();
    }

    @Test
    void moreRevocationsThanTheLimit_revokesNone_andWarns_untilTheLimitAllowsThem() {
        jamf.computers(List.of(mac(1)));
        active.addAll(List.of(cert(0x61, "C02MAC1"), cert(0x62, "C02MAC2"), cert(0x63, "C02MAC3"),
                cert(0x64, "C02MAC4")));
        JamfDeviceSync sync = sync(2);
        assertThat(sync.runOnce().missingOnce()).hasSize(3);
        Report refused = sync.runOnce();
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.detail()).contains("3 certificates").contains("jamf.max-revocations-per-run=2");
        assertThat(revocations).isEmpty();
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("nothing revoked"));
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.REFUSED); // still three: still refused

        jamf.computers(List.of(mac(1), mac(2))); // one of them was not deleted after all
        assertThat(sync.runOnce().revoked()).containsExactlyInAnyOrder(BigInteger.valueOf(0x63),
                BigInteger.valueOf(0x64));
    }

    @Test
    void exactlyTheLimit_isRevoked() {
        jamf.computers(List.of(mac(1)));
        active.addAll(List.of(cert(0x65, "C02MAC5"), cert(0x66, "C02MAC6")));
        JamfDeviceSync sync = sync(2);
        sync.runOnce();
        assertThat(sync.runOnce().revoked()).hasSize(2);
    }

    @Test
    void anInventoryWithoutASingleIdentifier_revokesNothing() {
        active.add(cert(0x71, "C02MAC1"));
        JamfDeviceSync sync = sync(50);
        // Jamf answers, but sees no device (an API role scoped to an empty site): every device looks deleted.
        for (int i = 0; i < 3; i++) {
            Report r = sync.runOnce();
            assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
            assertThat(r.detail()).contains("nothing revoked");
        }
        assertThat(revocations).isEmpty();
    }

    @Test
    void withoutJamfCertificates_jamfIsNotAsked() {
        assertThat(sync(50).runOnce().outcome()).isEqualTo(Outcome.NOTHING_TO_CHECK);
        assertThat(jamf.requests()).isEmpty();
    }

    @Test
    void aListener_isToldEveryCompleteNonEmptyRead_evenWithoutJamfCertificates_andNoOtherRead() {
        List<Set<String>> told = new ArrayList<>();
        JamfDeviceSync sync = new JamfDeviceSync(client, () -> List.copyOf(active), revoker, 50,
                Optional.of(told::add));
        // Nothing to revoke, but the allow-lists want the inventory: Jamf is read.
        jamf.computers(List.of(mac(1)));
        jamf.mobileDevices(List.of(ipad(2)));
        Report r = sync.runOnce();
        assertThat(r.outcome()).isEqualTo(Outcome.SYNCED);
        assertThat(r.detail()).contains("2 devices in Jamf Pro");
        assertThat(told).containsExactly(Set.of("C02MAC1", "564D1-UDID", "DMPIPAD2", "00008103-IPAD2"));

        // A failed read, a partial read and an empty inventory tell it nothing: no list shrinks for lack of a read.
        jamf.failPage(FakeJamfPro.COMPUTERS, 0, 500);
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.READ_FAILED);
        jamf.computers(List.of(mac(1), mac(2), mac(3)));
        jamf.shortPage(FakeJamfPro.COMPUTERS, 1);
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.READ_FAILED);
        jamf.computers(List.of());
        jamf.mobileDevices(List.of());
        Report empty = sync.runOnce();
        assertThat(empty.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(empty.detail()).contains("no device list changed");
        assertThat(told).hasSize(1);

        // With certificates too, the listener hears first, and revocation goes on as without it.
        jamf.computers(List.of(mac(1)));
        active.add(cert(0x91, "C02MAC9"));
        assertThat(sync.runOnce().missingOnce()).containsExactly(BigInteger.valueOf(0x91));
        assertThat(told).hasSize(2);
    }

    @Test
    void aListenerThatThrows_isLogged_andTheRevocationsStillHappen() {
        jamf.computers(List.of(mac(1)));
        active.add(cert(0xa1, "C02MAC7"));
        JamfDeviceSync sync = new JamfDeviceSync(client, () -> List.copyOf(active), revoker, 50,
                Optional.of(ids -> {
                    throw new IllegalStateException("store unavailable");
                }));
        sync.runOnce();
        assertThat(sync.runOnce().revoked()).containsExactly(BigInteger.valueOf(0xa1));
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("device lists").contains("store unavailable"));
    }

    @Test
    void aRevocationThatFails_isRetriedOnTheNextRun_andTheOthersProceed() {
        jamf.computers(List.of(mac(1)));
        active.addAll(List.of(cert(0x81, "C02MAC8"), cert(0x82, "C02MAC9")));
        failingSerials.add(BigInteger.valueOf(0x81));
        JamfDeviceSync sync = sync(50);
        sync.runOnce();
        Report r = sync.runOnce();
        assertThat(r.revoked()).containsExactly(BigInteger.valueOf(0x82));
        assertThat(r.detail()).contains("1 failed");
        failingSerials.clear();
        assertThat(sync.runOnce().revoked()).containsExactly(BigInteger.valueOf(0x81));
    }

    @Test
    void run_neverThrows_soTheScheduleSurvives() {
        List<String> calls = new ArrayList<>();
        JamfDeviceSync sync = new JamfDeviceSync(client, () -> {
            calls.add("called");
            throw new IllegalStateException("database closed");
        }, revoker, 50);
        sync.run();
        assertThat(calls).hasSize(1);
    }

    @Test
    void deviceCertificate_needsAnIdentifier_andNormalizesThem() {
        assertThat(cert(1, " c02mac1 ", "abc-def").deviceIds()).containsExactlyInAnyOrder("C02MAC1", "ABC-DEF");
        assertThat(cert(1, "B", "A").device()).isEqualTo("A,B");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cert(1, " "))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cert(0, "A"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
