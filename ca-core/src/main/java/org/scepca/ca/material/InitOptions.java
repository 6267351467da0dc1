package org.scepca.ca.material;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;

/**
 * What {@code scepca init} creates. Defaults follow common practice for a private device CA: names encoded from the
 * most general attribute to the most specific (O before CN, X.501's order, which OpenSSL and most tools display as
 * written), RSA, a ten-year root above a five-year issuing CA.
 *
 * @param publicBaseUrl where the server will be reachable; when known at creation, the intermediate names the root's
 *                      CRL and certificate under it (see {@link PublicUrls})
 */
public record InitOptions(X500Name rootSubject, X500Name intermediateSubject, X500Name raSubject,
        int rootKeyBits, int intermediateKeyBits, int raKeyBits,
        Duration rootValidity, Duration intermediateValidity, Duration raValidity,
        Optional<Path> rootKeyOut, Optional<java.net.URI> publicBaseUrl) {

    public InitOptions(X500Name rootSubject, X500Name intermediateSubject, X500Name raSubject, int rootKeyBits,
            int intermediateKeyBits, int raKeyBits, Duration rootValidity, Duration intermediateValidity,
            Duration raValidity, Optional<Path> rootKeyOut) {
        this(rootSubject, intermediateSubject, raSubject, rootKeyBits, intermediateKeyBits, raKeyBits, rootValidity,
                intermediateValidity, raValidity, rootKeyOut, Optional.empty());
    }

    public InitOptions {
        Objects.requireNonNull(rootSubject, "rootSubject is null");
        Objects.requireNonNull(intermediateSubject, "intermediateSubject is null");
        Objects.requireNonNull(raSubject, "raSubject is null");
        Objects.requireNonNull(rootKeyOut, "rootKeyOut is null");
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl is null");
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
        return new InitOptions(new X500Name("O=scepca,CN=scepca Root CA"),
                new X500Name("O=scepca,CN=scepca Issuing CA"),
                new X500Name("O=scepca,CN=scepca SCEP RA"),
                4096, 2048, 2048,
                Duration.ofDays(3650), Duration.ofDays(1825), Duration.ofDays(1825),
                Optional.empty());
    }

    public InitOptions withRootKeyOut(Path file) {
        return new InitOptions(rootSubject, intermediateSubject, raSubject, rootKeyBits, intermediateKeyBits, raKeyBits,
                rootValidity, intermediateValidity, raValidity, Optional.of(file), publicBaseUrl);
    }

    public InitOptions withPublicBaseUrl(Optional<java.net.URI> url) {
        return new InitOptions(rootSubject, intermediateSubject, raSubject, rootKeyBits, intermediateKeyBits, raKeyBits,
                rootValidity, intermediateValidity, raValidity, rootKeyOut, url);
    }
}
