/**
 * The certificate authority: CA material, issuance policy and engine, certificate store, revocation and CRL.
 * Knows nothing about SCEP or HTTP; every front end goes through {@code issuance.IssuanceEngine}.
 */
package org.scepca.ca;
