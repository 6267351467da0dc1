package org.scepca.ca.material;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;

/** What {@code scepca init} creates. Defaults follow common practice for a private device CA. */
public record InitOptions(X500Name rootSubject, X500Name intermediateSubject, X500Name raSubject,
        int rootKeyBits, int intermediateKeyBits, int raKeyBits,
        Duration rootValidity, Duration intermediateValidity, Duration raValidity,
        Optional<Path> rootKeyOut) {

    public InitOptions {
        Objects.requireNonNull(rootSubject, "rootSubject is null");
        Objects.requireNonNull(intermediateSubject, "intermediateSubject is null");
        Objects.requireNonNull(raSubject, "raSubject is null");
        Objects.requireNonNull(rootKeyOut, "rootKeyOut is null");
        for (int bits : new int[] {rootKeyBits, intermediateKeyBits, raKeyBits}) {
            if (bits < 2048 || bits > 8192) {
                throw new IllegalArgumentException("key size must be between 2048 and 8192 bits, not " + bits);
            }
        }
        if (intermediateValidity.compareTo(rootValidity) > 0) {
            throw new IllegalArgumentException("the intermediate cannot outlive the root");
        }
    }

    public static InitOptions defaults() {
        return new InitOptions(new X500Name("CN=scepca Root CA,O=scepca"),
                new X500Name("CN=scepca Issuing CA,O=scepca"),
                new X500Name("CN=scepca SCEP RA,O=scepca"),
                4096, 2048, 2048,
                Duration.ofDays(3650), Duration.ofDays(1825), Duration.ofDays(1825),
                Optional.empty());
    }

    public InitOptions withRootKeyOut(Path file) {
        return new InitOptions(rootSubject, intermediateSubject, raSubject, rootKeyBits, intermediateKeyBits, raKeyBits,
                rootValidity, intermediateValidity, raValidity, Optional.of(file));
    }
}
