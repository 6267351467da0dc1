package org.scepca.ca.policy;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.scepca.ca.keys.SignatureVerifiers;
import org.scepca.ca.store.ColumnSizes;

/**
 * Checks a PKCS#10 request against the {@link IssuancePolicy}. Refuses, with a reason a requester can act on, any
 * request for CA powers (CA:TRUE, keyCertSign, cRLSign, name constraints), weak keys, explicit EC parameters, weak or
 * broken signatures, subject attributes or SANs outside policy, beyond the {@link RequestLimits}, with unsafe
 * characters ({@link UnsafeText}) or naming the CA itself, and ambiguous requests (an attribute or an extension
 * twice). Other requested extensions are ignored: none is ever copied.
 */
public final class CsrValidator {
    /** Microsoft UPN otherName (ntPrincipalName in Apple's SCEP payload). */
    public static final ASN1ObjectIdentifier UPN_OID = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3");

    private static final Set<ASN1ObjectIdentifier> STRONG_SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption, X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384, X9ObjectIdentifiers.ecdsa_with_SHA512);
    private static final Set<ASN1ObjectIdentifier> STRONG_PSS_DIGESTS = Set.of(
            NISTObjectIdentifiers.id_sha256, NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);
    /** The named curves a policy may allow, by their RFC 5480 §2.1.1.1 OIDs. */
    private static final Map<ASN1ObjectIdentifier, String> NAMED_CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "secp256r1", SECObjectIdentifiers.secp384r1, "secp384r1",
            SECObjectIdentifiers.secp521r1, "secp521r1");
    private static final SignatureVerifiers VERIFIERS = new SignatureVerifiers();
    /** A DNS name's text form without the trailing dot: 255 octets on the wire (RFC 1035 §2.3.4). */
    private static final int MAX_DNS_NAME = 253;

    private final IssuancePolicy policy;
    private final RequestLimits limits;
    private final Map<ASN1ObjectIdentifier, String> attributeNames;
    private final Set<String> reservedDns;
    private final Set<String> reservedLabels;

    public CsrValidator(IssuancePolicy policy) {
        this(policy, Set.of());
    }

    /**
     * @param reservedNames the CA's own names (root, issuing CA, RA, OCSP responder, ...): a request for one of them,
     *                      or for a subject CN or SAN equal to one of their CNs, is refused, so that no device can
     *                      pass for the CA in a log, a trust dialog or a name-based rule
     */
    public CsrValidator(IssuancePolicy policy, Collection<X500Name> reservedNames) {
        this.policy = Objects.requireNonNull(policy, "policy is null");
        this.limits = policy.limits();
        var names = new HashMap<ASN1ObjectIdentifier, String>();
        for (String shortName : policy.subjectAttributes()) {
            ASN1ObjectIdentifier oid = BCStyle.INSTANCE.attrNameToOID(shortName);
            names.put(oid, shortName);
        }
        this.attributeNames = Map.copyOf(names);
        Set<String> dns = new HashSet<>();
        Set<String> labels = new HashSet<>();
        for (X500Name n : reservedNames) {
            dns.add(canonical(n));
            for (RDN rdn : n.getRDNs(BCStyle.CN)) {
                for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                    if (atv.getType().equals(BCStyle.CN) && atv.getValue() instanceof ASN1String s) {
                        labels.add(label(s.getString()));
                    }
                }
            }
        }
        this.reservedDns = Set.copyOf(dns);
        this.reservedLabels = Set.copyOf(labels);
    }

    public ValidatedCsr validate(PKCS10CertificationRequest csr) {
        Objects.requireNonNull(csr, "csr is null");
        checkSize(csr);
        checkSignatureAlgorithm(csr.getSignatureAlgorithm());
        checkKeyAlgorithm(csr.getSubjectPublicKeyInfo());
        PublicKey key = publicKey(csr);
        checkKey(key);
        checkSignature(csr, key);
        X500Name subject = checkSubject(csr.getSubject());
        Extensions requested = requestedExtensions(csr);
        List<GeneralName> sans = new ArrayList<>();
        if (requested != null) {
            checkNoCaPowers(requested);
            Extension san = requested.getExtension(Extension.subjectAlternativeName);
            if (san != null) {
                sans = checkSans(san);
            }
        }
        if (subject.getRDNs().length == 0 && sans.isEmpty()) {
            throw new PolicyViolationException("the request has neither a subject nor a subjectAltName");
        }
        sans = withSubjectEmails(subject, sans);
        checkStoredText(subject, sans);
        return new ValidatedCsr(subject, key, sans);
    }

    private void checkSize(PKCS10CertificationRequest csr) {
        int size;
        if (csr instanceof ReceivedCsr received) {
            size = received.receivedLength();
        } else {
            try {
                size = csr.getEncoded().length;
            } catch (IOException e) {
                throw new PolicyViolationException("the request cannot be encoded");
            }
        }
        if (size > limits.maxCsrBytes()) {
            throw new PolicyViolationException("the request is " + size + " bytes; the limit is " + limits.maxCsrBytes()
                    + " (policy.max-csr-bytes)");
        }
    }

    private static PublicKey publicKey(PKCS10CertificationRequest csr) {
        try {
            return new JcaPKCS10CertificationRequest(csr).getPublicKey();
        } catch (Exception e) {
            throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                    "the request's public key is unsupported or malformed");
        }
    }

    private static void checkSignatureAlgorithm(AlgorithmIdentifier alg) {
        ASN1ObjectIdentifier oid = alg.getAlgorithm();
        if (STRONG_SIGNATURES.contains(oid)) {
            return;
        }
        if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid) && alg.getParameters() != null) {
            RSASSAPSSparams p;
            try {
                p = RSASSAPSSparams.getInstance(alg.getParameters());
            } catch (RuntimeException e) {
                throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                        "the request's RSASSA-PSS parameters are malformed");
            }
            if (STRONG_PSS_DIGESTS.contains(p.getHashAlgorithm().getAlgorithm())) {
                return;
            }
        }
        throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                "the request is signed with " + oid.getId() + "; SHA-256 or stronger is required");
    }

    /**
     * RFC 5480 §2.1.1: an EC key must name its curve (namedCurve); implicitCurve and specifiedCurve (explicit
     * parameters) "MUST NOT be used". Explicit parameters let a key claim a known curve while bringing its own
     * generator (CVE-2020-0601), so they are refused however closely they resemble an allowed curve.
     */
    private void checkKeyAlgorithm(SubjectPublicKeyInfo spki) {
        AlgorithmIdentifier alg = spki.getAlgorithm();
        if (PKCSObjectIdentifiers.rsaEncryption.equals(alg.getAlgorithm())) {
            // Checked on the encoding, not after a provider has (or has not) refused to build a key from it.
            BigInteger e;
            try {
                e = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey()).getPublicExponent();
            } catch (IOException | RuntimeException ex) {
                throw new PolicyViolationException("the request's RSA public key is malformed");
            }
            checkRsaExponent(e);
            return;
        }
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
            return;
        }
        ASN1ObjectIdentifier curve = requireNamedCurve(spki);
        String name = NAMED_CURVES.get(curve);
        if (name == null || !policy.allowedCurves().contains(name)) {
            throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM, "EC curve "
                    + (name == null ? curve.getId() : name) + " is not allowed; allowed: " + policy.allowedCurves());
        }
    }

    /**
     * The named curve of an EC key, refusing explicit or implicit parameters (RFC 5480 §2.1.1) as an algorithm
     * problem; front ends call it before they verify a signature with such a key.
     */
    public static ASN1ObjectIdentifier requireNamedCurve(SubjectPublicKeyInfo spki) {
        if (!(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve)) {
            throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                    "the request's EC key has explicit curve parameters; only named curves are allowed (RFC 5480)");
        }
        return curve;
    }

    private void checkKey(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < policy.minRsaBits()) {
                throw new PolicyViolationException("RSA key of " + bits + " bits is too weak; at least "
                        + policy.minRsaBits() + " are required");
            }
            if (bits > policy.maxRsaBits()) {
                throw new PolicyViolationException("RSA key of " + bits + " bits exceeds the limit of " + policy.maxRsaBits());
            }
            checkRsaExponent(rsa.getPublicExponent());
            return;
        }
        if (key instanceof ECPublicKey) {
            return; // the curve was checked on the encoded key, by name
        }
        throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                "key algorithm " + key.getAlgorithm() + " is not allowed; RSA or EC is required");
    }

    /** An even exponent is not invertible; e = 1 is no encryption at all (RFC 8017 §3.1: 3 ≤ e ≤ n − 1, odd). */
    private static void checkRsaExponent(BigInteger e) {
        if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
            throw new PolicyViolationException("RSA public exponent is invalid");
        }
    }

    private static void checkSignature(PKCS10CertificationRequest csr, PublicKey key) {
        boolean valid;
        try {
            valid = CsrSignature.isValid(csr, VERIFIERS.forKey(key));
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw new PolicyViolationException("the request's signature does not verify");
        }
    }

    /**
     * Checks the subject and returns it as the CA encodes it: the same attributes and values, each in the string type
     * its syntax prescribes ({@link SubjectAttributeSyntax}), never the requester's bytes.
     */
    private X500Name checkSubject(X500Name subject) {
        int[] count = {0};
        X500Name encoded = X500Match.mapValues(subject, atv -> {
            if (++count[0] > limits.maxSubjectAttributes()) {
                throw new PolicyViolationException("the subject has more than " + limits.maxSubjectAttributes()
                        + " attributes (policy.max-subject-attributes)");
            }
            String name = attributeNames.get(atv.getType());
            if (name == null) {
                throw new PolicyViolationException("subject attribute " + displayName(atv.getType()) + " is not allowed");
            }
            ASN1Encodable value = atv.getValue();
            if (!(value instanceof ASN1String s)) {
                throw new PolicyViolationException("subject attribute " + name + " is not a string");
            }
            String text = s.getString();
            if (text.isEmpty()) {
                throw new PolicyViolationException("subject attribute " + name + " is empty");
            }
            if (text.length() > limits.maxAttributeLength()) {
                throw new PolicyViolationException("subject attribute " + name + " is longer than "
                        + limits.maxAttributeLength() + " characters (policy.max-attribute-length)");
            }
            checkCharacters("subject attribute " + name, text);
            if (atv.getType().equals(BCStyle.CN) && reservedLabels.contains(label(text))) {
                throw new PolicyViolationException("the subject's CN is the name of this CA; it cannot be requested");
            }
            return new AttributeTypeAndValue(atv.getType(), SubjectAttributeSyntax.encode(atv.getType(), name, value, text));
        });
        if (!reservedDns.isEmpty() && subject.getRDNs().length > 0 && reservedDns.contains(canonical(subject))) {
            throw new PolicyViolationException("the subject is the name of this CA; it cannot be requested");
        }
        return encoded;
    }

    /**
     * RFC 5280 §4.1.2.6: an email address in the subject (the legacy emailAddress attribute) must also be in the
     * subjectAltName as an rfc822Name, where applications look for it. Microsoft's documented Intune subject formats
     * put {@code E={{EmailAddress}}} in the subject alone, so the CA adds the SAN itself rather than refusing; the
     * added name goes through the same SAN policy, and the request's authority (a challenge's binding, a renewal's
     * certificate) is checked on it like on any requested name.
     */
    private List<GeneralName> withSubjectEmails(X500Name subject, List<GeneralName> sans) {
        List<GeneralName> out = new ArrayList<>(sans);
        for (RDN rdn : subject.getRDNs(BCStyle.E)) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (!atv.getType().equals(BCStyle.E)) {
                    continue;
                }
                String email = ((ASN1String) atv.getValue()).getString();
                boolean inSans = out.stream().anyMatch(n -> n.getTagNo() == GeneralName.rfc822Name
                        && ((ASN1String) n.getName()).getString().equalsIgnoreCase(email));
                if (inSans) {
                    continue;
                }
                var pattern = policy.sanPatterns().get(SanType.EMAIL);
                if (!policy.sanTypes().contains(SanType.EMAIL) || pattern != null && !pattern.matcher(email).matches()) {
                    throw new PolicyViolationException("the subject's email address " + printable(email) + " would need"
                            + " an email subjectAltName (RFC 5280 §4.1.2.6), which this policy does not allow");
                }
                if (out.size() >= limits.maxSans()) {
                    throw new PolicyViolationException("too many subjectAltNames with the subject's email address: "
                            + (out.size() + 1) + " > " + limits.maxSans() + " (policy.max-sans)");
                }
                out.add(new GeneralName(GeneralName.rfc822Name, email));
            }
        }
        return out;
    }

    private static void checkCharacters(String what, String text) {
        UnsafeText.firstUnsafe(text).ifPresent(cp -> {
            throw new PolicyViolationException(what + " contains the control or format character "
                    + UnsafeText.describe(cp));
        });
    }

    private static String displayName(ASN1ObjectIdentifier oid) {
        String n = BCStyle.INSTANCE.oidToDisplayName(oid);
        return n != null ? n : oid.getId();
    }

    /**
     * The requested extensions, refusing ambiguity: an attribute type given twice (two extensionRequests, two
     * challengePasswords), an attribute with other than one value, or an extension repeated within the request
     * (RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension"; which copy
     * a reader honours is up to the reader).
     */
    private static Extensions requestedExtensions(PKCS10CertificationRequest csr) {
        Set<ASN1ObjectIdentifier> seen = new HashSet<>();
        Attribute extensionRequest = null;
        for (Attribute a : csr.getAttributes()) {
            if (!seen.add(a.getAttrType())) {
                throw new PolicyViolationException("the request has attribute " + a.getAttrType().getId() + " twice");
            }
            ASN1Set values = a.getAttrValues();
            if (values == null || values.size() != 1) {
                throw new PolicyViolationException("the request's attribute " + a.getAttrType().getId()
                        + " must have exactly one value");
            }
            if (PKCSObjectIdentifiers.pkcs_9_at_extensionRequest.equals(a.getAttrType())) {
                extensionRequest = a;
            }
        }
        if (extensionRequest == null) {
            return null;
        }
        ASN1Sequence list;
        try {
            list = ASN1Sequence.getInstance(extensionRequest.getAttrValues().getObjectAt(0));
        } catch (RuntimeException e) {
            throw new PolicyViolationException("the request's extensionRequest is malformed");
        }
        Set<ASN1ObjectIdentifier> oids = new HashSet<>();
        List<Extension> extensions = new ArrayList<>();
        for (ASN1Encodable e : list) {
            Extension ext;
            try {
                ext = Extension.getInstance(e);
            } catch (RuntimeException ex) {
                throw new PolicyViolationException("the request's extensionRequest is malformed");
            }
            if (!oids.add(ext.getExtnId())) {
                throw new PolicyViolationException("the request asks for extension " + ext.getExtnId().getId() + " twice");
            }
            extensions.add(ext);
        }
        return extensions.isEmpty() ? null : new Extensions(extensions.toArray(new Extension[0]));
    }

    private static void checkNoCaPowers(Extensions requested) {
        Extension bc = requested.getExtension(Extension.basicConstraints);
        if (bc != null) {
            BasicConstraints c;
            try {
                c = BasicConstraints.getInstance(bc.getParsedValue());
            } catch (RuntimeException e) {
                throw new PolicyViolationException("the request's basicConstraints extension is malformed");
            }
            if (c.isCA()) {
                throw new PolicyViolationException("the request asks for CA:TRUE; this CA issues end-entity certificates only");
            }
        }
        Extension ku = requested.getExtension(Extension.keyUsage);
        if (ku != null) {
            KeyUsage usage;
            try {
                usage = KeyUsage.getInstance(ku.getParsedValue());
            } catch (RuntimeException e) {
                throw new PolicyViolationException("the request's keyUsage extension is malformed");
            }
            if (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign)) {
                throw new PolicyViolationException("the request asks for keyCertSign or cRLSign; those are reserved for CAs");
            }
        }
        if (requested.getExtension(Extension.nameConstraints) != null) {
            throw new PolicyViolationException("the request asks for name constraints; those are reserved for CAs");
        }
        if (requested.getExtension(Extension.policyConstraints) != null
                || requested.getExtension(Extension.inhibitAnyPolicy) != null) {
            throw new PolicyViolationException("the request asks for policy constraints; those are reserved for CAs");
        }
    }

    private List<GeneralName> checkSans(Extension ext) {
        GeneralNames names;
        try {
            names = GeneralNames.getInstance(ext.getParsedValue());
        } catch (RuntimeException e) {
            throw new PolicyViolationException("the request's subjectAltName extension is malformed");
        }
        GeneralName[] all = names.getNames();
        if (all.length > limits.maxSans()) {
            throw new PolicyViolationException("too many subjectAltNames: " + all.length + " > " + limits.maxSans()
                    + " (policy.max-sans)");
        }
        List<GeneralName> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GeneralName n : all) {
            SanType type;
            String value;
            switch (n.getTagNo()) {
                case GeneralName.dNSName -> { type = SanType.DNS; value = ia5(n); }
                case GeneralName.rfc822Name -> { type = SanType.EMAIL; value = ia5(n); }
                case GeneralName.uniformResourceIdentifier -> { type = SanType.URI; value = ia5(n); }
                case GeneralName.iPAddress -> { type = SanType.IP; value = ip(n); }
                case GeneralName.otherName -> { type = SanType.UPN; value = upn(n); }
                default -> throw new PolicyViolationException("subjectAltName type " + n.getTagNo() + " is not allowed");
            }
            if (!policy.sanTypes().contains(type)) {
                throw new PolicyViolationException("subjectAltName type " + type + " is not allowed");
            }
            if (value.length() > limits.maxSanLength()) {
                throw new PolicyViolationException("subjectAltName " + type + " is longer than " + limits.maxSanLength()
                        + " characters (policy.max-san-length)");
            }
            checkCharacters("subjectAltName " + type, value);
            if (n.getTagNo() != GeneralName.iPAddress && n.getTagNo() != GeneralName.otherName
                    && !value.chars().allMatch(c -> c < 0x80)) {
                // IA5String (RFC 5280 §4.2.1.6): internationalised names go in as A-labels (RFC 5890) or punycode.
                throw new PolicyViolationException("subjectAltName " + type + " must be ASCII (an IA5String)");
            }
            if (type == SanType.DNS && value.length() > MAX_DNS_NAME) {
                throw new PolicyViolationException("subjectAltName DNS is longer than " + MAX_DNS_NAME
                        + " characters (RFC 1035 §2.3.4)");
            }
            if (reservedLabels.contains(label(value))) {
                throw new PolicyViolationException("subjectAltName " + type + " is the name of this CA; it cannot be requested");
            }
            if (type == SanType.URI && value.regionMatches(true, 0, IssuancePolicy.INTUNE_SID_PREFIX, 0,
                    IssuancePolicy.INTUNE_SID_PREFIX.length())) {
                if (!policy.allowIntuneSid()) {
                    throw new PolicyViolationException("Intune SID URIs are not enabled in this CA's policy");
                }
            } else {
                var pattern = policy.sanPatterns().get(type);
                if (pattern != null && !pattern.matcher(value).matches() && !(type == SanType.DNS
                        && pattern.matcher(value.toLowerCase(Locale.ROOT)).matches())) {
                    // A DNS name is case-insensitive (RFC 4343 §2): WWW.Example.org is www.example.org, which a
                    // pattern written in lower case admits (ACME checks an order's names, kept in lower case, at
                    // newOrder; its CSR may spell them as the user typed them: lego -d WWW.Example.org).
                    throw new PolicyViolationException("subjectAltName " + type + " value is outside policy: " + printable(value));
                }
            }
            // The same name twice says nothing more (zlint's san_dns_name_duplicate): the certificate carries it once.
            String key = SanText.of(n);
            if (seen.add(type == SanType.DNS ? key.toLowerCase(Locale.ROOT) : key)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The subject and SANs as the store will keep them (RFC 4514 strings whose escapes make them longer than the
     * values; Bouncy Castle's form for the request record; the lower-cased search text) must fit the limits, which
     * are inside the columns: a request within policy never fails in the store.
     */
    private void checkStoredText(X500Name subject, List<GeneralName> sans) {
        String rfc4514;
        try {
            rfc4514 = new X500Principal(subject.getEncoded()).getName();
        } catch (IOException | IllegalArgumentException e) {
            throw new PolicyViolationException("the request's subject is malformed");
        }
        int subjectLength = Math.max(rfc4514.length(), subject.toString().length());
        if (subjectLength > limits.maxSubjectLength()) {
            throw new PolicyViolationException("the subject is longer than " + limits.maxSubjectLength()
                    + " characters (policy.max-subject-length)");
        }
        List<String> stored = sans.stream().map(SanText::of).toList();
        String joined = String.join("\n", stored);
        if (joined.length() > limits.maxSansLength()) {
            throw new PolicyViolationException("the subjectAltNames are longer than " + limits.maxSansLength()
                    + " characters together (policy.max-sans-length)");
        }
        // Lower-casing can lengthen text (U+0130 becomes two characters): measure what the store will write.
        if ((rfc4514 + "\n" + joined).toLowerCase(Locale.ROOT).length() > ColumnSizes.SEARCH_TEXT) {
            throw new PolicyViolationException("the subject and subjectAltNames are too long together");
        }
    }

    private static String ia5(GeneralName n) {
        ASN1Encodable v = n.getName();
        if (v instanceof ASN1String s) {
            return s.getString();
        }
        throw new PolicyViolationException("subjectAltName value is not a string");
    }

    private static String ip(GeneralName n) {
        byte[] b = ASN1OctetString.getInstance(n.getName()).getOctets();
        if (b.length != 4 && b.length != 16) {
            throw new PolicyViolationException("subjectAltName IP address has a bad length");
        }
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new PolicyViolationException("subjectAltName IP address is malformed");
        }
    }

    private static String upn(GeneralName n) {
        ASN1ObjectIdentifier type;
        ASN1Encodable value;
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(n.getName());
            type = ASN1ObjectIdentifier.getInstance(seq.getObjectAt(0));
            value = ASN1TaggedObject.getInstance(seq.getObjectAt(1)).getExplicitBaseObject();
        } catch (RuntimeException e) {
            throw new PolicyViolationException("subjectAltName otherName is malformed");
        }
        if (PermanentIdentifiers.OID.equals(type)) {
            throw new PolicyViolationException("subjectAltName permanentIdentifier is not requested: the CA writes it"
                    + " for an identifier an attestation proved");
        }
        if (!UPN_OID.equals(type)) {
            throw new PolicyViolationException("subjectAltName otherName " + type.getId() + " is not allowed");
        }
        if (value instanceof ASN1String s) {
            return s.getString();
        }
        throw new PolicyViolationException("subjectAltName UPN is not a string");
    }

    /** Compared like X.500 names are matched (RFC 5280 §7.1): case, spacing and string types do not make another name. */
    private static String canonical(X500Name name) {
        return X500Match.key(name);
    }

    /** A name as a person reads it: compatibility forms folded, case and runs of spaces ignored. */
    private static String label(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[\\p{Cntrl}]", "?");
    }
}
