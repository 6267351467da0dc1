package org.scepca.server.admin;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.tokens.AdminRole;

/**
 * The device-attest-01 allow-lists of ACME endpoints (issue 15): viewers read them, admins change them. A change is
 * durable before the 2xx, and each device added or removed writes one audit line.
 */
final class AcmeDevicesApi {
    /** Up to {@link DeviceAllowList#MAX_PER_CHANGE} ids of up to 64 characters, quoted, with commas. */
    static final int MAX_BODY_BYTES = 72 * 1024;

    private final CertificateAuthority ca;

    AcmeDevicesApi(CertificateAuthority ca) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
    }

    /** Made per call: listing the routes (the OpenAPI test) must not touch the CA. */
    private DeviceAllowList allowList() {
        return new DeviceAllowList(ca.database(), ca.clock());
    }

    List<Route> routes() {
        return List.of(
                Route.get("/acme/{endpoint}/devices", AdminRole.VIEWER, this::list),
                Route.post("/acme/{endpoint}/devices", AdminRole.ADMIN, this::add),
                Route.delete("/acme/{endpoint}/devices/{device}", AdminRole.ADMIN, this::remove));
    }

    public record AddDevicesRequest(List<String> devices) {
    }

    public record AddedDevicesView(String endpoint, List<String> added, int alreadyListed) {
    }

    private void list(Exchange ex) throws IOException {
        String endpoint = endpoint(ex);
        List<AcmeDeviceView> items = allowList().list(endpoint).stream().map(AcmeDeviceView::of).toList();
        ex.json(200, new AdminApi.ListView<>(items, null));
    }

    private void add(Exchange ex) throws IOException {
        String endpoint = endpoint(ex);
        if (ca.endpoints().find(endpoint).isEmpty()) {
            throw ApiException.notFound("no endpoint '" + endpoint + "'");
        }
        AddDevicesRequest body = ex.body(AddDevicesRequest.class, MAX_BODY_BYTES);
        if (body.devices() == null || body.devices().isEmpty() || body.devices().contains(null)) {
            throw ApiException.validation("devices", "devices must list 1 to " + DeviceAllowList.MAX_PER_CHANGE
                    + " serial numbers or UDIDs");
        }
        List<String> added;
        long distinct;
        try {
            distinct = body.devices().stream().map(DeviceAllowList::normalize).distinct().count();
            added = allowList().add(endpoint, body.devices(), ex.identity().actor());
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("devices", e.getMessage());
        }
        for (String d : added) {
            ex.audit(AcmeDeviceView.change(AuditLine.op("acme-device-add"), endpoint, d, "added"));
        }
        ex.json(200, new AddedDevicesView(endpoint, added, (int) (distinct - added.size())));
    }

    private void remove(Exchange ex) throws IOException {
        String endpoint = endpoint(ex);
        String device = ex.path("device");
        if (!DeviceAllowList.isWellFormed(device)) {
            throw ApiException.validation("device", "not a serial number or UDID");
        }
        if (allowList().remove(endpoint, List.of(device)).isEmpty()) {
            throw ApiException.notFound("device " + device + " is not on endpoint '" + endpoint + "''s allow-list");
        }
        ex.audit(AcmeDeviceView.change(AuditLine.op("acme-device-remove"), endpoint,
                DeviceAllowList.normalize(device), "removed"));
        ex.noContent();
    }

    private static String endpoint(Exchange ex) {
        String endpoint = ex.path("endpoint");
        if (!DeviceAllowList.isEndpointName(endpoint)) {
            throw ApiException.notFound("no such endpoint: names are [a-z0-9][a-z0-9-]{0,31}");
        }
        return endpoint;
    }
}
