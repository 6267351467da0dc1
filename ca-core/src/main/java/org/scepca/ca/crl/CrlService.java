package org.scepca.ca.crl;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x509.V2TBSCertListGenerator;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Asn1Times;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.revocation.RevocationPublisher;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.CrlNumberStore;

/**
 * Builds and publishes CRLs (v2, CRL number, AKI, reason codes; RFC 5280 §5). The issuing CA's CRL is rebuilt on
 * every revocation, before the revoking call answers ({@link #publishCommitted}), and before half its
 * lifetime has passed; the root's CRL (which covers the intermediate) is rebuilt
 * when the root key is at hand. Files are replaced atomically so nginx never reads half a CRL.
 */
public final class CrlService implements RevocationPublisher {
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
    /** Callers of {@link #publishCommitted} so far, and how many of them the last finished build covers. */
    private final AtomicLong arrivals = new AtomicLong();
    private long coveredArrivals;
    /** One monitor per CRL folder in this process: a {@link FileLock} only excludes other processes. */
    private static final ConcurrentHashMap<Path, Object> LOCAL_LOCKS = new ConcurrentHashMap<>();

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

    /**
     * Returns once a CRL that includes every revocation committed before this call is on disk. This is what every
     * revocation path calls after its durable commit and before it answers (RFC 5280 §3.3: relying parties such as
     * nginx only learn of a revocation from the CRL). Concurrent callers share builds: a build covers every caller
     * that arrived before it started, so a burst of renewals costs one or two CRL builds, not one each.
     */
    @Override
    public void publishCommitted() {
        long arrival = arrivals.incrementAndGet();
        synchronized (this) {
            if (coveredArrivals >= arrival) {
                return; // a build that started after this call had begun has finished: it holds our revocation
            }
            long covers = arrivals.get(); // read before the build reads the store: these callers' commits are in it
            publish();
            coveredArrivals = covers;
        }
    }

    /**
     * Rebuilds the issuing CA's CRL (and the root's, if its key is here), writes the files, and returns the CRL in
     * force (ours, or a newer one another process wrote meanwhile).
     *
     * <p>The CLI and the server share the data folder and the database, and either may publish while the other runs.
     * The CRL number comes from the database and is taken before the revoked entries are read, so a CRL with a higher
     * number was built from a later view of the store and holds every revocation a lower one holds. The files are
     * replaced under a lock (in this process and across processes) and only by a higher number: a slow publisher never
     * puts an older CRL back over a newer one.
     */
    public synchronized X509CRL publish() {
        Instant now = clock.instant();
        BigInteger number = numbers.next(keyId(issuer));
        X509CRL crl = build(issuer, issuerKey, now, nextUpdate, number, true);
        byte[] der = encoded(crl);
        Path lockFile = dir.crlDir().resolve(".publish.lock");
        synchronized (LOCAL_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
            try {
                Files.createDirectories(dir.crlDir());
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + dir.crlDir() + ": " + e.getMessage(), e);
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                Optional<X509CRL> onDisk = readCrl(dir.intermediateCrl());
                if (onDisk.isPresent() && crlNumber(onDisk.get()).compareTo(number) > 0) {
                    current = new Published(onDisk.get(), encoded(onDisk.get()));
                    return onDisk.get();
                }
                SecureFiles.writeAtomically(dir.intermediateCrl(), der);
                if (rootKey.isPresent()) {
                    X509CRL rootCrl = build(root, rootKey.get(), now, rootNextUpdate, numbers.next(keyId(root)), false);
                    SecureFiles.writeAtomically(dir.rootCrl(), encoded(rootCrl));
                }
                List<Object> pem = new ArrayList<>();
                pem.add(crl);
                readCrl(dir.rootCrl()).ifPresent(pem::add);
                SecureFiles.writeAtomically(dir.crlPem(), Pem.encodeAll(pem));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write CRL files in " + dir.crlDir() + ": " + e.getMessage(), e);
            }
        }
        current = new Published(crl, der);
        return crl;
    }

    private static Optional<X509CRL> readCrl(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pem.crl(Files.readAllBytes(file)));
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable: replace it
        }
    }

    private static String keyId(X509Certificate ca) {
        return Pem.sha256Hex(ca.getPublicKey().getEncoded());
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

    /**
     * The root's CRL as last published on disk (it covers the issuing CA), if there is one: it is signed offline or
     * whenever the root key is here, so the file is the only source.
     */
    public Optional<X509CRL> rootCrl() {
        try {
            Path file = dir.rootCrl();
            return Files.exists(file) ? Optional.of(Pem.crl(Files.readAllBytes(file))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
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

    /**
     * Builds and signs a CRL with Bouncy Castle's TBSCertList generator rather than {@code X509v2CRLBuilder}: the
     * builder takes revocation dates as {@code java.util.Date} and turns each into ASN.1 through two {@code SimpleDateFormat}s,
     * which was most of the time of a 100,000-entry CRL. {@link Asn1Times} encodes the same times directly.
     */
    private X509CRL build(X509Certificate ca, PrivateKey key, Instant now, Duration lifetime, BigInteger number,
            boolean withEntries) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(ca.getPublicKey())).build(key);
            V2TBSCertListGenerator tbs = new V2TBSCertListGenerator();
            tbs.setIssuer(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()));
            tbs.setSignature(signer.getAlgorithmIdentifier());
            tbs.setThisUpdate(Asn1Times.of(now));
            tbs.setNextUpdate(Asn1Times.of(now.plus(lifetime)));
            if (withEntries) {
                store.forEachRevoked(ca.getSubjectX500Principal().getName(), e -> tbs.addCRLEntry(
                        new ASN1Integer(e.serial()), Asn1Times.of(e.revokedAt()), REASON_EXTENSIONS.get(e.reason())));
            }
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            tbs.setExtensions(new Extensions(new Extension[] {
                new Extension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(ca).getEncoded(ASN1Encoding.DER)),
                new Extension(Extension.cRLNumber, false,
                        new CRLNumber(number).getEncoded(ASN1Encoding.DER))}));
            TBSCertList list = tbs.generateTBSCertList();
            try (OutputStream out = signer.getOutputStream()) {
                list.encodeTo(out, ASN1Encoding.DER);
            }
            CertificateList signed = CertificateList.getInstance(new DERSequence(new ASN1Encodable[] {
                list, signer.getAlgorithmIdentifier(), new DERBitString(signer.getSignature())}));
            return Pem.crl(signed.getEncoded(ASN1Encoding.DER));
        } catch (Exception e) {
            throw new IllegalStateException("CRL signing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The reasonCode entry extension for each reason, built once. RFC 5280 §5.3.1: reasonCode unspecified SHOULD be
     * absent, so that one maps to no extensions.
     */
    private static final Map<RevocationReason, Extensions> REASON_EXTENSIONS = reasonExtensions();

    private static Map<RevocationReason, Extensions> reasonExtensions() {
        Map<RevocationReason, Extensions> m = new EnumMap<>(RevocationReason.class);
        for (RevocationReason r : RevocationReason.values()) {
            if (r != RevocationReason.UNSPECIFIED) {
                try {
                    m.put(r, new Extensions(new Extension(Extension.reasonCode, false, CRLReason.lookup(r.code()).getEncoded())));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return m;
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
