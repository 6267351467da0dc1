package org.scepca.ca.policy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A CSR together with the bytes it arrived as. Bouncy Castle rebuilds the parsed request as DER, which can reorder
 * its attribute SET; the signature covers the bytes as sent, so those are what {@link CsrSignature} verifies.
 */
public final class ReceivedCsr extends PKCS10CertificationRequest {
    private final byte[] received;

    public ReceivedCsr(byte[] der) throws IOException {
        super(der);
        this.received = der.clone();
    }

    public byte[] received() {
        return received.clone();
    }

    /** The size of the request as it arrived. */
    public int receivedLength() {
        return received.length;
    }

    /** The CertificationRequestInfo exactly as received: the first element of the outer SEQUENCE. */
    Optional<byte[]> receivedRequestInfo() {
        int[] outer = header(received, 0);
        if (outer == null) {
            return Optional.empty();
        }
        int start = outer[0];
        int[] info = header(received, start);
        if (info == null || start + info[0] + info[1] > received.length) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOfRange(received, start, start + info[0] + info[1]));
    }

    /** {header length, content length} of a definite-length DER/BER element at {@code at}, or null. */
    private static int[] header(byte[] b, int at) {
        if (at + 2 > b.length || (b[at] & 0x1f) == 0x1f) {
            return null;
        }
        int first = b[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {2, first};
        }
        int n = first & 0x7f;
        if (n == 0 || n > 3 || at + 2 + n > b.length) {
            return null; // indefinite or absurd length: let the caller fall back
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (b[at + 2 + i] & 0xff);
        }
        return new int[] {2 + n, len};
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
