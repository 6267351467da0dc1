package org.scepca.ca.store;

/** A SCEP transaction's state: waiting for an operator, done with a certificate, or refused. */
public enum RequestStatus {
    PENDING, ISSUED, REJECTED
}
