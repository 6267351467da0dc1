package org.scepca.ca.material;

import java.io.IOException;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.keys.Pkcs12Files.KeyAndChain;
import org.scepca.ca.pem.Pem;

/**
 * The CA's keys and certificates, loaded once at start-up. The root key is present only while it is kept in the
 * data folder; it is needed for the root's CRL and for staging a next intermediate, never for issuance.
 */
public final class CaMaterial {
    private final X509Certificate root;
    private final PrivateKey rootKey;
    private final KeyAndChain intermediate;
    private final KeyAndChain ra;
    private final NextCa next;

    public CaMaterial(X509Certificate root, PrivateKey rootKey, KeyAndChain intermediate, KeyAndChain ra, NextCa next) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.rootKey = rootKey;
        this.intermediate = Objects.requireNonNull(intermediate, "intermediate is null");
        this.ra = Objects.requireNonNull(ra, "ra is null");
        this.next = next;
    }

    public static CaMaterial load(CaDirectory dir, Passphrase passphrase) {
        if (!dir.caExists()) {
            throw new KeyAccessException("no CA in " + dir.root() + ": run 'scepca init --data " + dir.root() + "' first");
        }
        try {
            X509Certificate root = Pem.readCertificates(dir.rootCert()).get(0);
            KeyAndChain intermediate = Pkcs12Files.read(dir.intermediateKey(), passphrase);
            KeyAndChain ra = Pkcs12Files.read(dir.raKey(), passphrase);
            PrivateKey rootKey = Files.exists(dir.rootKey()) ? Pkcs12Files.read(dir.rootKey(), passphrase).key() : null;
            NextCa next = null;
            if (Files.exists(dir.nextIntermediateKey())) {
                next = new NextCa(Pkcs12Files.read(dir.nextIntermediateKey(), passphrase),
                        Pkcs12Files.read(dir.nextRaKey(), passphrase));
            }
            return new CaMaterial(root, rootKey, intermediate, ra, next);
        } catch (IOException e) {
            throw new KeyAccessException("cannot read CA files in " + dir.caDir() + ": " + e.getClass().getSimpleName());
        }
    }

    public X509Certificate root() { return root; }
    public X509Certificate intermediateCertificate() { return intermediate.certificate(); }
    public PrivateKey intermediateKey() { return intermediate.key(); }
    public X509Certificate raCertificate() { return ra.certificate(); }
    public PrivateKey raKey() { return ra.key(); }
    public Optional<PrivateKey> rootKey() { return Optional.ofNullable(rootKey); }
    public Optional<NextCa> next() { return Optional.ofNullable(next); }

    /** Intermediate then root: what a relying party (nginx ssl_client_certificate) needs. */
    public List<X509Certificate> chain() {
        return List.of(intermediate.certificate(), root);
    }

    /** A staged successor (RFC 8894 §3.5.2 GetNextCACert): the next intermediate and its RA. */
    public record NextCa(KeyAndChain intermediate, KeyAndChain ra) {
        public NextCa {
            Objects.requireNonNull(intermediate, "intermediate is null");
            Objects.requireNonNull(ra, "ra is null");
        }
    }

    @Override
    public String toString() {
        return "CaMaterial[" + intermediate.certificate().getSubjectX500Principal().getName() + ", keys hidden]";
    }
}
