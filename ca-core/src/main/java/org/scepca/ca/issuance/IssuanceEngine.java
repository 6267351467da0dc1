package org.scepca.ca.issuance;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.scepca.ca.pem.Asn1Times;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.CsrValidator;
import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PermanentIdentifiers;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.policy.SanText;
import org.scepca.ca.policy.ValidatedCsr;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.CertificateStore;
import org.scepca.ca.revocation.RevocationPublisher;
import org.scepca.ca.store.ConflictException;

/**
 * The one issuance path every front end uses: validate the CSR against policy, build the certificate from the
 * policy (never from the CSR's extensions), sign, store with the request's side effects in one transaction.
 * Thread-safe and lock-free: concurrent issuances only meet in the database.
 */
public final class IssuanceEngine {
    private static final int SERIAL_ATTEMPTS = 3;

    private final IssuerIdentity issuer;
    private final IssuancePolicy policy;
    private final CsrValidator validator;
    private final CertificateStore store;
    private final Clock clock;
    private final SerialNumbers serials;
    private final BcX509ExtensionUtils extensionUtils = new BcX509ExtensionUtils();
    private final Extension crlDistributionPoints;
    private final Extension authorityInfoAccess;

    private final RevocationPublisher revocations;
    private final SecureRandom random;
    private final Set<X500Name> reservedNames;
    private final ExtendedKeyUsage clientEkus;

    /**
     * An engine that cannot supersede, whose reserved names are the issuer's own and its issuer's (a one-off engine
     * with its own policy: tests, the CLI; the CA passes all of its names).
     */
    public IssuanceEngine(IssuerIdentity issuer, IssuancePolicy policy, CertificateStore store, Clock clock,
            SecureRandom random) {
        this(issuer, policy, store, clock, random, RevocationPublisher.NONE, Set.of(issuer.name(),
                X500Name.getInstance(issuer.certificate().getIssuerX500Principal().getEncoded())));
    }

    /**
     * @param revocations   publishes the revocation of a superseded certificate before {@link #issue} returns
     * @param reservedNames the CA's own names, which no request may have (see {@link CsrValidator})
     */
    public IssuanceEngine(IssuerIdentity issuer, IssuancePolicy policy, CertificateStore store, Clock clock,
            SecureRandom random, RevocationPublisher revocations, Set<X500Name> reservedNames) {
        this.revocations = Objects.requireNonNull(revocations, "revocations is null");
        this.random = random;
        this.reservedNames = Set.copyOf(reservedNames);
        this.issuer = Objects.requireNonNull(issuer, "issuer is null");
        this.policy = Objects.requireNonNull(policy, "policy is null");
        this.validator = new CsrValidator(policy, reservedNames);
        this.store = Objects.requireNonNull(store, "store is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.serials = new SerialNumbers(Objects.requireNonNull(random, "random is null"));
        this.clientEkus = new ExtendedKeyUsage(policy.clientEkus().stream()
                .map(oid -> KeyPurposeId.getInstance(new ASN1ObjectIdentifier(oid))).toArray(KeyPurposeId[]::new));
        this.crlDistributionPoints = policy.crlUrl().map(u -> extension(Extension.cRLDistributionPoints, new CRLDistPoint(
                new DistributionPoint[] {new DistributionPoint(new DistributionPointName(new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, u.toString()))), null, null)}))).orElse(null);
        List<AccessDescription> aia = new ArrayList<>();
        policy.ocspUrl().ifPresent(u -> aia.add(new AccessDescription(X509ObjectIdentifiers.ocspAccessMethod,
                new GeneralName(GeneralName.uniformResourceIdentifier, u.toString()))));
        policy.caIssuersUrl().ifPresent(u -> aia.add(new AccessDescription(X509ObjectIdentifiers.id_ad_caIssuers,
                new GeneralName(GeneralName.uniformResourceIdentifier, u.toString()))));
        this.authorityInfoAccess = aia.isEmpty() ? null : extension(Extension.authorityInfoAccess,
                new AuthorityInformationAccess(aia.toArray(new AccessDescription[0])));
    }

    /** The same engine (store, CRL publication) with another policy: server certificates with IP SANs, for one. */
    public IssuanceEngine withPolicy(IssuancePolicy other) {
        return new IssuanceEngine(issuer, other, store, clock, random, revocations, reservedNames);
    }

    public IssuancePolicy policy() {
        return policy;
    }

    public IssuerIdentity issuer() {
        return issuer;
    }

    /** Checks a CSR without issuing: lets a front end refuse early (before consuming anything). */
    public ValidatedCsr validate(org.bouncycastle.pkcs.PKCS10CertificationRequest csr) {
        checkIssuerLifetime(clock.instant());
        return validator.validate(csr);
    }

    /** Checks a CSR and its names without issuing (a request about to be parked for approval). */
    public ValidatedCsr validate(org.bouncycastle.pkcs.PKCS10CertificationRequest csr, NameRule names) {
        ValidatedCsr v = validator.validate(csr);
        checkNames(names, v);
        return v;
    }

    /**
     * Issues and stores a certificate.
     *
     * @throws PolicyViolationException if the policy refuses the CSR (nothing stored, nothing consumed)
     * @throws ConflictException        if a side effect lost a race (challenge used, transaction id taken)
     */
    public IssuedCertificate issue(IssuanceRequest request) {
        checkIssuerLifetime(clock.instant());
        ValidatedCsr csr = validator.validate(request.csr());
        checkNames(request.names(), csr);
        if (request.profile() == CertificateProfile.PROFILE_SIGNING) {
            // Its extensions are not the engine's to decide: CertificateMaker.profileSigner builds it.
            throw new PolicyViolationException("profile signing certificates are not issued from CSRs");
        }
        if (request.profile() == CertificateProfile.SERVER && !policy.serverAuthAllowed()) {
            throw new PolicyViolationException("this CA's policy does not issue server certificates");
        }
        List<GeneralName> added = addedDnsNames(request.dnsNames(), csr);
        for (int attempt = 1; ; attempt++) {
            Instant now = clock.instant();
            BigInteger serial = serials.next();
            Signed signed = build(csr, request.profile(), added, request.attestedIdentifiers(), serial, now);
            X509Certificate cert = Pem.certificate(signed.holder());
            CertificateRecord record = record(cert, signed, request, now);
            try {
                store.insertIssued(record, request.effects());
                if (request.effects().supersede().isPresent()) {
                    // The old certificate's revocation committed with this one: no answer before the CRL shows it.
                    revocations.publishCommitted();
                }
                return new IssuedCertificate(cert, record);
            } catch (ConflictException e) {
                // A 159-bit collision is practically impossible; if it happens, sign again with a fresh serial.
                if (e.what() != ConflictException.What.SERIAL_EXISTS || attempt == SERIAL_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Refuses while the issuing CA cannot give a certificate at least {@link IssuancePolicy#minRemaining()} of life:
     * a certificate capped at the CA's notAfter minutes away is a surprise outage for the device, not an issuance.
     *
     * @throws PolicyViolationException naming the CA's expiry ("issuing CA expired" once it has)
     */
    public void checkIssuerLifetime(Instant now) {
        Instant issuerEnd = issuer.certificate().getNotAfter().toInstant();
        if (!issuerEnd.isAfter(now)) {
            throw new PolicyViolationException("issuing CA expired on " + issuerEnd.truncatedTo(ChronoUnit.SECONDS)
                    + "; no certificate can be issued until the CA is rolled over");
        }
        if (issuerEnd.isBefore(now.plus(policy.minRemaining()))) {
            throw new PolicyViolationException("issuing CA expires on " + issuerEnd.truncatedTo(ChronoUnit.SECONDS)
                    + ", sooner than the minimum certificate lifetime (policy.min-validity-days = "
                    + policy.minRemaining().toDays() + "); roll the CA over");
        }
    }

    /**
     * The front end's DNS names that the CSR's subjectAltNames lack (compared ignoring case, RFC 4343), in lower case,
     * each checked as the validator checks a requested dNSName: a DNS name, allowed by the policy's SAN types and
     * pattern, within the SAN limit.
     */
    private List<GeneralName> addedDnsNames(List<String> dnsNames, ValidatedCsr csr) {
        if (dnsNames.isEmpty()) {
            return List.of(); // SCEP, EST and device ACME orders: the CSR's names were checked by the validator
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        for (GeneralName n : csr.subjectAltNames()) {
            if (n.getTagNo() == GeneralName.dNSName) {
                present.add(SanText.of(n).toLowerCase(java.util.Locale.ROOT));
            }
        }
        List<GeneralName> added = new ArrayList<>();
        for (String name : dnsNames) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!present.add("dns:" + lower)) {
                continue;
            }
            java.util.regex.Pattern pattern = policy.sanPatterns().get(org.scepca.ca.policy.SanType.DNS);
            if (!policy.sanTypes().contains(org.scepca.ca.policy.SanType.DNS) || lower.length() > 253
                    || !IssuancePolicy.DNS_NAME.matcher(lower).matches()
                    || (pattern != null && !pattern.matcher(lower).matches())) {
                throw new PolicyViolationException("subjectAltName DNS value is outside policy: " + lower);
            }
            added.add(new GeneralName(GeneralName.dNSName, lower));
        }
        if (csr.subjectAltNames().size() + added.size() > policy.limits().maxSans()) {
            throw new PolicyViolationException("too many subjectAltNames: " + (csr.subjectAltNames().size()
                    + added.size()) + " > " + policy.limits().maxSans() + " (policy.max-sans)");
        }
        return added;
    }

    /** The names the request's authority allows, checked before anything is signed or consumed. */
    private static void checkNames(NameRule names, ValidatedCsr csr) {
        List<String> sans = new ArrayList<>();
        for (GeneralName n : csr.subjectAltNames()) {
            sans.add(SanText.of(n));
        }
        byte[] subjectDer;
        try {
            subjectDer = csr.subject().getEncoded();
        } catch (IOException e) {
            throw new PolicyViolationException("the subject cannot be encoded");
        }
        names.check(NameRule.subjectString(csr.subject()), subjectDer, sans);
    }

    /**
     * The key usage that fits both the key and the extended key usages (RFC 5280 §4.2.1.12 lists, per purpose, the
     * key usage bits consistent with it; zlint's e_key_usage_and_extended_key_usage_inconsistent checks it):
     * digitalSignature always (TLS client authentication signs); for an EC key keyAgreement too (RFC 5480 §3: an EC key
     * cannot encipher keys); for an RSA key keyEncipherment only when a purpose enciphers keys with it (TLS server
     * authentication with RSA key transport, S/MIME). A client-authentication-only RSA certificate is for signing.
     */
    static KeyUsage keyUsage(java.security.PublicKey key, ExtendedKeyUsage eku) {
        if ("EC".equals(key.getAlgorithm())) {
            return new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement);
        }
        boolean enciphers = eku.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth)
                || eku.hasKeyPurposeId(KeyPurposeId.id_kp_emailProtection);
        return new KeyUsage(KeyUsage.digitalSignature | (enciphers ? KeyUsage.keyEncipherment : 0));
    }

    /** A signed certificate with its validity as encoded (read back from the encoding, it would cost a date parse). */
    private record Signed(X509CertificateHolder holder, Instant notBefore, Instant notAfter) {
    }

    private Signed build(ValidatedCsr csr, CertificateProfile profile, List<GeneralName> addedDns,
            List<String> attested, BigInteger serial, Instant now) {
        // Whole seconds, as encoded, so the stored record matches the certificate exactly.
        Instant notBefore = now.minus(policy.backdate()).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.plus(policy.validity()).truncatedTo(ChronoUnit.SECONDS);
        Instant issuerEnd = issuer.certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(issuerEnd)) {
            notAfter = issuerEnd; // never outlive the issuer (RFC 5280 path validation would fail anyway)
        }
        if (!notAfter.isAfter(now)) {
            throw new PolicyViolationException("issuing CA expired; no certificate can be issued");
        }
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(csr.publicKey().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer.name(), serial, Asn1Times.of(notBefore),
                Asn1Times.of(notAfter), csr.subject(), spki);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            ExtendedKeyUsage eku = profile == CertificateProfile.SERVER
                    ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                    : profile == CertificateProfile.CLIENT ? clientEkus
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
            b.addExtension(Extension.keyUsage, true, keyUsage(csr.publicKey(), eku));
            b.addExtension(Extension.extendedKeyUsage, false, eku);
            if (profile == CertificateProfile.ADMIN_CLIENT) {
                // Set by the CA from the profile alone: the mark the mTLS admin connector looks for (RFC 5280 §4.2.1.4).
                b.addExtension(Extension.certificatePolicies, false, new CertificatePolicies(
                        new PolicyInformation(new ASN1ObjectIdentifier(CertificateProfile.ADMIN_POLICY_OID))));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, extensionUtils.createSubjectKeyIdentifier(spki));
            b.addExtension(Extension.authorityKeyIdentifier, false, issuer.authorityKeyIdentifier());
            List<GeneralName> sans = new ArrayList<>(csr.subjectAltNames());
            sans.addAll(addedDns);
            attested.forEach(a -> sans.add(PermanentIdentifiers.generalName(a)));
            if (!sans.isEmpty()) {
                // RFC 5280 §4.2.1.6: critical when the subject is empty.
                b.addExtension(Extension.subjectAlternativeName, csr.subject().getRDNs().length == 0,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            if (crlDistributionPoints != null) {
                b.addExtension(crlDistributionPoints);
            }
            if (authorityInfoAccess != null) {
                b.addExtension(authorityInfoAccess);
            }
            return new Signed(b.build(issuer.newSigner()), notBefore, notAfter);
        } catch (IOException e) {
            throw new IllegalStateException("certificate encoding failed", e);
        }
    }

    private CertificateRecord record(X509Certificate cert, Signed signed, IssuanceRequest request, Instant now) {
        byte[] der;
        try {
            der = signed.holder().getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new CertificateRecord(cert.getSerialNumber(), issuer.dn(), cert.getSubjectX500Principal().getName(),
                sanStrings(cert), signed.notBefore(), signed.notAfter(), CertificateStatus.VALID,
                Optional.empty(), Optional.empty(), request.effects().request().map(r -> r.transactionId()),
                request.requester(), request.profile(), now, Pem.sha256Hex(der), der, request.issuedFor());
    }

    /** SANs as "type:value" strings for the store and search. */
    public static List<String> sanStrings(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectAlternativeName.getId());
        if (ext == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        GeneralNames names = GeneralNames.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        for (GeneralName n : names.getNames()) {
            out.add(SanText.of(n));
        }
        return out;
    }

    private static Extension extension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, ASN1Encodable value) {
        try {
            return new Extension(oid, false, value.toASN1Primitive().getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
