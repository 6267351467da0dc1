package org.scepca.ca.keys;

import java.util.Arrays;
import java.util.Objects;

/** The passphrase that protects private keys at rest. Never printed: {@link #toString()} hides it. */
public final class Passphrase {
    private final char[] chars;

    public Passphrase(char[] chars) {
        Objects.requireNonNull(chars, "chars is null");
        if (chars.length == 0) {
            throw new IllegalArgumentException("passphrase is empty");
        }
        this.chars = chars.clone();
    }

    public static Passphrase of(String value) {
        Objects.requireNonNull(value, "value is null");
        return new Passphrase(value.toCharArray());
    }

    /** A copy of the secret, for the KeyStore API; callers should clear it when done. */
    public char[] chars() {
        return chars.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Passphrase p && Arrays.equals(chars, p.chars);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(chars);
    }

    @Override
    public String toString() {
        return "Passphrase[hidden]";
    }
}
