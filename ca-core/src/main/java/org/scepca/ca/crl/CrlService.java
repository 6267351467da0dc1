package org.scepca.ca.crl;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.CrlNumberStore;

/**
 * Builds and publishes CRLs (v2, CRL number, AKI, reason codes; RFC 5280 §5). The issuing CA's CRL is rebuilt on
 * every revocation and before half its lifetime has passed; the root's CRL (which covers the intermediate) is rebuilt
 * when the root key is at hand. Files are replaced atomically so nginx never reads half a CRL.
 */
public final class CrlService {
    private final CaDirectory dir;
    private final X509Certificate issuer;
    private final PrivateKey issuerKey;
    private final X509Certificate root;
    private final Optional<PrivateKey> rootKey;
    private final CertificateStore store;
    private final CrlNumberStore numbers;
    private final Clock clock;
    private final Duration nextUpdate;
    private final Duration rootNextUpdate;
    private volatile Published current;

    public CrlService(CaDirectory dir, X509Certificate issuer, PrivateKey issuerKey, X509Certificate root,
            Optional<PrivateKey> rootKey, CertificateStore store, CrlNumberStore numbers, Clock clock,
            Duration nextUpdate, Duration rootNextUpdate) {
        this.dir = Objects.requireNonNull(dir, "dir is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.issuerKey = Objects.requireNonNull(issuerKey, "issuerKey is null");
        this.root = Objects.requireNonNull(root, "root is null");
        this.rootKey = Objects.requireNonNull(rootKey, "rootKey is null");
        this.store = Objects.requireNonNull(store, "store is null");
        this.numbers = Objects.requireNonNull(numbers, "numbers is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        if (nextUpdate.compareTo(Duration.ofMinutes(5)) < 0) {
            throw new IllegalArgumentException("CRL nextUpdate must be at least 5 minutes");
        }
        this.nextUpdate = nextUpdate;
        this.rootNextUpdate = rootNextUpdate;
    }

    /** Rebuilds the issuing CA's CRL (and the root's, if its key is here), writes the files, and returns the new CRL. */
    public synchronized X509CRL publish() {
        Instant now = clock.instant();
        X509CRL crl = build(issuer, issuerKey, now, nextUpdate, true);
        byte[] der = encoded(crl);
        try {
            SecureFiles.writeAtomically(dir.intermediateCrl(), der);
            if (rootKey.isPresent()) {
                SecureFiles.writeAtomically(dir.rootCrl(), encoded(build(root, rootKey.get(), now, rootNextUpdate, false)));
            }
            List<Object> pem = new ArrayList<>();
            pem.add(crl);
            if (Files.exists(dir.rootCrl())) {
                pem.add(Pem.crl(Files.readAllBytes(dir.rootCrl())));
            }
            SecureFiles.writeAtomically(dir.crlPem(), Pem.encodeAll(pem));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write CRL files in " + dir.crlDir() + ": " + e.getMessage(), e);
        }
        current = new Published(crl, der);
        return crl;
    }

    /** Re-signs when more than half of the current CRL's lifetime has passed; true if it did. */
    public boolean refreshIfDue() {
        Published p = current();
        Instant thisUpdate = p.crl().getThisUpdate().toInstant();
        Instant next = p.crl().getNextUpdate().toInstant();
        Instant half = thisUpdate.plus(Duration.between(thisUpdate, next).dividedBy(2));
        Instant now = clock.instant();
        boolean rootDue = rootKey.isPresent() && rootCrlDue(now);
        if (now.isAfter(half) || rootDue) {
            publish();
            return true;
        }
        return false;
    }

    private boolean rootCrlDue(Instant now) {
        try {
            if (!Files.exists(dir.rootCrl())) {
                return true;
            }
            X509CRL r = Pem.crl(Files.readAllBytes(dir.rootCrl()));
            Instant t = r.getThisUpdate().toInstant();
            Instant n = r.getNextUpdate().toInstant();
            return now.isAfter(t.plus(Duration.between(t, n).dividedBy(2)));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** The CRL in force: the one on disk if another process (the CLI) published a newer one, else the last built. */
    public Published current() {
        Published p = current;
        try {
            Path file = dir.intermediateCrl();
            if (Files.exists(file)) {
                if (p == null || Files.getLastModifiedTime(file).toInstant().isAfter(p.loadedAt())) {
                    byte[] der = Files.readAllBytes(file);
                    X509CRL crl = Pem.crl(der);
                    if (p == null || crlNumber(crl).compareTo(crlNumber(p.crl())) > 0) {
                        p = new Published(crl, der);
                        current = p;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: keep serving the CRL we have, or build one
        }
        return p != null ? p : new Published(publish(), encoded(current.crl()));
    }

    private X509CRL build(X509Certificate ca, PrivateKey key, Instant now, Duration lifetime, boolean withEntries) {
        X500Name name = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
        X509v2CRLBuilder b = new X509v2CRLBuilder(name, Date.from(now));
        b.setNextUpdate(Date.from(now.plus(lifetime)));
        if (withEntries) {
            store.forEachRevoked(ca.getSubjectX500Principal().getName(), e -> {
                if (e.reason() == RevocationReason.UNSPECIFIED) {
                    // RFC 5280 §5.3.1: reasonCode unspecified SHOULD be absent.
                    b.addCRLEntry(e.serial(), Date.from(e.revokedAt()), null);
                } else {
                    b.addCRLEntry(e.serial(), Date.from(e.revokedAt()), crlReasonExtensions(e.reason()));
                }
            });
        }
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(numbers.next(Pem.sha256Hex(ca.getPublicKey().getEncoded()))));
            X509CRLHolder holder = b.build(new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(ca.getPublicKey())).build(key));
            return Pem.crl(holder.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException("CRL signing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static org.bouncycastle.asn1.x509.Extensions crlReasonExtensions(RevocationReason reason) {
        try {
            return new org.bouncycastle.asn1.x509.Extensions(new Extension(Extension.reasonCode, false,
                    CRLReason.lookup(reason.code()).getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigInteger crlNumber(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (ext == null) {
            return BigInteger.ZERO;
        }
        return CRLNumber.getInstance(org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets()).getCRLNumber();
    }

    private static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A published CRL with its DER bytes (served as is) and when we loaded it. */
    public record Published(X509CRL crl, byte[] der, Instant loadedAt) {
        Published(X509CRL crl, byte[] der) {
            this(crl, der, Instant.now());
        }
    }
}
