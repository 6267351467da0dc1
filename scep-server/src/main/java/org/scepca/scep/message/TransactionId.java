package org.scepca.scep.message;

import java.util.Objects;
import org.bouncycastle.asn1.DERPrintableString;

/**
 * The SCEP transactionID (RFC 8894 §3.2.1.1): a PrintableString chosen by the client that names one
 * enrollment across PKCSReq, CertPoll and retries.
 *
 * @param value the identifier as sent; non-empty, at most {@value #MAX_LENGTH} characters
 */
public record TransactionId(String value) {

    /** Clients send hex or base64 hashes (20–88 characters); anything far longer is not a real client. */
    public static final int MAX_LENGTH = 128;

    public TransactionId {
        Objects.requireNonNull(value, "value is null");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("transactionID is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("transactionID is longer than " + MAX_LENGTH + " characters");
        }
        if (!DERPrintableString.isPrintableString(value)) {
            throw new IllegalArgumentException("transactionID has characters outside PrintableString");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
