/**
 * Microsoft Intune's third-party CA contract: SCEP request validation ({@code ScepRequestValidationFEService}) and the
 * PKI connector's revocation requests ({@code PkiConnectorFEService}), reached with Entra ID app tokens.
 * Entry points: {@link org.scepca.intune.IntuneConfig#from} (the {@code intune.*} keys),
 * {@link org.scepca.intune.IntuneClient} (validate, notify, revocation download/upload) and
 * {@link org.scepca.intune.IntuneRevocationSync} (a Runnable for the scheduler, with a {@link org.scepca.intune.Revoker}).
 */
package org.scepca.intune;
