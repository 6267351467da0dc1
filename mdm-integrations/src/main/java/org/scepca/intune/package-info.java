/**
 * Microsoft Intune's third-party CA contract: SCEP request validation ({@code ScepRequestValidationFEService}) and the
 * PKI connector's revocation requests ({@code PkiConnectorFEService}), reached with Entra ID app tokens.
 */
package org.scepca.intune;
