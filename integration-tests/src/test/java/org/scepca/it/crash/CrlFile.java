package org.scepca.it.crash;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * The issuing CA's CRL as relying parties (nginx) read it: the DER file in DATA/crl, parsed with Bouncy Castle and
 * checked against the issuing CA certificate. A torn or half-written file after SIGKILL is a finding too.
 */
record CrlFile(Set<BigInteger> serials, BigInteger number, String problem) {

    static CrlFile read(Path data, X509Certificate issuer) {
        Path file = data.resolve("crl/intermediate.crl");
        try {
            X509CRLHolder crl = new X509CRLHolder(Files.readAllBytes(file));
            if (!crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer))) {
                return bad("signature does not verify against " + issuer.getSubjectX500Principal());
            }
            if (!crl.getIssuer().equals(org.bouncycastle.asn1.x500.X500Name.getInstance(
                    issuer.getSubjectX500Principal().getEncoded()))) {
                return bad("issuer " + crl.getIssuer() + " is not the issuing CA");
            }
            java.util.Date now = new java.util.Date();
            if (crl.getThisUpdate().after(new java.util.Date(now.getTime() + 60_000))) {
                return bad("thisUpdate " + crl.getThisUpdate() + " is in the future");
            }
            if (crl.getNextUpdate() == null || crl.getNextUpdate().before(now)) {
                return bad("nextUpdate " + crl.getNextUpdate() + " has passed");
            }
            Set<BigInteger> serials = new HashSet<>();
            for (Object o : crl.getRevokedCertificates()) {
                serials.add(((X509CRLEntryHolder) o).getSerialNumber());
            }
            BigInteger number = Optional.ofNullable(crl.getExtension(Extension.cRLNumber))
                    .map(e -> ASN1Integer.getInstance(e.getParsedValue()).getValue()).orElse(BigInteger.valueOf(-1));
            return new CrlFile(serials, number, "");
        } catch (Exception e) {
            return bad("unreadable " + file + ": " + e);
        }
    }

    private static CrlFile bad(String why) {
        return new CrlFile(Set.of(), BigInteger.valueOf(-1), why);
    }

    boolean ok() {
        return problem.isEmpty();
    }
}
