package org.scepca.server.admin;

import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.audit.AuditLine;

/**
 * One device on an ACME endpoint's device-attest-01 allow-list, as the admin API and {@code scepca acme devices list
 * --json} show it.
 */
public record AcmeDeviceView(String endpoint, String device, String addedAt, String addedBy) {
    public static AcmeDeviceView of(DeviceAllowList.Entry e) {
        return new AcmeDeviceView(e.endpoint(), e.deviceId(), e.addedAt().toString(), e.addedBy());
    }

    /**
     * The audit fields of one allow-list change ({@code acme-device-add}, {@code acme-device-remove}): one line per
     * device, so that the trail answers "who let this device in, and when" by the device column.
     */
    public static AuditLine change(AuditLine line, String endpoint, String device, String outcome) {
        return line.token("acme_endpoint", endpoint).token("device", device).token("outcome", outcome)
                .token("serial", "-").text("subject", "-");
    }
}
