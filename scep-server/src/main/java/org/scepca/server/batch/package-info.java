/**
 * Batch tools for a fleet: a device list (CSV) read once and checked line by line, one profile per device with its own
 * bound one-time challenge, and PKCS#12 bundles for pilots without an MDM.
 */
package org.scepca.server.batch;
