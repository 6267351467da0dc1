package org.scepca.ca.store;

import java.math.BigInteger;

/** Monotonic CRL numbers (RFC 5280 §5.2.3), one sequence per issuing key. */
public interface CrlNumberStore {
    BigInteger next(String issuerKeyId);
}
