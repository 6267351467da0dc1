package org.scepca.scep.message;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A senderNonce or recipientNonce (RFC 8894 §3.2.1.5). RFC 8894 asks for 16 bytes, but old iOS
 * releases send 8, so any length from 1 to {@value #MAX_LENGTH} bytes is accepted.
 *
 * @param bytes the nonce octets (copied in and out)
 */
public record Nonce(byte[] bytes) {

    public static final int MAX_LENGTH = 64;
    /** Length of the nonces this server generates (RFC 8894 §3.2.1.5). */
    public static final int GENERATED_LENGTH = 16;

    public Nonce {
        Objects.requireNonNull(bytes, "bytes is null");
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("nonce length " + bytes.length + " is outside 1.." + MAX_LENGTH);
        }
        bytes = bytes.clone();
    }

    public static Nonce random(SecureRandom random) {
        Objects.requireNonNull(random, "random is null");
        byte[] bytes = new byte[GENERATED_LENGTH];
        random.nextBytes(bytes);
        return new Nonce(bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Nonce that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Nonce[" + HexFormat.of().formatHex(bytes) + "]";
    }
}
