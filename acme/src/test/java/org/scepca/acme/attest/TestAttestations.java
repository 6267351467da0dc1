package org.scepca.acme.attest;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.scepca.acme.Identifier;

/**
 * A test stand-in for Apple's attestation PKI: a root (trusted only by {@link #verifier}), an intermediate, and
 * attestation leaves carrying Apple's OIDs the way live Apple certificates do (each value raw in its extnValue), put
 * into a CBOR attestation object {@code {fmt, attStmt: {x5c}, authData}} as a device sends it. Also usable by other
 * tests of this package (the ACME flow) that need a device answering device-attest-01.
 */
public final class TestAttestations {
    public static final String SERIAL = "C02XL0GHJGH5";
    public static final String UDID = "00008030-001A2D3E0C38802E";
    private static final CBORMapper CBOR = new CBORMapper();
    private static final AtomicLong SERIALS = new AtomicLong(1);

    public final Clock clock;
    public final KeyPair rootKey;
    public final X509Certificate root;
    public final KeyPair intermediateKey;
    public final X509Certificate intermediate;

    public TestAttestations(Clock clock) {
        this.clock = clock;
        Instant now = clock.instant();
        rootKey = ec("secp384r1");
        root = ca(new X500Name("CN=Test Enterprise Attestation Root CA,O=scepca tests"), rootKey.getPublic(),
                new X500Name("CN=Test Enterprise Attestation Root CA,O=scepca tests"), rootKey.getPrivate(),
                now.minus(Duration.ofDays(365)), now.plus(Duration.ofDays(3650)));
        intermediateKey = ec("secp384r1");
        intermediate = ca(new X500Name("CN=Test Enterprise Attestation Sub CA 1,O=scepca tests"),
                intermediateKey.getPublic(), root, rootKey.getPrivate(), now.minus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(365)));
    }

    /** A permanent-identifier, as a device's order names it. */
    public static Identifier permanent(String value) {
        return new Identifier(Identifier.PERMANENT, value);
    }

    /** The verifier trusting Apple's root and this test root (the package-private, test-only constructor). */
    public AppleDeviceAttestation verifier() {
        return new AppleDeviceAttestation(clock, List.of(root));
    }

    /** A leaf for {@code token} and the default device, built to change with the {@link Leaf} methods. */
    public Leaf leaf(String token) {
        return new Leaf(this, token);
    }

    public static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code {fmt, attStmt: {x5c: [...]}, authData}} in CBOR. */
    public static byte[] attestationObject(String fmt, List<X509Certificate> x5c) {
        try {
            List<byte[]> ders = new ArrayList<>();
            for (X509Certificate c : x5c) {
                ders.add(c.getEncoded());
            }
            Map<String, Object> stmt = new LinkedHashMap<>();
            stmt.put("x5c", ders);
            Map<String, Object> obj = new LinkedHashMap<>();
            obj.put("fmt", fmt);
            obj.put("attStmt", stmt);
            obj.put("authData", new byte[37]);
            return CBOR.writeValueAsBytes(obj);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The challenge response payload a device POSTs: {@code {"attObj": base64url(CBOR)}}. */
    public static byte[] challengeResponse(byte[] attestationObject) {
        return ("{\"attObj\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(attestationObject) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static X509Certificate ca(X500Name subject, PublicKey key, Object issuer, PrivateKey signer, Instant from,
            Instant to) {
        try {
            X500Name issuerName = issuer instanceof X509Certificate c
                    ? X500Name.getInstance(c.getSubjectX500Principal().getEncoded()) : (X500Name) issuer;
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIALS.getAndIncrement()), java.util.Date.from(from), java.util.Date.from(to),
                    subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return sign(b, signer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(signer)));
    }

    /** One attestation leaf, with every Apple value changeable. */
    public static final class Leaf {
        private final TestAttestations pki;
        public final KeyPair key = ec("secp256r1");
        private byte[] nonce;
        private boolean wrapValues;
        private boolean critical;
        private String serial = SERIAL;
        private String udid = UDID;
        private String osVersion = "17.2";
        private String sepOsVersion = "21.3.51";
        private Instant notBefore;
        private Instant notAfter;
        private X509Certificate issuer;
        private PrivateKey issuerKey;
        private final Map<String, byte[]> criticalExtras = new LinkedHashMap<>();

        Leaf(TestAttestations pki, String token) {
            this.pki = pki;
            this.nonce = sha256(token);
            this.notBefore = pki.clock.instant().minus(Duration.ofMinutes(5));
            this.notAfter = pki.clock.instant().plus(Duration.ofDays(1));
            this.issuer = pki.intermediate;
            this.issuerKey = pki.intermediateKey.getPrivate();
        }

        /** The freshness code's value; null leaves the extension out. */
        public Leaf nonce(byte[] value) {
            this.nonce = value;
            return this;
        }

        public Leaf serial(String value) {
            this.serial = value;
            return this;
        }

        public Leaf udid(String value) {
            this.udid = value;
            return this;
        }

        public Leaf osVersion(String value) {
            this.osVersion = value;
            return this;
        }

        /** Each value wrapped once more (DER UTF8String, OCTET STRING) instead of raw. */
        public Leaf wrapped() {
            this.wrapValues = true;
            return this;
        }

        /** Apple's extensions marked critical. */
        public Leaf critical() {
            this.critical = true;
            return this;
        }

        public Leaf validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /** One more extension, marked critical, with {@code value} as its extnValue content. */
        public Leaf criticalExtension(String oid, byte[] value) {
            criticalExtras.put(oid, value);
            return this;
        }

        public Leaf issuedBy(X509Certificate cert, PrivateKey signer) {
            this.issuer = cert;
            this.issuerKey = signer;
            return this;
        }

        public X509Certificate certificate() {
            try {
                JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                        BigInteger.valueOf(SERIALS.getAndIncrement()), java.util.Date.from(notBefore),
                        java.util.Date.from(notAfter), new X500Name("CN=" + (udid == null ? "device" : udid)),
                        key.getPublic());
                text(b, AppleDeviceAttestation.OID_SERIAL_NUMBER, serial);
                text(b, AppleDeviceAttestation.OID_UDID, udid);
                text(b, AppleDeviceAttestation.OID_OS_VERSION, osVersion);
                text(b, AppleDeviceAttestation.OID_SEPOS_VERSION, sepOsVersion);
                if (nonce != null) {
                    b.addExtension(new ASN1ObjectIdentifier(AppleDeviceAttestation.OID_FRESHNESS_CODE), critical,
                            wrapValues ? new DEROctetString(nonce).getEncoded() : nonce);
                }
                for (Map.Entry<String, byte[]> e : criticalExtras.entrySet()) {
                    b.addExtension(new ASN1ObjectIdentifier(e.getKey()), true, e.getValue());
                }
                return sign(b, issuerKey);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void text(JcaX509v3CertificateBuilder b, String oid, String value) throws Exception {
            if (value != null) {
                b.addExtension(new ASN1ObjectIdentifier(oid), critical, wrapValues
                        ? new DERUTF8String(value).getEncoded() : value.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** The CBOR attestation object with x5c [leaf, intermediate]. */
        public byte[] attestationObject() {
            return TestAttestations.attestationObject(AppleDeviceAttestation.FORMAT,
                    List.of(certificate(), pki.intermediate));
        }
    }
}
