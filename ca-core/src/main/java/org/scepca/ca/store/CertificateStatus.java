package org.scepca.ca.store;

/** Stored status. Expiry is not a status: it follows from notAfter and the clock. */
public enum CertificateStatus {
    VALID, REVOKED
}
