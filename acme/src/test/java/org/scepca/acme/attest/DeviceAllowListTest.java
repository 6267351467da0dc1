package org.scepca.acme.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.acme.attest.TestAttestations.permanent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.acme.AcmeProblem;
import org.scepca.ca.store.Database;

/** The device allow-list on a real H2 store (V13), and the endpoint policy applied to verified attestations. */
class DeviceAllowListTest {
    static final Instant NOW = AppleDeviceAttestationTest.NOW;
    static final String TOKEN = AppleDeviceAttestationTest.TOKEN;

    @TempDir
    Path dir;
    Database db;
    DeviceAllowList list;

    @BeforeEach
    void open() {
        db = Database.openH2(dir, dir.resolve("pw"), 2);
        list = new DeviceAllowList(db, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void addListContainsRemove_perEndpoint() {
        assertThat(list.add("ios", List.of("c02xl0ghjgh5", "00008030-001a2d3e0c38802e"), "cli:ops"))
                .containsExactly("C02XL0GHJGH5", "00008030-001A2D3E0C38802E");
        // Adding a listed device again (in any case) keeps the first entry and reports nothing new.
        assertThat(list.add("ios", List.of("C02XL0GHJGH5", "F2LXK1ABCDEF"), "api:other"))
                .containsExactly("F2LXK1ABCDEF");

        assertThat(list.list("ios")).extracting(DeviceAllowList.Entry::deviceId)
                .containsExactly("00008030-001A2D3E0C38802E", "C02XL0GHJGH5", "F2LXK1ABCDEF");
        DeviceAllowList.Entry first = list.list("ios").get(1);
        assertThat(first.addedBy()).isEqualTo("cli:ops");
        assertThat(first.addedAt()).isEqualTo(NOW);

        assertThat(list.contains("ios", "C02XL0GHJGH5")).isTrue();
        assertThat(list.contains("ios", "00008030-001a2d3e0c38802e")).isTrue();
        assertThat(list.contains("macs", "C02XL0GHJGH5")).isFalse();
        assertThat(list.contains("ios", "C02XL0GHJGH6")).isFalse();
        assertThat(list.contains("ios", "not an id")).isFalse();
        assertThat(list.list("macs")).isEmpty();

        assertThat(list.remove("ios", List.of("c02xl0ghjgh5", "NEVERLISTED1"))).containsExactly("C02XL0GHJGH5");
        assertThat(list.remove("ios", List.of("C02XL0GHJGH5"))).isEmpty();
        assertThat(list.contains("ios", "C02XL0GHJGH5")).isFalse();
        assertThat(list.list("ios")).hasSize(2);
    }

    @Test
    void mirror_followsTheInventory_butNeverTouchesEntriesAddedByHand() {
        list.add("ios", List.of("HANDADDED01", "BOTH0000001"), "cli:ops");
        DeviceAllowList.Mirrored first = list.mirror("ios", List.of("c02xl0ghjgh5", "BOTH0000001", "F2LXK1ABCDEF",
                "not a device"), "jamf-sync");
        assertThat(first).isEqualTo(new DeviceAllowList.Mirrored(2, 0, 1));
        assertThat(list.list("ios")).extracting(e -> e.deviceId() + " " + e.addedBy()).containsExactly(
                "BOTH0000001 cli:ops", "C02XL0GHJGH5 jamf-sync", "F2LXK1ABCDEF jamf-sync", "HANDADDED01 cli:ops");
        // The same read again changes nothing.
        assertThat(list.mirror("ios", List.of("C02XL0GHJGH5", "BOTH0000001", "F2LXK1ABCDEF"), "jamf-sync").changed())
                .isFalse();
        // Devices gone from the inventory leave the list, unless a person listed them; other endpoints are untouched.
        list.add("macs", List.of("F2LXK1ABCDEF"), "jamf-sync");
        assertThat(list.mirror("ios", List.of("NEWDEVICE01"), "jamf-sync"))
                .isEqualTo(new DeviceAllowList.Mirrored(1, 2, 0));
        assertThat(list.list("ios")).extracting(e -> e.deviceId() + " " + e.addedBy()).containsExactly(
                "BOTH0000001 cli:ops", "HANDADDED01 cli:ops", "NEWDEVICE01 jamf-sync");
        assertThat(list.contains("macs", "F2LXK1ABCDEF")).isTrue();
    }

    @Test
    void mirror_writesALargeInventoryInBoundedTransactions() {
        List<String> fleet = new java.util.ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            fleet.add(String.format("C02%09d", i));
        }
        assertThat(list.mirror("ios", fleet, "jamf-sync")).isEqualTo(new DeviceAllowList.Mirrored(2_500, 0, 0));
        assertThat(list.list("ios")).hasSize(2_500);
        assertThat(list.mirror("ios", fleet.subList(0, 10), "jamf-sync"))
                .isEqualTo(new DeviceAllowList.Mirrored(0, 2_490, 0));
        assertThat(list.list("ios")).hasSize(10);
    }

    @Test
    void aChangeWithOneBadValueChangesNothing() {
        assertThatThrownBy(() -> list.add("ios", List.of("C02XL0GHJGH5", "bad value"), "cli:ops"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"bad value\"");
        assertThat(list.list("ios")).isEmpty();
        assertThatThrownBy(() -> list.add("IOS!", List.of("C02XL0GHJGH5"), "cli:ops"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint name");
        assertThatThrownBy(() -> list.add("ios", List.of(), "cli:ops"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no serial number");
        assertThatThrownBy(() -> list.add("ios", List.of("A".repeat(65)), "cli:ops"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void policy_anyAdmitsEveryAttestedDevice_allowListOnlyListedOnes() {
        TestAttestations pki = new TestAttestations(Clock.fixed(NOW, ZoneOffset.UTC));
        AttestedDevice device = pki.verifier().verify(pki.leaf(TOKEN).attestationObject(), TOKEN,
                permanent(TestAttestations.SERIAL));

        DevicePolicy.ANY.requireAdmitted("ios", device, list);
        assertThatThrownBy(() -> DevicePolicy.ALLOW_LIST.requireAdmitted("ios", device, list))
                .isInstanceOfSatisfying(AcmeProblem.class, p -> {
                    assertThat(p.type()).isEqualTo(AcmeProblem.Type.REJECTED_IDENTIFIER);
                    assertThat(p.detail()).contains("not on the endpoint's list");
                });

        // The order named the serial number; the listed UDID (attested alongside) admits the device too.
        list.add("ios", List.of(TestAttestations.UDID.toLowerCase()), "cli:ops");
        DevicePolicy.ALLOW_LIST.requireAdmitted("ios", device, list);
        assertThatThrownBy(() -> DevicePolicy.ALLOW_LIST.requireAdmitted("macs", device, list))
                .isInstanceOf(AcmeProblem.class);

        list.remove("ios", List.of(TestAttestations.UDID));
        list.add("ios", List.of(TestAttestations.SERIAL), "cli:ops");
        DevicePolicy.ALLOW_LIST.requireAdmitted("ios", device, list);
    }

    @Test
    void policyValues() {
        assertThat(DevicePolicy.parse("any")).isEqualTo(DevicePolicy.ANY);
        assertThat(DevicePolicy.parse(" Allow-List ")).isEqualTo(DevicePolicy.ALLOW_LIST);
        assertThatThrownBy(() -> DevicePolicy.parse("all")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"any\" or \"allow-list\"");
    }
}
