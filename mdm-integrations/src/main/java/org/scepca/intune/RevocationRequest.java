package org.scepca.intune;

import java.util.Objects;

/**
 * One revocation Intune asks for (a device was retired or wiped, or the profile removed), as downloaded from the PKI
 * connector's {@code CertificateAuthorityRequests/downloadRevocationRequests}.
 *
 * @param requestContext  Intune's opaque id of the request; the result must carry it back
 * @param serialNumber    serial of the certificate, as reported in successNotification (hex)
 * @param issuerName      issuingCertificateAuthority of that successNotification, or null
 * @param caConfiguration caConfiguration of that successNotification, or null
 */
public record RevocationRequest(String requestContext, String serialNumber, String issuerName,
        String caConfiguration) {
    public RevocationRequest {
        Objects.requireNonNull(requestContext, "requestContext is null");
        Objects.requireNonNull(serialNumber, "serialNumber is null");
    }
}
