package org.scepca.scep.message;

import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;

/**
 * Content-encryption algorithms of the pkcsPKIEnvelope (RFC 8894 §3.2.2). Clients pick from
 * GetCACaps (sscep AES-128, certmonger AES-256, macOS sometimes 3DES), and the reply must use the
 * same one or the client cannot read it.
 */
public enum ContentCipher {
    AES_128_CBC(NISTObjectIdentifiers.id_aes128_CBC, 128),
    AES_192_CBC(NISTObjectIdentifiers.id_aes192_CBC, 192),
    AES_256_CBC(NISTObjectIdentifiers.id_aes256_CBC, 256),
    DES_EDE3_CBC(PKCSObjectIdentifiers.des_EDE3_CBC, 192),
    /** Single DES: broken, and OpenSSL 3 clients cannot even decrypt it; accepted only behind the legacy switch. */
    DES_CBC(OIWObjectIdentifiers.desCBC, 64);

    private final ASN1ObjectIdentifier oid;
    private final int keySizeBits;

    ContentCipher(ASN1ObjectIdentifier oid, int keySizeBits) {
        this.oid = oid;
        this.keySizeBits = keySizeBits;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    /** Key size in bits including DES parity bits (3DES 192, DES 64). */
    public int keySizeBits() {
        return keySizeBits;
    }

    public boolean isSingleDes() {
        return this == DES_CBC;
    }

    public static Optional<ContentCipher> fromOid(ASN1ObjectIdentifier oid) {
        Objects.requireNonNull(oid, "oid is null");
        for (ContentCipher cipher : values()) {
            if (cipher.oid.equals(oid)) {
                return Optional.of(cipher);
            }
        }
        return Optional.empty();
    }
}
