package org.scepca.ca.issuance;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Random certificate serial numbers: 159 bits from a CSPRNG, so positive and at most 20 octets DER
 * (RFC 5280 §4.1.2.2), far above the CA/B Forum's 64-bit floor. Uniqueness is enforced by the store's key.
 */
public final class SerialNumbers {
    public static final int BITS = 159;
    private final SecureRandom random;

    public SerialNumbers(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random is null");
    }

    public BigInteger next() {
        BigInteger n;
        do {
            n = new BigInteger(BITS, random);
        } while (n.bitLength() < 64); // never a short serial, even by a 2^-95 chance
        return n;
    }

    /** The canonical text form used in the store, the CLI and the API: lower-case hex, no leading zeros. */
    public static String toHex(BigInteger serial) {
        return serial.toString(16);
    }

    /** Parses hex with optional colons or a 0x prefix, as admins copy it from openssl or browsers. */
    public static BigInteger parse(String text) {
        Objects.requireNonNull(text, "serial is null");
        String s = text.strip().replace(":", "").toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        if (s.isEmpty() || s.length() > 42 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a hexadecimal serial number: " + text);
        }
        return new BigInteger(s, 16);
    }
}
