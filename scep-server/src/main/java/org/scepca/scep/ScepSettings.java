package org.scepca.scep;

import org.scepca.ca.config.CaConfig;

/**
 * Protocol behaviour chosen by configuration.
 *
 * @param includeRootInCaCert send the root in GetCACert (Apple clients like it; Intune wants the issuer only)
 * @param separateRa          GetCACert returns RA + CA (ca-ra-cert); false: the CA alone, DER (ca-cert)
 * @param manualApproval      PKCSReq answers PENDING until an operator approves
 * @param supersedeOnRenewal  revoke the old certificate (superseded) when a renewal is issued
 * @param allowSingleDes      legacy switch for clients that still encrypt with single DES
 */
public record ScepSettings(boolean includeRootInCaCert, boolean separateRa, boolean manualApproval,
        boolean supersedeOnRenewal, boolean allowSingleDes) {

    public static ScepSettings from(CaConfig config) {
        return new ScepSettings(config.includeRootInCaCert(), config.useRa(), config.manualApproval(), config.supersedeOnRenewal(),
                config.allowSingleDes());
    }
}
