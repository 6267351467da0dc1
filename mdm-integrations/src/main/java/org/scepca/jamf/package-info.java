/** The Jamf Pro API, for revoking the certificates of devices removed from Jamf. */
package org.scepca.jamf;
