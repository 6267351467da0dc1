package org.scepca.scep.message;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Encodes the bodies of GetCACert (RFC 8894 §4.2) and GetNextCACert (RFC 8894 §4.7). Thread-safe.
 */
public final class CaCertificatesEncoder {

    private final Clock clock;
    private final DigestCalculatorProvider digests;

    public CaCertificatesEncoder() {
        this(Clock.systemUTC());
    }

    /** @param clock source of the signingTime attribute of GetNextCACert replies */
    public CaCertificatesEncoder(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest calculator provider", e);
        }
    }

    /**
     * A degenerate certificates-only SignedData (RFC 8894 §3.4) for {@code application/x-x509-ca-ra-cert},
     * in the order given: RA first, then the issuing CA, then the root. Clients pick the RA certificate
     * by key usage, but some take the first one, so the order is kept exactly.
     */
    public byte[] degenerate(List<X509Certificate> certificates) {
        List<X509Certificate> copy = List.copyOf(Objects.requireNonNull(certificates, "certificates is null"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("certificates is empty");
        }
        return CmsSupport.degenerate(copy, List.of());
    }

    /**
     * The GetNextCACert reply (RFC 8894 §4.7.1): a SignedData, signed by the current RA/CA, whose
     * content is the degenerate certificates-only SignedData of the next CA (and RA) certificates.
     *
     * @param digest digest name such as {@code SHA-256}; see {@link DigestAlgorithm#fromName(String)}
     */
    public byte[] signedNextCa(List<X509Certificate> nextCaCerts, RaIdentity signer, String digest) {
        Objects.requireNonNull(signer, "signer is null");
        DigestAlgorithm digestAlgorithm = DigestAlgorithm.fromName(digest);
        byte[] inner = degenerate(nextCaCerts);
        // RFC 8894 §4.7.1 puts the next CA certificates in the inner degenerate SignedData; some clients (jscep)
        // read them from the outer certificate set instead, so they travel in both.
        List<org.bouncycastle.cert.X509CertificateHolder> outer = new java.util.ArrayList<>();
        for (X509Certificate c : nextCaCerts) {
            outer.add(CmsSupport.holder(c));
        }
        return CmsSupport.sign(new CMSProcessableByteArray(inner), signer.privateKey(),
                CmsSupport.holder(signer.certificate()), digestAlgorithm, digests, List.of(), clock.instant(), outer);
    }
}
