package org.scepca.ca.policy;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
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
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.scepca.ca.keys.SignatureVerifiers;

/**
 * Checks a PKCS#10 request against the {@link IssuancePolicy}. Refuses, with a reason a requester can act on, any
 * request for CA powers (CA:TRUE, keyCertSign, cRLSign, name constraints), weak keys, weak or broken signatures,
 * subject attributes or SANs outside policy. Other requested extensions are ignored: none is ever copied.
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
    private static final int MAX_ATTRIBUTE_LENGTH = 256;
    private static final SignatureVerifiers VERIFIERS = new SignatureVerifiers();

    private final IssuancePolicy policy;
    private final Map<ASN1ObjectIdentifier, String> attributeNames;

    public CsrValidator(IssuancePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy is null");
        var names = new java.util.HashMap<ASN1ObjectIdentifier, String>();
        for (String shortName : policy.subjectAttributes()) {
            ASN1ObjectIdentifier oid = BCStyle.INSTANCE.attrNameToOID(shortName);
            names.put(oid, shortName);
        }
        this.attributeNames = Map.copyOf(names);
    }

    public ValidatedCsr validate(PKCS10CertificationRequest csr) {
        Objects.requireNonNull(csr, "csr is null");
        PublicKey key = publicKey(csr);
        checkSignatureAlgorithm(csr.getSignatureAlgorithm());
        checkKey(key);
        checkSignature(csr, key);
        X500Name subject = csr.getSubject();
        checkSubject(subject);
        Extensions requested = csr.getRequestedExtensions();
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
        return new ValidatedCsr(subject, key, sans);
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
            RSASSAPSSparams p = RSASSAPSSparams.getInstance(alg.getParameters());
            if (STRONG_PSS_DIGESTS.contains(p.getHashAlgorithm().getAlgorithm())) {
                return;
            }
        }
        throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                "the request is signed with " + oid.getId() + "; SHA-256 or stronger is required");
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
            var e = rsa.getPublicExponent();
            if (!e.testBit(0) || e.compareTo(java.math.BigInteger.valueOf(3)) < 0) {
                throw new PolicyViolationException("RSA public exponent is invalid");
            }
            return;
        }
        if (key instanceof ECPublicKey ec) {
            String curve = curveName(ec);
            if (curve == null || !policy.allowedCurves().contains(curve)) {
                throw new PolicyViolationException("EC curve " + (curve == null ? "(unnamed)" : curve)
                        + " is not allowed; allowed: " + policy.allowedCurves());
            }
            return;
        }
        throw new PolicyViolationException(PolicyViolationException.Kind.BAD_ALGORITHM,
                "key algorithm " + key.getAlgorithm() + " is not allowed; RSA or EC is required");
    }

    private static String curveName(ECPublicKey key) {
        int size = key.getParams().getCurve().getField().getFieldSize();
        // The JDK does not expose the curve OID on ECParameterSpec; the named curves we allow differ in field size.
        return switch (size) {
            case 256 -> sameCurve(key, "secp256r1") ? "secp256r1" : null;
            case 384 -> sameCurve(key, "secp384r1") ? "secp384r1" : null;
            case 521 -> sameCurve(key, "secp521r1") ? "secp521r1" : null;
            default -> null;
        };
    }

    private static boolean sameCurve(ECPublicKey key, String name) {
        try {
            var params = java.security.AlgorithmParameters.getInstance("EC");
            params.init(new java.security.spec.ECGenParameterSpec(name));
            var spec = params.getParameterSpec(java.security.spec.ECParameterSpec.class);
            return spec.getCurve().equals(key.getParams().getCurve()) && spec.getGenerator().equals(key.getParams().getGenerator());
        } catch (java.security.GeneralSecurityException e) {
            return false;
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

    private void checkSubject(X500Name subject) {
        for (RDN rdn : subject.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                String name = attributeNames.get(atv.getType());
                if (name == null) {
                    throw new PolicyViolationException("subject attribute " + displayName(atv.getType()) + " is not allowed");
                }
                ASN1Encodable value = atv.getValue();
                if (!(value instanceof ASN1String s)) {
                    throw new PolicyViolationException("subject attribute " + name + " is not a string");
                }
                String text = s.getString();
                if (text.isEmpty() || text.length() > MAX_ATTRIBUTE_LENGTH || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    throw new PolicyViolationException("subject attribute " + name + " is empty, too long or has control characters");
                }
            }
        }
    }

    private static String displayName(ASN1ObjectIdentifier oid) {
        String n = BCStyle.INSTANCE.oidToDisplayName(oid);
        return n != null ? n : oid.getId();
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
        if (all.length > policy.maxSans()) {
            throw new PolicyViolationException("too many subjectAltNames: " + all.length + " > " + policy.maxSans());
        }
        List<GeneralName> out = new ArrayList<>();
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
            if (type == SanType.URI && value.regionMatches(true, 0, IssuancePolicy.INTUNE_SID_PREFIX, 0,
                    IssuancePolicy.INTUNE_SID_PREFIX.length())) {
                if (!policy.allowIntuneSid()) {
                    throw new PolicyViolationException("Intune SID URIs are not enabled in this CA's policy");
                }
            } else {
                var pattern = policy.sanPatterns().get(type);
                if (pattern != null && !pattern.matcher(value).matches()) {
                    throw new PolicyViolationException("subjectAltName " + type + " value is outside policy: " + printable(value));
                }
            }
            out.add(n);
        }
        return out;
    }

    private static String ia5(GeneralName n) {
        ASN1Encodable v = n.getName();
        if (v instanceof DERIA5String s) {
            return s.getString();
        }
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
        ASN1Sequence seq = ASN1Sequence.getInstance(n.getName());
        ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(seq.getObjectAt(0));
        if (!UPN_OID.equals(type)) {
            throw new PolicyViolationException("subjectAltName otherName " + type.getId() + " is not allowed");
        }
        ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(seq.getObjectAt(1));
        ASN1Encodable value = tagged.getExplicitBaseObject();
        if (value instanceof ASN1String s) {
            return s.getString();
        }
        throw new PolicyViolationException("subjectAltName UPN is not a string");
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[\\p{Cntrl}]", "?");
    }
}
