package org.scepca.ca.material;

import java.security.cert.X509Certificate;
import java.time.Instant;

/** Checks an imported intermediate before we trust it to issue. */
public final class CaChecks {
    private CaChecks() {
    }

    public static void requireIssuingCa(X509Certificate intermediate, X509Certificate root, Instant now) {
        if (intermediate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the intermediate is not a CA certificate (basicConstraints CA:TRUE missing)");
        }
        boolean[] ku = intermediate.getKeyUsage();
        if (ku != null && !ku[5]) {
            throw new IllegalArgumentException("the intermediate's keyUsage lacks keyCertSign");
        }
        try {
            intermediate.verify(root.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("the intermediate is not signed by the given root");
        }
        if (root.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the root is not a CA certificate");
        }
        if (intermediate.getNotAfter().toInstant().isBefore(now)) {
            throw new IllegalArgumentException("the intermediate expired on " + intermediate.getNotAfter().toInstant());
        }
    }
}
