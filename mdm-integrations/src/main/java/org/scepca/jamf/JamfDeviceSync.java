package org.scepca.jamf;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.scepca.ca.revocation.RevocationReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes the certificates of devices deleted from Jamf Pro (reason cessationOfOperation). The server schedules it
 * every {@code jamf.device-sync-interval} minutes; each run reads Jamf's whole inventory, compares it with the active
 * certificates whose record names a Jamf device, and revokes those whose device Jamf no longer has.
 *
 * <p>A wrong revocation locks a working device out of the network, a late one only leaves a certificate valid a
 * little longer, so the sync errs on the side of revoking nothing:
 * <ul>
 * <li>a read that failed or was partial ({@link JamfException}) revokes nothing;</li>
 * <li>an inventory without a single serial number or UDID revokes nothing (an API role that sees no device, a site
 * filter, a changed field name all look like "everything was deleted");</li>
 * <li>a certificate is revoked only when its device was missing in two consecutive successful reads (failed reads in
 * between neither count nor reset); the first miss is remembered in memory only, so after a restart it takes two
 * more reads;</li>
 * <li>a run that would revoke more than {@code maxRevocationsPerRun} certificates revokes none and warns: a mass
 * deletion in Jamf is rare enough to deserve a human (raise {@code jamf.max-revocations-per-run}, or revoke by hand).
 * </li>
 * </ul>
 * A certificate names its device by serial number and/or UDID; the device counts as present if any of them is in
 * the inventory (a re-enrolled device may have a new UDID but keeps its serial number).
 *
 * <p>Each revocation is one audit line, written by the {@link Revoker} with actor {@value #ACTOR} and the device.
 *
 * <p>An {@link InventoryListener} (the ACME device allow-lists fed from Jamf, {@code acme-device-list-from=jamf}) is
 * handed the inventory's serial numbers and UDIDs after every complete read that holds at least one, before any
 * revocation; with a listener the inventory is read even when no certificate names a Jamf device. A failed, partial
 * or empty read reaches no listener, so nothing is taken off a list because Jamf could not be read.
 */
public final class JamfDeviceSync implements Runnable {
    public static final String ACTOR = "jamf-sync";
    public static final RevocationReason REASON = RevocationReason.CESSATION_OF_OPERATION;
    private static final Logger LOG = LoggerFactory.getLogger(JamfDeviceSync.class);

    /** Jamf Pro's inventory ({@link JamfClient}). */
    @FunctionalInterface
    public interface InventorySource {
        /** The whole inventory, or an exception: never part of it. */
        JamfInventory readInventory() throws JamfException;
    }

    /** Told the identifiers of each complete, non-empty inventory read. Its exceptions are logged, not thrown. */
    @FunctionalInterface
    public interface InventoryListener {
        /** @param identifiers every serial number and UDID in the inventory, {@linkplain JamfDevice#normalize normalized} */
        void inventoryRead(Set<String> identifiers);
    }

    /**
     * An active certificate whose record names a Jamf device.
     *
     * @param serial    the certificate's serial number
     * @param deviceIds the device's serial number and/or UDID as recorded with the certificate (from Jamf's
     *                  SCEPChallenge event); compared {@linkplain JamfDevice#normalize normalized}
     */
    public record DeviceCertificate(BigInteger serial, Set<String> deviceIds) {
        public DeviceCertificate {
            Objects.requireNonNull(serial, "serial is null");
            Objects.requireNonNull(deviceIds, "deviceIds is null");
            if (serial.signum() <= 0) {
                throw new IllegalArgumentException("serial must be positive");
            }
            Set<String> ids = new TreeSet<>();
            for (String id : deviceIds) {
                Objects.requireNonNull(id, "a device id is null");
                if (!id.isBlank()) {
                    ids.add(JamfDevice.normalize(id));
                }
            }
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("a device certificate needs a device serial number or UDID");
            }
            deviceIds = Set.copyOf(ids);
        }

        /** The device as the audit line names it: its identifiers, sorted, comma-separated. */
        public String device() {
            return String.join(",", new TreeSet<>(deviceIds));
        }
    }

    /** The CA's side: which active certificates name a Jamf device. */
    @FunctionalInterface
    public interface ActiveCertificates {
        List<DeviceCertificate> activeJamfCertificates();
    }

    /**
     * Revokes one certificate: durably, with the CRL republished, and writes its audit line naming {@code actor} and
     * {@code device} ({@code RevocationService.revoke(serial, reason, actor, device)} does all three).
     *
     * @return true if it was revoked now, false if it already was
     */
    @FunctionalInterface
    public interface Revoker {
        boolean revoke(BigInteger serial, RevocationReason reason, String actor, String device);
    }

    public enum Outcome {
        /** No active certificate names a Jamf device: Jamf was not asked. */
        NOTHING_TO_CHECK,
        /** Jamf's inventory could not be read completely: nothing revoked. */
        READ_FAILED,
        /** The read succeeded but revoking would be unsafe (empty inventory, over the limit): nothing revoked. */
        REFUSED,
        /** Compared; {@link Report#revoked} lists what was revoked (maybe nothing). */
        SYNCED
    }

    /**
     * What one run did.
     *
     * @param missingOnce certificates whose device is missing for the first time (revoked next run if still missing)
     * @param revoked     certificates revoked by this run
     * @param detail      why it read, refused or failed; safe to log
     */
    public record Report(Outcome outcome, int inventoryDevices, int certificates, List<BigInteger> missingOnce,
            List<BigInteger> revoked, String detail) {
        public Report {
            Objects.requireNonNull(outcome, "outcome is null");
            missingOnce = List.copyOf(missingOnce);
            revoked = List.copyOf(revoked);
            Objects.requireNonNull(detail, "detail is null");
        }
    }

    private final InventorySource inventory;
    private final ActiveCertificates certificates;
    private final Revoker revoker;
    private final int maxRevocationsPerRun;
    private final java.util.Optional<InventoryListener> listener;
    /** Certificates whose device was missing in the last successful read. */
    private Set<BigInteger> missingLastTime = Set.of();

    public JamfDeviceSync(InventorySource inventory, ActiveCertificates certificates, Revoker revoker,
            int maxRevocationsPerRun) {
        this(inventory, certificates, revoker, maxRevocationsPerRun, java.util.Optional.empty());
    }

    public JamfDeviceSync(InventorySource inventory, ActiveCertificates certificates, Revoker revoker,
            int maxRevocationsPerRun, java.util.Optional<InventoryListener> listener) {
        this.listener = Objects.requireNonNull(listener, "listener is null");
        this.inventory = Objects.requireNonNull(inventory, "inventory is null");
        this.certificates = Objects.requireNonNull(certificates, "certificates is null");
        this.revoker = Objects.requireNonNull(revoker, "revoker is null");
        if (maxRevocationsPerRun < 1) {
            throw new IllegalArgumentException("maxRevocationsPerRun must be at least 1");
        }
        this.maxRevocationsPerRun = maxRevocationsPerRun;
    }

    /** For a scheduled executor: never throws (an exception would cancel the schedule). */
    @Override
    public void run() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.error("Jamf device sync failed: {}", e.toString());
        }
    }

    public synchronized Report runOnce() {
        List<DeviceCertificate> held = certificates.activeJamfCertificates();
        if (held.isEmpty()) {
            missingLastTime = Set.of();
            if (listener.isEmpty()) {
                return new Report(Outcome.NOTHING_TO_CHECK, 0, 0, List.of(), List.of(),
                        "no active certificate names a Jamf device");
            }
        }
        JamfInventory read;
        try {
            read = inventory.readInventory();
        } catch (JamfException | RuntimeException e) {
            String detail = "reading Jamf Pro's inventory failed, nothing revoked: " + e.getMessage();
            LOG.warn("Jamf device sync: {}", detail);
            return new Report(Outcome.READ_FAILED, 0, held.size(), List.of(), List.of(), detail);
        }
        Set<String> present = read.identifiers();
        if (present.isEmpty()) {
            // Not counted as a successful read: the misses it would record are not believable.
            String detail = "Jamf Pro's inventory (" + read.devices().size() + " devices) holds no serial number or"
                    + " UDID while " + held.size() + " certificates name Jamf devices; nothing revoked"
                    + (listener.isPresent() ? " and no device list changed" : "") + " (check the API role's privileges"
                    + " and site)";
            LOG.warn("Jamf device sync: {}", detail);
            return new Report(Outcome.REFUSED, read.devices().size(), held.size(), List.of(), List.of(), detail);
        }
        listener.ifPresent(l -> {
            try {
                l.inventoryRead(present);
            } catch (RuntimeException e) {
                LOG.warn("Jamf device sync: updating the device lists from the inventory failed: {}", e.toString());
            }
        });
        if (held.isEmpty()) {
            return new Report(Outcome.SYNCED, read.devices().size(), 0, List.of(), List.of(), read.devices().size()
                    + " devices in Jamf Pro, no certificate naming a Jamf device");
        }
        List<DeviceCertificate> missing = held.stream()
                .filter(c -> c.deviceIds().stream().noneMatch(present::contains)).toList();
        List<DeviceCertificate> due = missing.stream().filter(c -> missingLastTime.contains(c.serial())).toList();
        List<BigInteger> missingOnce = missing.stream().map(DeviceCertificate::serial)
                .filter(s -> !missingLastTime.contains(s)).toList();
        Set<BigInteger> nowMissing = new HashSet<>();
        missing.forEach(c -> nowMissing.add(c.serial()));
        missingLastTime = Set.copyOf(nowMissing);
        if (due.size() > maxRevocationsPerRun) {
            String detail = due.size() + " certificates belong to devices missing from Jamf Pro in two reads, more than "
                    + JamfConfig.MAX_REVOCATIONS_PER_RUN + "=" + maxRevocationsPerRun + "; nothing revoked. If the"
                    + " devices really were deleted, raise the limit or revoke them by hand";
            LOG.warn("Jamf device sync: {}", detail);
            return new Report(Outcome.REFUSED, read.devices().size(), held.size(), missingOnce, List.of(), detail);
        }
        List<BigInteger> revoked = new ArrayList<>();
        int failed = 0;
        for (DeviceCertificate c : due) {
            try {
                if (revoker.revoke(c.serial(), REASON, ACTOR, c.device())) {
                    revoked.add(c.serial());
                }
            } catch (RuntimeException e) {
                failed++;
                LOG.warn("Jamf device sync: revoking {} failed: {}", c.serial().toString(16), e.toString());
            }
        }
        String detail = read.devices().size() + " devices in Jamf Pro, " + held.size() + " certificates naming Jamf"
                + " devices, " + missingOnce.size() + " missing for the first time, " + revoked.size() + " revoked"
                + (failed > 0 ? ", " + failed + " failed" : "");
        if (!revoked.isEmpty() || !missingOnce.isEmpty() || failed > 0) {
            LOG.info("Jamf device sync: {}", detail);
        }
        return new Report(Outcome.SYNCED, read.devices().size(), held.size(), missingOnce, revoked, detail);
    }
}
