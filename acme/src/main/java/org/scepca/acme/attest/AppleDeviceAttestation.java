package org.scepca.acme.attest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.scepca.acme.AcmeProblem;
import org.scepca.acme.Identifier;

/**
 * Verifies the answer of an Apple device to a device-attest-01 challenge (draft-ietf-acme-device-attest section 5,
 * Apple Managed Device Attestation). The answer's {@code attObj} is a CBOR map {@code {fmt: "apple", attStmt: {x5c:
 * [leaf, intermediate...]}, authData}}; Apple vouches for the device in the leaf certificate it issued for a key in
 * the device's Secure Enclave. This class checks, and refuses with {@link AcmeProblem} otherwise:
 * <ol>
 * <li>the CBOR is well formed (one item, no duplicate keys, bounded), {@code fmt} is {@code apple}, {@code x5c} is a
 * non-empty array of certificates;</li>
 * <li>the chain leads to Apple's Enterprise Attestation Root CA (pinned, with its SHA-256 fingerprint checked at
 * load) and every certificate, root included, is valid now;</li>
 * <li>the freshness code (OID 1.2.840.113635.100.8.11.1) is present and equals SHA-256 of the challenge token. It is
 * <em>required</em>: without it an attestation captured once could be replayed for ever (step-ca accepts a leaf
 * without it; we do not);</li>
 * <li>the order's {@code permanent-identifier} equals the attested serial number (1.2.840.113635.100.8.9.1) or UDID
 * (1.2.840.113635.100.8.9.2).</li>
 * </ol>
 * The result ({@link AttestedDevice}) carries the attested key, which finalize must find in the CSR, and the OS
 * (1.2.840.113635.100.8.10.1) and sepOS (1.2.840.113635.100.8.10.2) versions for the certificate's record.
 *
 * <p>Encodings, as live Apple certificates have them (and smallstep's step-ca reads them): each extension's extnValue
 * OCTET STRING holds the value itself, unwrapped: the UTF-8 text of the serial number, UDID or version, and the 32
 * bytes of the freshness code. A value wrapped once more in a DER string or OCTET STRING is accepted too, since the
 * two readings cannot be confused (an unwrapped serial never starts with a DER tag byte, and a wrapped digest is 34
 * bytes, not 32). {@code authData} is not used: Apple's freshness lives in the leaf, signed by Apple.
 *
 * <p>Thread-safe; one instance serves every endpoint.
 */
public final class AppleDeviceAttestation {
    public static final String CHALLENGE_TYPE = "device-attest-01";
    public static final String FORMAT = "apple";

    static final String OID_SERIAL_NUMBER = "1.2.840.113635.100.8.9.1";
    static final String OID_UDID = "1.2.840.113635.100.8.9.2";
    static final String OID_OS_VERSION = "1.2.840.113635.100.8.10.1";
    static final String OID_SEPOS_VERSION = "1.2.840.113635.100.8.10.2";
    static final String OID_FRESHNESS_CODE = "1.2.840.113635.100.8.11.1";
    private static final String APPLE_ATTESTATION_ARC = "1.2.840.113635.100.8.";
    private static final Set<String> APPLE_OIDS = Set.of(OID_SERIAL_NUMBER, OID_UDID, OID_OS_VERSION,
            OID_SEPOS_VERSION, OID_FRESHNESS_CODE);

    /** Apple's answers are a few KiB (two certificates); anything far larger is not one. */
    static final int MAX_ATTESTATION_OBJECT = 64 * 1024;
    /** Leaf and intermediate in practice; a little room, and a bound on the work a client can ask for. */
    static final int MAX_CHAIN = 4;
    private static final int MAX_NESTING = 8;
    private static final int SHA256_LENGTH = 32;

    static final String ROOT_RESOURCE = "apple-enterprise-attestation-root-ca.pem";
    /**
     * SHA-256 of the DER of Apple Enterprise Attestation Root CA (P-384, 2022-02-16 to 2047-02-20), as published at
     * https://www.apple.com/certificateauthority/private/ and embedded byte for byte the same by step-ca: a resource
     * edited by mistake (or on purpose) stops the server instead of trusting another root.
     */
    static final String ROOT_SHA256 = "ccf59ef8fcb3017d97f8b5fa6fa90e7a3f9283f76b55ac6cf6eda8b8b949f05b";

    private static final ObjectMapper CBOR = CBORMapper.builder(CBORFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxStringLength(MAX_ATTESTATION_OBJECT)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final List<TrustAnchor> anchors;

    /** Trusts Apple's Enterprise Attestation Root CA only: the one constructor for production. */
    public AppleDeviceAttestation(Clock clock) {
        this(clock, List.of());
    }

    /**
     * Trusts Apple's root and {@code testRoots}. Package-private on purpose: only tests (in this package) can add a
     * root; no configuration key reaches this constructor.
     */
    AppleDeviceAttestation(Clock clock, Collection<X509Certificate> testRoots) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
        List<TrustAnchor> list = new ArrayList<>();
        list.add(new TrustAnchor(appleEnterpriseAttestationRoot(), null));
        for (X509Certificate root : testRoots) {
            list.add(new TrustAnchor(Objects.requireNonNull(root, "test root is null"), null));
        }
        this.anchors = List.copyOf(list);
    }

    /** Apple Enterprise Attestation Root CA, loaded from the class path and checked against its fingerprint. */
    public static X509Certificate appleEnterpriseAttestationRoot() {
        try (InputStream in = AppleDeviceAttestation.class.getResourceAsStream(ROOT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + ROOT_RESOURCE + " is missing");
            }
            X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            String fingerprint = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(root.getEncoded()));
            if (!fingerprint.equals(ROOT_SHA256)) {
                throw new IllegalStateException("resource " + ROOT_RESOURCE
                        + " is not Apple Enterprise Attestation Root CA (SHA-256 " + fingerprint + ")");
            }
            return root;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + ROOT_RESOURCE, e);
        }
    }

    /**
     * Verifies a device-attest-01 challenge response: the JWS payload {@code {"attObj": "<base64url>"}}
     * (draft-ietf-acme-device-attest section 5).
     */
    public AttestedDevice verifyChallengeResponse(byte[] payload, String token, Identifier identifier) {
        Objects.requireNonNull(payload, "payload is null");
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (IOException e) {
            throw badStatement("the challenge response is not JSON");
        }
        JsonNode attObj = node == null ? null : node.get("attObj");
        if (attObj == null || !attObj.isTextual()) {
            throw badStatement("the challenge response has no attObj string");
        }
        return verify(attObj.textValue(), token, identifier);
    }

    /** Verifies {@code attObj} as sent: base64url of the CBOR attestation object, unpadded (padding tolerated). */
    public AttestedDevice verify(String attObjBase64Url, String token, Identifier identifier) {
        Objects.requireNonNull(attObjBase64Url, "attObjBase64Url is null");
        if (attObjBase64Url.length() > MAX_ATTESTATION_OBJECT * 4 / 3 + 4) {
            throw badStatement("attObj is larger than " + MAX_ATTESTATION_OBJECT + " bytes");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(attObjBase64Url);
        } catch (IllegalArgumentException e) {
            throw badStatement("attObj is not base64url");
        }
        return verify(raw, token, identifier);
    }

    /** Verifies the CBOR attestation object for the challenge {@code token} and the order's {@code identifier}. */
    public AttestedDevice verify(byte[] attestationObject, String token, Identifier identifier) {
        Objects.requireNonNull(attestationObject, "attestationObject is null");
        Objects.requireNonNull(token, "token is null");
        Objects.requireNonNull(identifier, "identifier is null");
        String wanted = checkIdentifier(identifier);
        List<X509Certificate> chain = parse(attestationObject);
        verifyChain(chain);
        X509Certificate leaf = chain.get(0);

        byte[] expected = sha256(token.getBytes(StandardCharsets.UTF_8));
        byte[] freshness = freshnessCode(leaf).orElseThrow(() -> badStatement(
                "the attestation has no freshness code (OID " + OID_FRESHNESS_CODE + "); it is required"));
        if (!MessageDigest.isEqual(expected, freshness)) {
            throw badStatement(
                    "the attestation's freshness code is not the SHA-256 of this challenge's token");
        }

        Optional<String> serial = identity(leaf, OID_SERIAL_NUMBER, "serial number");
        Optional<String> udid = identity(leaf, OID_UDID, "UDID");
        AttestedDevice.Match match;
        if (serial.isPresent() && serial.get().equals(wanted)) {
            match = AttestedDevice.Match.SERIAL_NUMBER;
        } else if (udid.isPresent() && udid.get().equalsIgnoreCase(wanted)) {
            // UDIDs are hexadecimal: MDMs write them in either case ($UDID is upper-case in Jamf, older devices
            // report lower-case), and the case carries no identity. Serial numbers are compared exactly.
            match = AttestedDevice.Match.UDID;
        } else {
            throw new AcmeProblem(AcmeProblem.Type.UNAUTHORIZED, "the attestation is not for device \""
                    + wanted + "\": neither its serial number nor its UDID is that identifier");
        }
        return new AttestedDevice(serial, udid, match, version(leaf, OID_OS_VERSION),
                version(leaf, OID_SEPOS_VERSION), leaf.getPublicKey(), chain);
    }

    /** The identifier's value, or a refusal that names the problem (the value is echoed only when it is sane). */
    private static String checkIdentifier(Identifier identifier) {
        if (!Identifier.PERMANENT.equals(identifier.type())) {
            throw new AcmeProblem(AcmeProblem.Type.REJECTED_IDENTIFIER,
                    CHALLENGE_TYPE + " proves permanent-identifier identifiers only");
        }
        if (!DeviceAllowList.isWellFormed(identifier.value())) {
            throw new AcmeProblem(AcmeProblem.Type.REJECTED_IDENTIFIER,
                    "the permanent-identifier is not a serial number or UDID (1 to " + DeviceAllowList.MAX_DEVICE_ID
                            + " letters, digits and hyphens)");
        }
        return identifier.value();
    }

    private static List<X509Certificate> parse(byte[] attestationObject) {
        if (attestationObject.length == 0) {
            throw badStatement("attObj is empty");
        }
        if (attestationObject.length > MAX_ATTESTATION_OBJECT) {
            throw badStatement("attObj is larger than " + MAX_ATTESTATION_OBJECT + " bytes");
        }
        JsonNode root;
        try {
            root = CBOR.readTree(attestationObject);
        } catch (JsonProcessingException e) {
            throw badStatement("attObj is not well-formed CBOR (one map, unique keys)");
        } catch (IOException e) {
            throw badStatement("attObj is not well-formed CBOR");
        }
        if (root == null || !root.isObject()) {
            throw badStatement("attObj is not a CBOR map");
        }
        JsonNode fmt = root.get("fmt");
        if (fmt == null || !fmt.isTextual()) {
            throw badStatement("attObj has no fmt");
        }
        if (!FORMAT.equals(fmt.textValue())) {
            throw badStatement("attestation format " + printable(fmt.textValue())
                    + " is not supported; this server verifies \"" + FORMAT + "\" (Apple)");
        }
        JsonNode stmt = root.get("attStmt");
        if (stmt == null || !stmt.isObject()) {
            throw badStatement("attObj has no attStmt map");
        }
        JsonNode x5c = stmt.get("x5c");
        if (x5c == null || !x5c.isArray()) {
            throw badStatement("attStmt has no x5c array");
        }
        if (x5c.isEmpty()) {
            throw badStatement("x5c is empty");
        }
        if (x5c.size() > MAX_CHAIN) {
            throw badStatement("x5c has more than " + MAX_CHAIN + " certificates");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (JsonNode entry : x5c) {
                if (!entry.isBinary()) {
                    throw badStatement("x5c holds something other than byte strings");
                }
                byte[] der = entry.binaryValue();
                ByteArrayInputStream in = new ByteArrayInputStream(der);
                Certificate cert = factory.generateCertificate(in);
                if (in.available() != 0 || !(cert instanceof X509Certificate x509)) {
                    throw badStatement("x5c holds a malformed certificate");
                }
                chain.add(x509);
            }
        } catch (CertificateException | IOException e) {
            throw badStatement("x5c holds a malformed certificate");
        }
        return chain;
    }

    /**
     * PKIX validation (RFC 5280 section 6) at the clock's time, without revocation (Apple publishes none for these
     * short-lived leaves), plus each certificate's own validity, the trust anchor's included, which PKIX leaves out.
     */
    private void verifyChain(List<X509Certificate> sent) {
        Date now = Date.from(clock.instant());
        List<X509Certificate> path = new ArrayList<>(sent);
        // A client may append the root itself; the path to validate ends below the anchor.
        while (path.size() > 1 && isAnchor(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        for (X509Certificate cert : sent) {
            checkValidity(cert, now);
        }
        try {
            PKIXParameters params = new PKIXParameters(Set.copyOf(anchors));
            params.setRevocationEnabled(false);
            params.setDate(now);
            params.addCertPathChecker(new AppleExtensions());
            PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            checkValidity(result.getTrustAnchor().getTrustedCert(), now);
        } catch (CertPathValidatorException e) {
            throw badStatement("x5c does not chain to Apple Enterprise Attestation Root CA"
                    + reason(e));
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException | CertificateException e) {
            throw new IllegalStateException("PKIX validation is unavailable", e);
        }
    }

    private boolean isAnchor(X509Certificate cert) {
        return anchors.stream().anyMatch(a -> a.getTrustedCert().equals(cert));
    }

    private static String reason(CertPathValidatorException e) {
        return e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE
                ? " (a signature does not verify)" : "";
    }

    private static void checkValidity(X509Certificate cert, Date now) {
        try {
            cert.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw badStatement("a certificate of the attestation has expired");
        } catch (CertificateNotYetValidException e) {
            throw badStatement("a certificate of the attestation is not yet valid");
        }
    }

    /** The 32 bytes of the freshness code, raw or wrapped once in an OCTET STRING. */
    private static Optional<byte[]> freshnessCode(X509Certificate leaf) {
        Optional<byte[]> value = extensionContent(leaf, OID_FRESHNESS_CODE);
        if (value.isEmpty()) {
            return value;
        }
        byte[] v = value.get();
        if (v.length == SHA256_LENGTH) {
            return value;
        }
        if (v.length == SHA256_LENGTH + 2 && v[0] == 0x04 && v[1] == SHA256_LENGTH) {
            return Optional.of(Arrays.copyOfRange(v, 2, v.length));
        }
        throw badStatement("the attestation's freshness code is not a SHA-256 value");
    }

    /** A serial number or UDID: refused when present but not one (Apple signed it, so that is not a device's). */
    private static Optional<String> identity(X509Certificate leaf, String oid, String what) {
        Optional<String> value = text(leaf, oid);
        if (value.isPresent() && !DeviceAllowList.isWellFormed(value.get())) {
            throw badStatement("the attested " + what + " is malformed");
        }
        return value;
    }

    /**
     * An OS or sepOS version, only recorded: printable ASCII (spaces allowed, "17.2 (21C62)") of at most 64
     * characters, else left out rather than refusing an attestation over a value no decision depends on.
     */
    private static Optional<String> version(X509Certificate leaf, String oid) {
        try {
            return text(leaf, oid).filter(v -> !v.isEmpty() && v.length() <= DeviceAllowList.MAX_DEVICE_ID
                    && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
        } catch (AcmeProblem notUtf8) {
            return Optional.empty();
        }
    }

    /** A text value: the extension's content as UTF-8, or a DER string when it is exactly one. */
    private static Optional<String> text(X509Certificate leaf, String oid) {
        Optional<byte[]> content = extensionContent(leaf, oid);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        byte[] v = content.get();
        return Optional.of(derString(v).orElseGet(() -> utf8(v, oid)));
    }

    private static Optional<String> derString(byte[] v) {
        // Only the string tags (UTF8String 0x0c, PrintableString 0x13, IA5String 0x16): no printable raw value
        // starts with one of these control bytes.
        if (v.length < 2 || (v[0] != 0x0c && v[0] != 0x13 && v[0] != 0x16)) {
            return Optional.empty();
        }
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(v);
            return p instanceof ASN1String s && Arrays.equals(p.getEncoded("DER"), v)
                    ? Optional.of(s.getString()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String utf8(byte[] v, String oid) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            throw badStatement("the attestation's extension " + oid + " is malformed");
        }
    }

    /** The content of the extension's extnValue OCTET STRING. */
    private static Optional<byte[]> extensionContent(X509Certificate cert, String oid) {
        byte[] wrapped = cert.getExtensionValue(oid);
        if (wrapped == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ASN1OctetString.getInstance(wrapped).getOctets());
        } catch (IllegalArgumentException e) {
            throw badStatement("the attestation's extension " + oid + " is malformed");
        }
    }

    private static AcmeProblem badStatement(String detail) {
        return new AcmeProblem(AcmeProblem.Type.BAD_ATTESTATION_STATEMENT, detail);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** A client-supplied string fit for a problem detail: short, printable, quoted. */
    private static String printable(String s) {
        String cut = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return "\"" + cut.replaceAll("[^\\x20-\\x7e]", "?").replace("\"", "'") + "\"";
    }

    /**
     * Declares Apple's attestation extensions (the arc 1.2.840.113635.100.8) understood, so that PKIX does not refuse
     * a leaf that marks one critical: those this class reads are checked above, the others (macOS boot security,
     * 100.8.13.*) are properties Apple reports, not constraints on the chain. Any other critical extension PKIX does
     * not know still fails the chain (RFC 5280 section 4.2).
     */
    private static final class AppleExtensions extends PKIXCertPathChecker {
        @Override
        public void init(boolean forward) {
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return APPLE_OIDS;
        }

        @Override
        public void check(Certificate cert, Collection<String> unresolvedCritExts) {
            unresolvedCritExts.removeIf(oid -> oid.startsWith(APPLE_ATTESTATION_ARC));
        }
    }
}
