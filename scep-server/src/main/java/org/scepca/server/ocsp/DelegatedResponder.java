package org.scepca.server.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.issuance.IssuerIdentity;
import org.scepca.ca.material.CaNames;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.pem.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegated OCSP responder (RFC 6960 §4.2.2.2): a short-lived certificate issued by the intermediate with EKU
 * id-kp-OCSPSigning and id-pkix-ocsp-nocheck (§4.2.2.2.1: clients do not check the responder's own revocation), so
 * the intermediate key signs once a few days instead of on every OCSP answer.
 *
 * <p>Kept in {@code DIR/ca/ocsp.p12} under the CA passphrase so restarts keep the same responder; anything wrong
 * with that file (another CA after a rollover, a changed passphrase, corruption, due for renewal) just makes a new
 * one. Renewed at half-life, by housekeeping or by the first request after that; a failed renewal keeps the current
 * certificate while it is valid and retries a minute later.
 */
public final class DelegatedResponder {
    private static final Logger LOG = LoggerFactory.getLogger(DelegatedResponder.class);
    /** Like the CA certificates: clients whose clock is a little slow accept it at once. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

    private final Vault vault;
    private final IssuerIdentity issuer;
    private final Passphrase passphrase;
    private final Duration validity;
    private final Clock clock;
    private final SecureRandom random;
    private final SerialNumbers serials;
    private volatile ResponderCredential current;
    private volatile Instant nextAttempt = Instant.MIN;

    private DelegatedResponder(Vault vault, IssuerIdentity issuer, Passphrase passphrase, Duration validity, Clock clock,
            SecureRandom random) {
        this.vault = Objects.requireNonNull(vault, "vault is null");
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase is null");
        this.validity = Objects.requireNonNull(validity, "validity is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.serials = new SerialNumbers(random);
    }

    /** A newly issued responder: its PKCS#12 (under the CA passphrase) and its certificate. */
    public record Issued(byte[] pkcs12, X509Certificate certificate) {
    }

    /**
     * Where the responder's PKCS#12 is kept: a file for one process, the database for replicas that must share one
     * responder ({@link #database}).
     */
    public interface Vault {
        /** The PKCS#12 in force, if any. */
        Optional<byte[]> read();

        /**
         * Stores what {@code make} returns when {@code stillNeeded} holds for what is in force, under a lock that
         * every process using this vault respects; returns the PKCS#12 in force afterwards.
         */
        byte[] replace(Predicate<Optional<byte[]>> stillNeeded, Supplier<Issued> make);

        /** A file ({@code DIR/ca/ocsp.p12}): the responder of one process. */
        static Vault file(Path file) {
            return new Vault() {
                @Override
                public Optional<byte[]> read() {
                    try {
                        return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
                    } catch (IOException e) {
                        return Optional.empty();
                    }
                }

                @Override
                public synchronized byte[] replace(Predicate<Optional<byte[]>> stillNeeded, Supplier<Issued> make) {
                    Optional<byte[]> now = read();
                    if (now.isPresent() && !stillNeeded.test(now)) {
                        return now.get();
                    }
                    Issued fresh = make.get();
                    try {
                        org.scepca.ca.pem.SecureFiles.writeOwnerOnly(file, fresh.pkcs12());
                    } catch (IOException e) {
                        // The file only lets a restart reuse the responder; the one in memory is valid either way.
                        LOG.warn("OCSP responder certificate not saved in {}: {}", file, e.getMessage());
                    }
                    return fresh.pkcs12();
                }
            };
        }

        /**
         * The database ({@code shared_credentials}, named per issuing CA): every replica signs with the same responder,
         * and one of them renews it under the {@code ocsp-responder} lock while the others take the new one.
         */
        static Vault database(org.scepca.ca.store.SharedCredentials store, String name) {
            return new Vault() {
                @Override
                public Optional<byte[]> read() {
                    return store.read(name).map(org.scepca.ca.store.SharedCredentials.Entry::pkcs12);
                }

                @Override
                public byte[] replace(Predicate<Optional<byte[]>> stillNeeded, Supplier<Issued> make) {
                    return store.replace(name, "ocsp-responder", e -> stillNeeded.test(e.map(
                            org.scepca.ca.store.SharedCredentials.Entry::pkcs12)), () -> {
                                Issued fresh = make.get();
                                return new org.scepca.ca.store.SharedCredentials.Entry(
                                        fresh.certificate().getSerialNumber().toString(16),
                                        fresh.certificate().getNotAfter().toInstant(), fresh.pkcs12());
                            }).pkcs12();
                }
            };
        }
    }

    /** Loads the responder from {@code file}, or issues a new one (and writes it) if that file is absent or unusable. */
    public static DelegatedResponder open(Path file, IssuerIdentity issuer, Passphrase passphrase, Duration validity,
            Clock clock, SecureRandom random) {
        return open(Vault.file(file), issuer, passphrase, validity, clock, random);
    }

    /** Loads the responder from {@code vault}, or issues a new one (and stores it) if there is none usable. */
    public static DelegatedResponder open(Vault vault, IssuerIdentity issuer, Passphrase passphrase, Duration validity,
            Clock clock, SecureRandom random) {
        DelegatedResponder r = new DelegatedResponder(vault, issuer, passphrase, validity, clock, random);
        r.current = r.loadOrIssue(clock.instant());
        return r;
    }

    /** The credential to sign with now; renews it first when it is due. */
    public ResponderCredential current() {
        ResponderCredential c = current;
        Instant now = clock.instant();
        return now.isBefore(c.renewAt()) ? c : renew(now);
    }

    /**
     * Housekeeping: renews when due, or takes the responder another replica stored; true if the credential in use
     * changed.
     */
    public boolean renewIfDue() {
        ResponderCredential before = current;
        if (current() != before) {
            return true;
        }
        Optional<ResponderCredential> stored = vault.read().flatMap(b -> usable(b, clock.instant()));
        if (stored.isPresent() && !stored.get().certificate().equals(before.certificate())) {
            current = stored.get();
            return true;
        }
        return false;
    }

    private synchronized ResponderCredential renew(Instant now) {
        ResponderCredential c = current;
        if (now.isBefore(c.renewAt())) {
            return c; // another thread renewed it meanwhile
        }
        if (now.isBefore(nextAttempt)) {
            return usableOrFail(c, now);
        }
        try {
            ResponderCredential fresh = loadOrIssue(now);
            current = fresh;
            return fresh;
        } catch (RuntimeException e) {
            nextAttempt = now.plus(RETRY_AFTER_FAILURE);
            LOG.error("OCSP responder certificate renewal failed: {}", e.toString());
            return usableOrFail(c, now);
        }
    }

    private static ResponderCredential usableOrFail(ResponderCredential c, Instant now) {
        if (c.isExpired(now)) {
            throw new IllegalStateException("the OCSP responder certificate has expired and could not be renewed");
        }
        return c;
    }

    /**
     * The stored responder when it is usable and not due; else a new one, issued and stored under the vault's lock
     * unless another process stored a usable one meanwhile; or the issuing CA itself once it has expired (the server
     * keeps answering).
     */
    private ResponderCredential loadOrIssue(Instant now) {
        Optional<ResponderCredential> stored = vault.read().flatMap(b -> usable(b, now));
        if (stored.isPresent()) {
            return stored.get();
        }
        if (!issuer.certificate().getNotAfter().toInstant().isAfter(now)) {
            LOG.warn("the issuing CA has expired: OCSP responses are signed by the issuing CA itself");
            return ResponderCredential.issuingCa(issuer);
        }
        LOG.info("no usable OCSP responder certificate stored (none yet, due for renewal, or of another CA): issuing one");
        byte[] inForce = vault.replace(b -> b.flatMap(x -> usable(x, now)).isEmpty(), () -> issue(now));
        return usable(inForce, now).orElseThrow(
                () -> new IllegalStateException("the stored OCSP responder certificate is not usable"));
    }

    private Issued issue(Instant now) {
        X509Certificate issuerCert = issuer.certificate();
        Instant notAfter = now.plus(validity);
        Instant issuerEnd = issuerCert.getNotAfter().toInstant();
        if (notAfter.isAfter(issuerEnd)) {
            notAfter = issuerEnd;
        }
        if (!notAfter.isAfter(now)) {
            throw new IllegalStateException("the issuing CA has expired; no OCSP responder certificate can be issued");
        }
        // The same key type as the CA: whoever can check the CA's signatures can check the responder's.
        KeyPair keys = "EC".equals(issuerCert.getPublicKey().getAlgorithm()) ? KeyPairs.ec("secp256r1", random)
                : KeyPairs.rsa(2048, random);
        BigInteger serial = serials.next();
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer.name(), serial, Date.from(now.minus(BACKDATE)),
                Date.from(notAfter), subject(issuer.name()), spki);
        X509Certificate cert;
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            b.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            b.addExtension(Extension.subjectKeyIdentifier, false, new BcX509ExtensionUtils().createSubjectKeyIdentifier(spki));
            b.addExtension(Extension.authorityKeyIdentifier, false, issuer.authorityKeyIdentifier());
            cert = Pem.certificate(b.build(issuer.newSigner()).getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("OCSP responder certificate encoding failed", e);
        }
        byte[] p12 = Pkcs12Files.encode(keys.getPrivate(), List.of(cert, issuerCert), passphrase);
        AuditLine.op("ocsp-responder-issue").token("serial", serial.toString(16)).token("not-after", notAfter)
                .token("outcome", "issued").text("subject", CaNames.ocspResponder(issuer.name()).toString())
                .token("actor", "server").token("endpoint", "internal").token("txid", "-").token("device", "-").log();
        return new Issued(p12, cert);
    }

    /** The responder in {@code pkcs12} if it belongs to this CA, opens with the passphrase and is not due. */
    private Optional<ResponderCredential> usable(byte[] pkcs12, Instant now) {
        String problem;
        try {
            Pkcs12Files.KeyAndChain kc = Pkcs12Files.read(pkcs12, passphrase, "the OCSP responder's PKCS#12");
            X509Certificate cert = kc.certificate();
            problem = check(cert, kc.key());
            if (problem == null) {
                ResponderCredential c = new ResponderCredential(cert, kc.key());
                if (now.isBefore(c.renewAt())) {
                    return Optional.of(c);
                }
                problem = "due for renewal";
            }
        } catch (KeyAccessException e) {
            problem = e.getMessage();
        }
        LOG.debug("stored OCSP responder certificate not used: {}", problem);
        return Optional.empty();
    }

    /** Why a stored responder certificate cannot be used with this CA, or null if it can. */
    private String check(X509Certificate cert, PrivateKey key) {
        X509Certificate issuerCert = issuer.certificate();
        try {
            if (!cert.getIssuerX500Principal().equals(issuerCert.getSubjectX500Principal())) {
                return "issued by another CA";
            }
            cert.verify(issuerCert.getPublicKey());
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku == null || !eku.contains(KeyPurposeId.id_kp_OCSPSigning.getId())) {
                return "not an OCSP signing certificate";
            }
            if (!keyMatches(cert.getPublicKey(), key)) {
                return "key does not match the certificate";
            }
            return null;
        } catch (CertificateParsingException e) {
            return "unreadable extended key usage";
        } catch (GeneralSecurityException e) {
            return "not signed by this CA";
        }
    }

    private static boolean keyMatches(PublicKey pub, PrivateKey key) {
        try {
            String alg = KeyPairs.signatureAlgorithm(pub);
            byte[] probe = "scepca-ocsp-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The issuer's name with "OCSP Responder" appended to its CN (see {@link CaNames#ocspResponder}). */
    static X500Name subject(X500Name issuerName) {
        return CaNames.ocspResponder(issuerName);
    }
}
