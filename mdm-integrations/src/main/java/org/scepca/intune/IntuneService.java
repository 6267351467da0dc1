package org.scepca.intune;

/**
 * The two Intune services this CA talks to, by the {@code providerName} Graph lists them under for Intune's service
 * principal (appId 0000000a-0000-0000-c000-000000000000), with the api-version Microsoft's clients send.
 */
enum IntuneService {
    /** ScepActions: validateRequest, successNotification, failureNotification. */
    SCEP_VALIDATION("ScepRequestValidationFEService", "2018-02-20"),
    /** CertificateAuthorityRequests: downloadRevocationRequests, uploadRevocationResults. */
    PKI_CONNECTOR("PkiConnectorFEService", "5019-05-05");

    final String providerName;
    final String apiVersion;

    IntuneService(String providerName, String apiVersion) {
        this.providerName = providerName;
        this.apiVersion = apiVersion;
    }
}
