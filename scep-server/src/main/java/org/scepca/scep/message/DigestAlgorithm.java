package org.scepca.scep.message;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Message digests a SCEP signer may use (RFC 8894 §3.1 and GetCACaps SHA-1/SHA-256/SHA-512). The
 * reply is signed with the same digest the request used, because clients verify with what they asked for.
 */
public enum DigestAlgorithm {
    SHA1("SHA-1", OIWObjectIdentifiers.idSHA1, "SHA1withRSA"),
    SHA224("SHA-224", NISTObjectIdentifiers.id_sha224, "SHA224withRSA"),
    SHA256("SHA-256", NISTObjectIdentifiers.id_sha256, "SHA256withRSA"),
    SHA384("SHA-384", NISTObjectIdentifiers.id_sha384, "SHA384withRSA"),
    SHA512("SHA-512", NISTObjectIdentifiers.id_sha512, "SHA512withRSA");

    private final String jcaName;
    private final ASN1ObjectIdentifier oid;
    private final String rsaSignatureName;

    DigestAlgorithm(String jcaName, ASN1ObjectIdentifier oid, String rsaSignatureName) {
        this.jcaName = jcaName;
        this.oid = oid;
        this.rsaSignatureName = rsaSignatureName;
    }

    /** JCA MessageDigest name, e.g. {@code SHA-256}. */
    public String jcaName() {
        return jcaName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    /** The identifier with NULL parameters, the form most SCEP clients write (RFC 3370 §2.1 allows both). */
    public AlgorithmIdentifier algorithmIdentifier() {
        return new AlgorithmIdentifier(oid, DERNull.INSTANCE);
    }

    /** RSA PKCS#1 v1.5 signature name; never PSS, which several SCEP clients cannot verify. */
    public String rsaSignatureName() {
        return rsaSignatureName;
    }

    public static Optional<DigestAlgorithm> fromOid(ASN1ObjectIdentifier oid) {
        Objects.requireNonNull(oid, "oid is null");
        for (DigestAlgorithm digest : values()) {
            if (digest.oid.equals(oid)) {
                return Optional.of(digest);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses {@code SHA-256}, {@code SHA256} or {@code sha256} (any case, dash optional).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static DigestAlgorithm fromName(String name) {
        Objects.requireNonNull(name, "name is null");
        String normalized = name.replace("-", "").toUpperCase(Locale.ROOT);
        for (DigestAlgorithm digest : values()) {
            if (digest.name().equals(normalized)) {
                return digest;
            }
        }
        throw new IllegalArgumentException("unsupported digest: " + name);
    }
}
