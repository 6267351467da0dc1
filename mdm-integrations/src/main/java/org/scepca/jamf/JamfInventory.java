package org.scepca.jamf;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A complete read of Jamf Pro's computers and mobile devices (a partial read is a {@link JamfException}, never this). */
public record JamfInventory(List<JamfDevice> devices) {
    public JamfInventory {
        devices = List.copyOf(Objects.requireNonNull(devices, "devices is null"));
    }

    /** Every serial number and UDID in the inventory, {@linkplain JamfDevice#normalize normalized}. */
    public Set<String> identifiers() {
        Set<String> ids = new HashSet<>();
        for (JamfDevice d : devices) {
            d.serialNumber().map(JamfDevice::normalize).ifPresent(ids::add);
            d.udid().map(JamfDevice::normalize).ifPresent(ids::add);
        }
        return ids;
    }
}
