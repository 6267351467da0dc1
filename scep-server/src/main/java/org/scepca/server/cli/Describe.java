package org.scepca.server.cli;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.pem.Pem;

/** Human-readable summaries shared by several commands. */
final class Describe {
    private Describe() {
    }

    static void ca(PrintWriter out, CertificateAuthority ca) {
        var m = ca.material();
        var d = ca.directory();
        cert(out, "Root CA", m.root(), d.rootCert().toString());
        cert(out, "Issuing CA", m.intermediateCertificate(), d.intermediateCert().toString());
        cert(out, "SCEP RA", m.raCertificate(), d.raCert().toString());
        out.println("Chain for relying parties (nginx ssl_client_certificate): " + d.chain());
        out.println("CRLs for relying parties (nginx ssl_crl): " + d.crlPem());
        out.println("Root key: " + (m.rootKey().isPresent() ? "in " + d.rootKey() + " (encrypted)" : "offline (not in the data folder)"));
        m.next().ifPresent(n -> cert(out, "Next issuing CA (staged)", n.intermediate().certificate(), d.nextIntermediateCert().toString()));
    }

    static void cert(PrintWriter out, String label, X509Certificate c, String file) {
        out.println(label + ": " + c.getSubjectX500Principal().getName());
        out.println("  file:       " + file);
        out.println("  expires:    " + c.getNotAfter().toInstant());
        out.println("  SHA-256:    " + Pem.fingerprint("SHA-256", c));
        out.println("  SHA-1:      " + Pem.fingerprint("SHA-1", c));
    }
}
