package org.scepca.ca.policy;

import org.scepca.ca.store.ColumnSizes;

/**
 * How much a request may ask for. A request beyond any limit is refused with badRequest before anything reaches the
 * store; every ceiling is strictly inside the store's column sizes ({@link ColumnSizes}), so a request within policy
 * never ends in a store error. Lengths are in characters (UTF-16 units) of the text as the store keeps it.
 *
 * @param maxCsrBytes          the encoded PKCS#10 request
 * @param maxSubjectAttributes attributes (AVAs) in the subject, over all RDNs
 * @param maxAttributeLength   one subject attribute value
 * @param maxSubjectLength     the whole subject in RFC 4514 form (escapes included), as stored and listed
 * @param maxSans              subjectAltName entries
 * @param maxSanLength         one subjectAltName value
 * @param maxSansLength        all subjectAltNames as stored ("type:value", one per line)
 */
public record RequestLimits(int maxCsrBytes, int maxSubjectAttributes, int maxAttributeLength, int maxSubjectLength,
        int maxSans, int maxSanLength, int maxSansLength) {

    /** Room left below the column sizes. */
    private static final int MARGIN = 24;
    public static final int CSR_BYTES_CEILING = 64 * 1024;
    public static final int SUBJECT_ATTRIBUTES_CEILING = 64;
    public static final int SUBJECT_LENGTH_CEILING = ColumnSizes.SUBJECT_DN - MARGIN;
    public static final int SANS_CEILING = 256;
    public static final int SANS_LENGTH_CEILING = ColumnSizes.SANS - MARGIN;

    public RequestLimits {
        check("maxCsrBytes", maxCsrBytes, 1024, CSR_BYTES_CEILING);
        check("maxSubjectAttributes", maxSubjectAttributes, 1, SUBJECT_ATTRIBUTES_CEILING);
        check("maxAttributeLength", maxAttributeLength, 1, SUBJECT_LENGTH_CEILING);
        check("maxSubjectLength", maxSubjectLength, 1, SUBJECT_LENGTH_CEILING);
        check("maxSans", maxSans, 0, SANS_CEILING);
        check("maxSanLength", maxSanLength, 1, SANS_LENGTH_CEILING);
        check("maxSansLength", maxSansLength, 1, SANS_LENGTH_CEILING);
    }

    /**
     * Generous for real devices (a 4096-bit RSA CSR with a few names is about 2 KiB; X.520 bounds most attributes at
     * 64 or 128 characters; DNS names at 253), small enough that a list of certificates stays readable.
     */
    public static RequestLimits defaults() {
        return new RequestLimits(16 * 1024, 16, 256, 512, 20, 512, 4096);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
        }
    }
}
