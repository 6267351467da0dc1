package org.scepca.ca.policy;

/** The subjectAltName types a device certificate may carry. */
public enum SanType {
    DNS, EMAIL, URI, IP, UPN
}
