package org.scepca.scep.message;

/**
 * Bounds on what the decoder will parse. Real SCEP requests are a few KiB with one or two
 * certificates; the limits stop a hostile client from making the server parse megabytes of ASN.1.
 *
 * @param maxMessageBytes largest accepted pkiMessage
 * @param maxCertificates most certificates accepted in the outer SignedData
 */
public record DecoderLimits(int maxMessageBytes, int maxCertificates) {

    public static final DecoderLimits DEFAULT = new DecoderLimits(64 * 1024, 10);

    public DecoderLimits {
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
        if (maxCertificates < 1) {
            throw new IllegalArgumentException("maxCertificates must be at least 1, got " + maxCertificates);
        }
    }
}
