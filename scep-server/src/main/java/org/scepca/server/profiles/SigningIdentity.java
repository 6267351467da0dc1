package org.scepca.server.profiles;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;

/**
 * A key that signs profiles, its certificate, and the certificates above it (intermediates; the root may be left
 * out, since a device that can verify the signature has it already). {@link #toString()} hides the key.
 */
public record SigningIdentity(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {
    public SigningIdentity {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(certificate, "certificate is null");
        chain = List.copyOf(chain);
    }

    /**
     * Reads an identity from a PKCS#12 file, e.g. one made by another CA (an S/MIME or TLS certificate chaining to a
     * root the devices trust works as well).
     *
     * @throws org.scepca.ca.keys.KeyAccessException when the file is missing, corrupt or the passphrase is wrong
     */
    public static SigningIdentity fromPkcs12(Path file, Passphrase passphrase) {
        return of(Pkcs12Files.read(file, passphrase));
    }

    public static SigningIdentity fromPkcs12(byte[] pkcs12, Passphrase passphrase, String name) {
        return of(Pkcs12Files.read(pkcs12, passphrase, name));
    }

    private static SigningIdentity of(Pkcs12Files.KeyAndChain read) {
        return new SigningIdentity(read.key(), read.certificate(), read.chain().subList(1, read.chain().size()));
    }

    @Override
    public String toString() {
        return "SigningIdentity[" + certificate.getSubjectX500Principal().getName() + ", key hidden]";
    }
}
