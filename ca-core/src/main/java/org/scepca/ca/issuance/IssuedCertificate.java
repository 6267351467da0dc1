package org.scepca.ca.issuance;

import java.security.cert.X509Certificate;
import java.util.Objects;

import org.scepca.ca.store.CertificateRecord;

/** A certificate that is signed and durably stored. */
public record IssuedCertificate(X509Certificate certificate, CertificateRecord record) {
    public IssuedCertificate {
        Objects.requireNonNull(certificate, "certificate is null");
        Objects.requireNonNull(record, "record is null");
    }
}
