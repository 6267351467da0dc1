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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.KeyIdentifiers;
import org.scepca.ca.pem.Asn1Times;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.revocation.RevocationPublisher;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.store.CrlStore;

/**
 * Builds and publishes CRLs (v2, CRL number, AKI, reason codes; RFC 5280 §5). The issuing CA's CRL is rebuilt on
 * every revocation, before the revoking call answers ({@link #publishCommitted}), and before half its
 * lifetime has passed; the root's CRL (which covers the intermediate) is rebuilt when the root key is at hand.
 *
 * <p>The database holds the CRL in force ({@link CrlStore}): it is numbered, built and stored under a lock shared by
 * every process on the database, so replicas (and the CLI) never build two CRLs with one number and all serve the same
 * one. Each process copies the CRL in force to its own data folder for nginx ({@link #syncToDisk}), replacing the files
 * atomically and only by a higher number, so nginx never reads half a CRL or an older one.
 */
public final class CrlService implements RevocationPublisher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CrlService.class);
    private final CaDirectory dir;
    private final X509Certificate issuer;
    private final PrivateKey issuerKey;
    private final X509Certificate root;
    private final Optional<PrivateKey> rootKey;
    private final CertificateStore store;
    private final CrlStore crls;
    private final Clock clock;
    private final Duration nextUpdate;
    private final Duration rootNextUpdate;
    private final String issuerKeyId;
    private final String rootKeyId;
    private volatile Published current;
    /** The numbers of the issuing CA's and the root's CRL files this process last wrote or found on disk. */
    private volatile BigInteger onDisk = BigInteger.valueOf(-1);
    private volatile BigInteger rootOnDisk = BigInteger.valueOf(-1);
    private volatile Restored lastRestored = Restored.NONE;
    /** Callers of {@link #publishCommitted} so far, and how many of them the last finished build covers. */
    private final AtomicLong arrivals = new AtomicLong();
    private long coveredArrivals;
    /** One monitor per CRL folder in this process: a {@link FileLock} only excludes other processes. */
    private static final ConcurrentHashMap<Path, Object> LOCAL_LOCKS = new ConcurrentHashMap<>();

    public CrlService(CaDirectory dir, X509Certificate issuer, PrivateKey issuerKey, X509Certificate root,
            Optional<PrivateKey> rootKey, CertificateStore store, CrlStore crls, Clock clock,
            Duration nextUpdate, Duration rootNextUpdate) {
        this.dir = Objects.requireNonNull(dir, "dir is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.issuerKey = Objects.requireNonNull(issuerKey, "issuerKey is null");
        this.root = Objects.requireNonNull(root, "root is null");
        this.rootKey = Objects.requireNonNull(rootKey, "rootKey is null");
        this.store = Objects.requireNonNull(store, "store is null");
        this.crls = Objects.requireNonNull(crls, "crls is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        if (nextUpdate.compareTo(Duration.ofMinutes(5)) < 0) {
            throw new IllegalArgumentException("CRL nextUpdate must be at least 5 minutes");
        }
        this.nextUpdate = nextUpdate;
        this.rootNextUpdate = rootNextUpdate;
        this.issuerKeyId = keyId(issuer);
        this.rootKeyId = keyId(root);
    }

    /**
     * Returns once a CRL that includes every revocation committed before this call is stored and on this process's
     * disk. This is what every revocation path calls after its durable commit and before it answers (RFC 5280 §3.3:
     * relying parties such as nginx only learn of a revocation from the CRL). Concurrent callers share builds: a build
     * covers every caller that arrived before it started, so a burst of renewals costs one or two CRL builds, not one
     * each.
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
     * Builds and stores a new CRL of the issuing CA (and of the root, if its key is here), writes the files, and
     * returns the new CRL.
     */
    public synchronized X509CRL publish() {
        CrlStore.Stored s = crls.publish(issuerKeyId, this::publishedIssuerNumber, any -> true,
                n -> build(issuer, issuerKey, nextUpdate, n, true));
        if (rootKey.isPresent()) {
            crls.publish(rootKeyId, this::publishedRootNumber, any -> true,
                    n -> build(root, rootKey.get(), rootNextUpdate, n, false));
        }
        Published p = published(s);
        current = p;
        syncToDisk();
        return p.crl();
    }

    /**
     * Publishes when the store holds revocations the CRL in force does not: a revocation committed by a process that
     * died before it published (SIGKILL, power loss, the database going away between the commit and the CRL). The
     * revoking call never answered then, but the revocation is real and must reach relying parties. Every process
     * checks at start and replicas every few seconds; the check is one COUNT over the revocations table, bounded as
     * the CRL in force was built ({@link #expiredEntriesBefore}).
     *
     * <p>Fewer revocations in the store than entries on the CRL also republishes, once: a CRL signed before entries
     * left after expiry still lists long-expired certificates, and one revocation missing from it would hide behind
     * them in a "more than" comparison.
     *
     * @return true if it published
     */
    public boolean publishIfBehind() {
        X509CRL crl = current().crl();
        long stored = store.revokedCount(issuer.getSubjectX500Principal().getName(),
                Optional.of(expiredEntriesBefore(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant())));
        var listed = crl.getRevokedCertificates();
        if (stored != (listed == null ? 0 : listed.size())) {
            publishCommitted();
            return true;
        }
        return false;
    }

    /**
     * Puts back into the store the revocations that the issuing CA's published CRL file lists and the store has lost.
     * The file is ahead of the store only after a restore of an older store backup (the data folder, with its CRL
     * files, stays as it was; docs/operations.md "Backups"): without this, the next CRL, built from the store, would
     * drop those entries, and a certificate revoked before the restore would be accepted again. RFC 5280 §3.3: an
     * entry stays on the CRL until the certificate expires. Runs at start, before anything publishes.
     *
     * <p>Only a file signed by this issuing CA with a CRL number above the store's latest counts. A listed certificate
     * the store knows and holds as good is revoked with the file's date and reason, and audited; one the store does not
     * know at all (issued after the backup was taken) cannot be put back: it is reported, and logged as an error.
     */
    public Restored restoreFromPublishedFile() {
        Optional<X509CRL> read;
        try {
            read = readCrl(dir.intermediateCrl());
        } catch (IOException e) {
            return Restored.NONE;
        }
        if (read.isEmpty() || !read.get().getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return Restored.NONE;
        }
        X509CRL file = read.get();
        BigInteger fileNumber = crlNumber(file);
        Optional<BigInteger> stored = crls.latestNumber(issuerKeyId);
        var entries = file.getRevokedCertificates();
        if (stored.isPresent() && stored.get().compareTo(fileNumber) >= 0 || entries == null) {
            return Restored.NONE; // the usual case: the store is at or ahead of the file
        }
        try {
            file.verify(issuer.getPublicKey());
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            LOG.warn("{} is not signed by the issuing CA: not compared with the store", dir.intermediateCrl());
            return Restored.NONE;
        }
        List<BigInteger> restored = new ArrayList<>();
        List<BigInteger> unknown = new ArrayList<>();
        for (java.security.cert.X509CRLEntry e : entries) {
            BigInteger serial = e.getSerialNumber();
            var known = store.find(serial);
            if (known.isEmpty()) {
                unknown.add(serial);
            } else if (known.get().status() != org.scepca.ca.store.CertificateStatus.REVOKED) {
                RevocationReason reason = reasonOf(e);
                store.revoke(serial, reason, e.getRevocationDate().toInstant(), RESTORE_ACTOR);
                restored.add(serial);
                org.scepca.ca.audit.AuditLine.op("revoke").token("serial", serial.toString(16))
                        .text("subject", known.get().subjectDn()).token("reason", reason.rfcName())
                        .token("actor", RESTORE_ACTOR).token("outcome", "restored-from-published-crl")
                        .token("txid", "-").token("endpoint", "-").token("device", "-").log();
            }
        }
        if (!restored.isEmpty() || !unknown.isEmpty()) {
            LOG.warn("the store is older than the published CRL {} (number {}, store {}): {} revocation(s) it had lost"
                    + " restored", dir.intermediateCrl(), fileNumber, stored.map(BigInteger::toString).orElse("none"),
                    restored.size());
        }
        if (!unknown.isEmpty()) {
            LOG.error("{} certificate(s) revoked on the published CRL are unknown to the store (issued after its backup):"
                    + " they leave the CRL with the next one and verify again; re-enroll their devices and distrust"
                    + " them by other means. Serials: {}", unknown.size(),
                    String.join(",", unknown.stream().limit(1000).map(b -> b.toString(16)).toList()));
        }
        lastRestored = new Restored(List.copyOf(restored), List.copyOf(unknown));
        return lastRestored;
    }

    /** What the last {@link #restoreFromPublishedFile} (at start) did. */
    public Restored lastRestored() {
        return lastRestored;
    }

    /** Whom a revocation put back by {@link #restoreFromPublishedFile} is attributed to in the store and the audit. */
    public static final String RESTORE_ACTOR = "system:published-crl";

    private static RevocationReason reasonOf(java.security.cert.X509CRLEntry e) {
        java.security.cert.CRLReason r = e.getRevocationReason();
        if (r == null) {
            return RevocationReason.UNSPECIFIED;
        }
        for (RevocationReason ours : RevocationReason.values()) {
            if (ours.code() == r.ordinal()) {
                return ours;
            }
        }
        return RevocationReason.UNSPECIFIED;
    }

    /** What {@link #restoreFromPublishedFile} did: revocations put back, and listed serials the store does not know. */
    public record Restored(List<BigInteger> revoked, List<BigInteger> unknown) {
        static final Restored NONE = new Restored(List.of(), List.of());
    }

    /**
     * Copies the CRLs in force from the database to this process's data folder when the files are older: every
     * replica calls this every few seconds, so each one's nginx sees a revocation made through any of them.
     *
     * @return true if a file was written
     */
    public boolean syncToDisk() {
        Optional<BigInteger> n = crls.latestNumber(issuerKeyId);
        Optional<BigInteger> r = crls.latestNumber(rootKeyId);
        boolean issuerNewer = n.isPresent() && n.get().compareTo(onDisk) > 0;
        boolean rootNewer = r.isPresent() && r.get().compareTo(rootOnDisk) > 0;
        if (!issuerNewer && !rootNewer) {
            return false;
        }
        Path lockFile = dir.crlDir().resolve(".publish.lock");
        synchronized (LOCAL_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
            try {
                Files.createDirectories(dir.crlDir());
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + dir.crlDir() + ": " + e.getMessage(), e);
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                boolean wrote = false;
                if (issuerNewer) {
                    wrote |= replaceIfNewer(dir.intermediateCrl(), crls.latest(issuerKeyId));
                    onDisk = numberOnDisk(dir.intermediateCrl());
                }
                if (rootNewer) {
                    wrote |= replaceIfNewer(dir.rootCrl(), crls.latest(rootKeyId));
                    rootOnDisk = numberOnDisk(dir.rootCrl());
                }
                if (wrote || !Files.exists(dir.crlPem())) {
                    List<Object> pem = new ArrayList<>();
                    readCrl(dir.intermediateCrl()).ifPresent(pem::add);
                    readCrl(dir.rootCrl()).ifPresent(pem::add);
                    SecureFiles.writeAtomically(dir.crlPem(), Pem.encodeAll(pem));
                }
                return wrote;
            } catch (IOException e) {
                throw new IllegalStateException("cannot write CRL files in " + dir.crlDir() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Writes {@code crl} to {@code file} unless the file already holds that number or a higher one. */
    private static boolean replaceIfNewer(Path file, Optional<CrlStore.Stored> crl) throws IOException {
        if (crl.isEmpty() || numberOnDisk(file).compareTo(crl.get().number()) >= 0) {
            return false;
        }
        SecureFiles.writeAtomically(file, crl.get().der());
        return true;
    }

    /**
     * The number of the issuing CA's CRL file, which the next CRL must exceed ({@link CrlStore#publish(String,
     * java.util.function.Supplier, java.util.function.Predicate, CrlStore.Builder)}): the number this process last
     * wrote or found there, else the file's. The file is ahead of the store after a restore of an older store backup.
     */
    private BigInteger publishedIssuerNumber() {
        return published(onDisk, dir.intermediateCrl());
    }

    /** As {@link #publishedIssuerNumber}, for the root's CRL file (which may also be a CRL signed elsewhere, copied in). */
    private BigInteger publishedRootNumber() {
        return published(rootOnDisk, dir.rootCrl());
    }

    private static BigInteger published(BigInteger known, Path file) {
        if (known.signum() >= 0) {
            return known;
        }
        try {
            return numberOnDisk(file);
        } catch (IOException e) {
            return BigInteger.valueOf(-1);
        }
    }

    private static BigInteger numberOnDisk(Path file) throws IOException {
        return readCrl(file).map(CrlService::crlNumber).orElse(BigInteger.valueOf(-1));
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

    /** The key under which the CRLs of {@code ca} are stored ({@link CrlStore}): the SHA-256 of its public key. */
    public static String keyId(X509Certificate ca) {
        return Pem.sha256Hex(ca.getPublicKey().getEncoded());
    }

    /**
     * Re-signs when more than half of the CRL's lifetime has passed (checked again under the lock, so that of several
     * replicas only one re-signs); true if this call did.
     */
    public boolean refreshIfDue() {
        Instant now = clock.instant();
        boolean did = false;
        Optional<CrlStore.Stored> latest = crls.latest(issuerKeyId);
        if (latest.isEmpty() || pastHalf(latest.get(), now)) {
            synchronized (this) {
                CrlStore.Stored s = crls.publish(issuerKeyId, this::publishedIssuerNumber,
                        l -> l.isEmpty() || pastHalf(l.get(), clock.instant()), n -> build(issuer, issuerKey, nextUpdate, n, true));
                did = latest.isEmpty() || s.number().compareTo(latest.get().number()) > 0;
            }
        }
        if (rootKey.isPresent() && rootCrlDue(now)) {
            crls.publish(rootKeyId, this::publishedRootNumber, l -> l.isEmpty() || pastHalf(l.get(), clock.instant()),
                    n -> build(root, rootKey.get(), rootNextUpdate, n, false));
            did = true;
        }
        syncToDisk();
        return did;
    }

    private static boolean pastHalf(CrlStore.Stored s, Instant now) {
        Instant half = s.thisUpdate().plus(Duration.between(s.thisUpdate(), s.nextUpdate()).dividedBy(2));
        return now.isAfter(half);
    }

    private boolean rootCrlDue(Instant now) {
        Optional<X509CRL> r = rootCrl();
        if (r.isEmpty()) {
            return true;
        }
        Instant t = r.get().getThisUpdate().toInstant();
        Instant n = r.get().getNextUpdate().toInstant();
        return now.isAfter(t.plus(Duration.between(t, n).dividedBy(2)));
    }

    /**
     * The root's CRL in force (it covers the issuing CA), if there is one: from the database, else the file (a root
     * CRL signed before the database held CRLs, or placed there by hand from an offline root).
     */
    public Optional<X509CRL> rootCrl() {
        try {
            Optional<CrlStore.Stored> s = crls.latest(rootKeyId);
            if (s.isPresent()) {
                return Optional.of(Pem.crl(s.get().der()));
            }
            Path file = dir.rootCrl();
            return Files.exists(file) ? Optional.of(Pem.crl(Files.readAllBytes(file))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The CRL in force, as stored in the database: the one this process built, or a newer one another replica or the
     * CLI built. Costs one primary-key look-up when nothing changed; builds one if the database has none yet (the
     * first start of a store from before CRLs were kept in it).
     */
    public Published current() {
        Optional<BigInteger> n = crls.latestNumber(issuerKeyId);
        if (n.isEmpty()) {
            publish();
            return current;
        }
        Published p = current;
        if (p != null && crlNumber(p.crl()).equals(n.get())) {
            return p;
        }
        p = crls.latest(issuerKeyId).map(CrlService::published).orElseThrow();
        current = p;
        return p;
    }

    private static Published published(CrlStore.Stored s) {
        return new Published(Pem.crl(s.der()), s.der());
    }

    /**
     * Builds and signs a CRL with Bouncy Castle's TBSCertList generator rather than {@code X509v2CRLBuilder}: the
     * builder takes revocation dates as {@code java.util.Date} and turns each into ASN.1 through two {@code SimpleDateFormat}s,
     * which was most of the time of a 100,000-entry CRL. {@link Asn1Times} encodes the same times directly.
     */
    private CrlStore.Stored build(X509Certificate ca, PrivateKey key, Duration lifetime, BigInteger number,
            boolean withEntries) {
        // Whole seconds, as thisUpdate and nextUpdate are encoded: the bound on expired entries below is then the
        // same number whether computed from these instants or read back from the signed CRL (publishIfBehind).
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try {
            ContentSigner signer = new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(ca.getPublicKey())).build(key);
            V2TBSCertListGenerator tbs = new V2TBSCertListGenerator();
            tbs.setIssuer(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()));
            tbs.setSignature(signer.getAlgorithmIdentifier());
            tbs.setThisUpdate(Asn1Times.of(now));
            tbs.setNextUpdate(Asn1Times.of(now.plus(lifetime)));
            if (withEntries) {
                // RFC 5280 §5.1.2.6: no revocationDate after thisUpdate, even when the revocation was stamped by a
                // replica (or before an NTP step) whose clock was ahead of this one.
                store.forEachRevoked(ca.getSubjectX500Principal().getName(),
                        Optional.of(expiredEntriesBefore(now, now.plus(lifetime))), e -> tbs.addCRLEntry(
                        new ASN1Integer(e.serial()), Asn1Times.of(e.revokedAt().isAfter(now) ? now : e.revokedAt()),
                        REASON_EXTENSIONS.get(e.reason())));
            }
            tbs.setExtensions(new Extensions(new Extension[] {
                new Extension(Extension.authorityKeyIdentifier, false,
                        KeyIdentifiers.authorityKeyIdentifier(ca).getEncoded(ASN1Encoding.DER)),
                new Extension(Extension.cRLNumber, false,
                        new CRLNumber(number).getEncoded(ASN1Encoding.DER))}));
            TBSCertList list = tbs.generateTBSCertList();
            try (OutputStream out = signer.getOutputStream()) {
                list.encodeTo(out, ASN1Encoding.DER);
            }
            CertificateList signed = CertificateList.getInstance(new DERSequence(new ASN1Encodable[] {
                list, signer.getAlgorithmIdentifier(), new DERBitString(signer.getSignature())}));
            return new CrlStore.Stored(number, now, now.plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    signed.getEncoded(ASN1Encoding.DER));
        } catch (Exception e) {
            throw new IllegalStateException("CRL signing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Certificates that expired before the returned instant leave a CRL with this thisUpdate and nextUpdate: an entry
     * stays for one CRL lifetime past its certificate's notAfter. RFC 5280 §3.3 lets an entry go once it has appeared
     * on one regularly scheduled CRL issued after the certificate expired; the server re-signs every half lifetime, so
     * while it runs, at least one such CRL has carried the entry before it leaves. Without this the CRL grows with
     * every renewal (each revokes the certificate it supersedes) for as long as the CA lives, and relying parties
     * such as nginx load all of it. The store keeps the revocation: OCSP and the listings still say revoked.
     *
     * <p>Computed from the CRL's own times, never from configuration, so that {@link #publishIfBehind} counts the
     * entries of the CRL in force with exactly the bound it was built with, even after {@code crl.next-update-hours}
     * changed.
     */
    static Instant expiredEntriesBefore(Instant thisUpdate, Instant nextUpdate) {
        return thisUpdate.minus(Duration.between(thisUpdate, nextUpdate));
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

    /** A published CRL with its DER bytes (served as is) and when we loaded it. */
    public record Published(X509CRL crl, byte[] der, Instant loadedAt) {
        Published(X509CRL crl, byte[] der) {
            this(crl, der, Instant.now());
        }
    }
}
