package org.scepca.server.profiles;

import java.math.BigInteger;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.material.CaMaterial;
import org.scepca.ca.material.CertificateMaker;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.SharedCredentials;

/**
 * The CA's own profile-signing identity, kept in the database ({@code shared_credentials}, a PKCS#12 encrypted with
 * the CA passphrase like the other CA keys) so that replicas sign with one identity and a read-only data folder is
 * enough; a {@code DIR/ca/profile-signing.p12} from an earlier release is taken over on first use. Made on first use, and made again when it is missing, revoked (e.g. with {@code scepca cert
 * revoke}), within 30 days of expiry, or issued by an intermediate we no longer use. Every certificate made here is
 * stored with profile {@link CertificateProfile#PROFILE_SIGNING}, so {@code scepca cert list} shows it and revoking
 * it puts it on the CRL.
 */
public final class ProfileSigningIdentityStore {
    private static final String SIGNING_SUFFIX = " Profile Signing";
    /** Long enough not to bother anyone, short enough that a leaked key does not outlive a hardware refresh. */
    static final Duration VALIDITY = Duration.ofDays(730);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final CertificateAuthority ca;
    private final Passphrase passphrase;
    private SigningIdentity cached;

    public ProfileSigningIdentityStore(CertificateAuthority ca, Passphrase passphrase) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase is null");
    }

    /** The row in {@code shared_credentials}, and the {@code db_locks} row that serializes making a new one. */
    static final String NAME = "profile-signing";

    /**
     * The identity to sign with now: the stored one while usable, else one made (and recorded) under the lock, unless
     * another replica stored a usable one meanwhile.
     */
    public synchronized SigningIdentity current() {
        if (cached != null && usable(cached)) {
            return cached;
        }
        SharedCredentials shared = new SharedCredentials(ca.database());
        Optional<SigningIdentity> stored = shared.read(NAME).map(this::identity).filter(this::usable);
        if (stored.isEmpty()) {
            byte[] p12 = shared.replace(NAME, NAME, e -> e.map(this::identity).filter(this::usable).isEmpty(),
                    this::legacyFileOrCreate).pkcs12();
            stored = Optional.of(SigningIdentity.fromPkcs12(p12, passphrase, "the profile signing identity"));
        }
        cached = stored.get();
        return cached;
    }

    private SigningIdentity identity(SharedCredentials.Entry e) {
        return SigningIdentity.fromPkcs12(e.pkcs12(), passphrase, "the profile signing identity");
    }

    /** The file an earlier release made, while usable; else a new identity. */
    private SharedCredentials.Entry legacyFileOrCreate() {
        java.nio.file.Path file = ca.directory().profileSigningKey();
        if (Files.exists(file)) {
            try {
                SigningIdentity old = SigningIdentity.fromPkcs12(file, passphrase);
                if (usable(old)) {
                    return entry(Files.readAllBytes(file), old.certificate());
                }
            } catch (KeyAccessException | java.io.IOException e) {
                // unusable: make a new one
            }
        }
        return create();
    }

    private static SharedCredentials.Entry entry(byte[] p12, X509Certificate cert) {
        return new SharedCredentials.Entry(cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant(), p12);
    }

    private boolean usable(SigningIdentity identity) {
        X509Certificate cert = identity.certificate();
        X509Certificate intermediate = ca.material().intermediateCertificate();
        Instant now = ca.clock().instant();
        if (cert.getNotAfter().toInstant().minus(RENEW_BEFORE).isBefore(now)) {
            return false;
        }
        try {
            cert.verify(intermediate.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false; // issued by a previous intermediate
        }
        Optional<CertificateRecord> stored = ca.certificates().find(cert.getSerialNumber());
        return stored.isPresent() && stored.get().status() == CertificateStatus.VALID;
    }

    private SharedCredentials.Entry create() {
        CaMaterial m = ca.material();
        X509Certificate intermediate = m.intermediateCertificate();
        Instant now = ca.clock().instant();
        Instant notAfter = now.plus(VALIDITY);
        if (notAfter.isAfter(intermediate.getNotAfter().toInstant())) {
            notAfter = intermediate.getNotAfter().toInstant();
        }
        if (!notAfter.isAfter(now.plus(RENEW_BEFORE))) {
            throw new KeyAccessException("the issuing CA expires within " + RENEW_BEFORE.toDays()
                    + " days; roll it over before signing profiles");
        }
        KeyPair keys = KeyPairs.rsa(2048, ca.random());
        BigInteger serial = new SerialNumbers(ca.random()).next();
        X509Certificate cert = CertificateMaker.profileSigner(subject(m.root()), keys.getPublic(), intermediate,
                m.intermediateKey(), serial, now.minus(BACKDATE), notAfter, ca.config().policy().crlUrl());
        byte[] der;
        try {
            der = cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("profile signing certificate cannot be encoded", e);
        }
        // Recorded before the key is stored: a certificate we cannot list or revoke must never sign anything.
        ca.certificates().insertIssued(new CertificateRecord(serial, intermediate.getSubjectX500Principal().getName(),
                cert.getSubjectX500Principal().getName(), List.of(), cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant(), CertificateStatus.VALID, Optional.empty(), Optional.empty(),
                Optional.empty(), "scepca:profile-signing", CertificateProfile.PROFILE_SIGNING, now, Pem.sha256Hex(der),
                der), IssuanceEffects.none());
        byte[] p12 = Pkcs12Files.encode(keys.getPrivate(), List.of(cert, intermediate, m.root()), passphrase);
        AuditLine.op("profile-signer-create").token("serial", serial.toString(16))
                .text("subject", cert.getSubjectX500Principal().getName()).token("expires", cert.getNotAfter().toInstant())
                .token("outcome", "issued").token("actor", "server").token("endpoint", "internal").token("txid", "-")
                .token("device", "-").log();
        return entry(p12, cert);
    }

    /**
     * {@code CN=<organization> Profile Signing, O=<organization>}, the organization taken from our root; the label is
     * cut so that the CN stays within ub-common-name (64 characters, RFC 5280 Appendix A).
     */
    static X500Name subject(X509Certificate root) {
        Optional<String> org = attribute(root, BCStyle.O);
        String label = org.or(() -> attribute(root, BCStyle.CN)).orElse("scepca");
        int room = 64 - SIGNING_SUFFIX.length();
        if (label.codePointCount(0, label.length()) > room) {
            label = label.substring(0, label.offsetByCodePoints(0, room)).strip();
        }
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, label + SIGNING_SUFFIX);
        org.ifPresent(o -> b.addRDN(BCStyle.O, o));
        return b.build();
    }

    /** The first value of an attribute in a certificate's subject, unescaped. */
    /** The O (else CN) of a certificate's subject, else "scepca": what profiles and batch certificates show. */
    public static String organizationOf(X509Certificate cert) {
        return attribute(cert, org.bouncycastle.asn1.x500.style.BCStyle.O)
                .or(() -> attribute(cert, org.bouncycastle.asn1.x500.style.BCStyle.CN)).orElse("scepca");
    }

    static Optional<String> attribute(X509Certificate cert, ASN1ObjectIdentifier type) {
        RDN[] rdns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(type);
        if (rdns.length == 0 || rdns[0].getFirst() == null
                || !(rdns[0].getFirst().getValue() instanceof ASN1String value)) {
            return Optional.empty();
        }
        return Optional.of(value.getString()).filter(v -> !v.isBlank());
    }
}
