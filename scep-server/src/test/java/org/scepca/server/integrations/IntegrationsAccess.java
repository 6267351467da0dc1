package org.scepca.server.integrations;

import org.scepca.ca.CertificateAuthority;
import org.scepca.intune.Revoker;

/** Test access to the Revoker the server schedules, to run one sync at a chosen moment. */
public final class IntegrationsAccess {
    private IntegrationsAccess() {
    }

    public static java.util.List<org.scepca.jamf.JamfDeviceSync.DeviceCertificate> activeJamfCertificates(
            CertificateAuthority ca) {
        return Integrations.activeJamfCertificates(ca);
    }

    public static Revoker intuneRevoker(CertificateAuthority ca, String issuer) {
        return Integrations.intuneRevoker(ca, issuer);
    }

    public static java.util.List<String> jamfFedDeviceLists(CertificateAuthority ca) {
        return Integrations.jamfFedDeviceLists(ca);
    }

    public static org.scepca.jamf.JamfDeviceSync.InventoryListener deviceListFeed(CertificateAuthority ca,
            java.util.List<String> endpoints) {
        return Integrations.deviceListFeed(ca, endpoints);
    }
}
