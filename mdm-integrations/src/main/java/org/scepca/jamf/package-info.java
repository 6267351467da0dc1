/**
 * Jamf Pro: the {@code jamf.*} configuration (the SCEPChallenge webhook's Basic credential, the API client), a Jamf Pro
 * API client for the device inventory, and the sync that revokes the certificates of devices deleted from Jamf.
 */
package org.scepca.jamf;
