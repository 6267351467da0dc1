package org.scepca.server.ocsp;

import java.security.cert.X509Certificate;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** What the fuzz targets hold the responder's {@code unauthorized} to, computed independently of the responder. */
public final class OcspOracle {
    /** The CertID hashes the responder computes (RFC 5019 §2.1.1 requires SHA-1; SHA-2 besides). */
    private static final Set<ASN1ObjectIdentifier> HASHES = Set.of(OIWObjectIdentifiers.idSHA1,
            NISTObjectIdentifiers.id_sha256, NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);

    private OcspOracle() {
    }

    /**
     * Whether {@code unauthorized} is the right answer to {@code der} (RFC 5019 §2.2.3): it is a request Bouncy Castle
     * reads, and none of its CertIDs names {@code issuer} with a hash the responder computes.
     */
    public static boolean unauthorizedIsRight(byte[] der, X509Certificate issuer) {
        try {
            OCSPReq request = new OCSPReq(der);
            var holder = new JcaX509CertificateHolder(issuer);
            var digests = new JcaDigestCalculatorProviderBuilder().build();
            for (Req r : request.getRequestList()) {
                if (HASHES.contains(r.getCertID().getHashAlgOID()) && r.getCertID().matchesIssuer(holder, digests)) {
                    return false;
                }
            }
            return request.getRequestList().length > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
