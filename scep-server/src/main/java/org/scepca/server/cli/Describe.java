package org.scepca.server.cli;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;

import java.util.Optional;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;

/** Human-readable summaries shared by several commands. */
final class Describe {
    private Describe() {
    }

    static void ca(PrintWriter out, CertificateAuthority ca) {
        var m = ca.material();
        ca(out, ca.directory(), m.root(), m.intermediateCertificate(), m.raCertificate(),
                m.next().map(n -> n.intermediate().certificate()), m.rootKey().isPresent());
    }

    static void ca(PrintWriter out, CaReader ca) {
        ca(out, ca.directory(), ca.root(), ca.intermediate(), ca.ra(), ca.nextIntermediate(), ca.rootKeyOnline());
    }

    private static void ca(PrintWriter out, CaDirectory d, X509Certificate root, X509Certificate intermediate,
            X509Certificate ra, Optional<X509Certificate> next, boolean rootKeyOnline) {
        cert(out, "Root CA", root, d.rootCert().toString());
        cert(out, "Issuing CA", intermediate, d.intermediateCert().toString());
        cert(out, "SCEP RA", ra, d.raCert().toString());
        out.println("Chain for relying parties (nginx ssl_client_certificate): " + d.chain());
        out.println("CRLs for relying parties (nginx ssl_crl): " + d.crlPem());
        out.println("Root key: " + (rootKeyOnline ? "in " + d.rootKey() + " (encrypted)" : "offline (not in the data folder)"));
        next.ifPresent(n -> cert(out, "Next issuing CA (staged)", n, d.nextIntermediateCert().toString()));
    }

    static void cert(PrintWriter out, String label, X509Certificate c, String file) {
        out.println(label + ": " + c.getSubjectX500Principal().getName());
        out.println("  file:       " + file);
        out.println("  expires:    " + c.getNotAfter().toInstant());
        out.println("  SHA-256:    " + Pem.fingerprint("SHA-256", c));
        out.println("  SHA-1:      " + Pem.fingerprint("SHA-1", c));
    }
}
