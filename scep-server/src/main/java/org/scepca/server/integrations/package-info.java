/**
 * The server's assembly of the MDM integrations: Intune's validation behind the SCEP core's
 * {@link org.scepca.scep.RequestValidator}, Intune's revocation requests and the Jamf device sync on their own
 * schedulers, outbound webhooks started with the server.
 */
package org.scepca.server.integrations;
