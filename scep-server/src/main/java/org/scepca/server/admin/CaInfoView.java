package org.scepca.server.admin;

import java.security.cert.X509Certificate;
import java.security.cert.X509CRL;

import org.scepca.ca.crl.CrlService;
import org.scepca.ca.material.CaMaterial;
import org.scepca.ca.pem.Pem;

/** The CA at a glance: each certificate with its fingerprints, the staged successor if any, and the current CRL. */
public record CaInfoView(CertificateSummary root, CertificateSummary intermediate, CertificateSummary ra,
        NextCa next, CrlSummary crl, boolean rootKeyOnline) {

    /** Fingerprints as {@code openssl x509 -fingerprint} prints them (colon-separated upper-case hex). */
    public record CertificateSummary(String subject, String issuer, String serial, String notBefore, String notAfter,
            String sha256Fingerprint, String sha1Fingerprint) {
        static CertificateSummary of(X509Certificate c) {
            return new CertificateSummary(c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
                    c.getSerialNumber().toString(16), c.getNotBefore().toInstant().toString(),
                    c.getNotAfter().toInstant().toString(), Pem.fingerprint("SHA-256", c), Pem.fingerprint("SHA-1", c));
        }
    }

    /** A staged next issuing CA (RFC 8894 §3.5.2 GetNextCACert). */
    public record NextCa(CertificateSummary intermediate, CertificateSummary ra) {
    }

    public record CrlSummary(String number, String thisUpdate, String nextUpdate, int entries) {
        static CrlSummary of(X509CRL crl) {
            if (crl == null) {
                return null;
            }
            return new CrlSummary(CrlService.crlNumber(crl).toString(), crl.getThisUpdate().toInstant().toString(),
                    crl.getNextUpdate().toInstant().toString(),
                    crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size());
        }
    }

    /** From the certificates alone (scepca ca info reads no key); {@code crl} null when none was stored yet. */
    public static CaInfoView of(X509Certificate root, X509Certificate intermediate, X509Certificate ra,
            java.util.Optional<X509Certificate> nextIntermediate, java.util.Optional<X509Certificate> nextRa, X509CRL crl,
            boolean rootKeyOnline) {
        NextCa next = nextIntermediate.isPresent() && nextRa.isPresent()
                ? new NextCa(CertificateSummary.of(nextIntermediate.get()), CertificateSummary.of(nextRa.get())) : null;
        return new CaInfoView(CertificateSummary.of(root), CertificateSummary.of(intermediate),
                CertificateSummary.of(ra), next, CrlSummary.of(crl), rootKeyOnline);
    }

    static CaInfoView of(CaMaterial m, X509CRL crl) {
        return new CaInfoView(CertificateSummary.of(m.root()), CertificateSummary.of(m.intermediateCertificate()),
                CertificateSummary.of(m.raCertificate()),
                m.next().map(n -> new NextCa(CertificateSummary.of(n.intermediate().certificate()),
                        CertificateSummary.of(n.ra().certificate()))).orElse(null),
                CrlSummary.of(crl), m.rootKey().isPresent());
    }
}
