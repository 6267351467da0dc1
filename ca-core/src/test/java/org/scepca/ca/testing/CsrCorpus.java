package org.scepca.ca.testing;

import static org.scepca.ca.testing.Csrs.csr;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.ca.policy.CsrValidator;

/**
 * The CSR attack corpus: requests an attacker (or a broken client) sends, each with the refusal the default policy
 * owes it, and ordinary requests that must still pass. Names are {@code ok/…} and {@code fail/…}. The reserved-name
 * cases use {@link TestPki}'s names. Run through the issuance engine (ca-core) and the SCEP server (scep-server).
 */
public final class CsrCorpus {
    /** What the policy must answer: issue, or refuse with SCEP failInfo badRequest or badAlg. */
    public enum Expect { OK, BAD_REQUEST, BAD_ALG }

    /**
     * @param reason a fragment of the refusal message (empty for OK)
     * @param scep   whether the SCEP server tests run it too (a representative subset: each costs a round trip)
     */
    public record Case(String name, Supplier<Csrs> request, Expect expect, String reason, boolean scep) {
        /** The request as the corpus defines it (no challenge password unless the case is about one). */
        public PKCS10CertificationRequest csr() {
            return request.get().build();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private CsrCorpus() {
    }

    private static final String LONG_256 = "x".repeat(256);

    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // ---- within policy ----
        c.add(ok("ok/rsa2048", () -> csr().subject("CN=iPhone 15,O=Acme").dns("device.acme.test")));
        c.add(ok("ok/ecP256", () -> csr().keys(TestKeys.ec("secp256r1"))));
        c.add(ok("ok/ecP384", () -> csr().keys(TestKeys.ec("secp384r1")).signedWith("SHA384withECDSA")));
        c.add(ok("ok/ecP521", () -> csr().keys(TestKeys.ec("secp521r1")).signedWith("SHA512withECDSA")));
        c.add(ok("ok/unicodeSubject", () -> csr().subject(name(BCStyle.CN, "Zürich Gerät ✓ 東京"))));
        c.add(ok("ok/ekuInjectionIgnored", () -> csr().extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_codeSigning, KeyPurposeId.anyExtendedKeyUsage}))));
        c.add(ok("ok/unknownExtensionIgnored", () -> csr().extension(new ASN1ObjectIdentifier(
                "1.3.6.1.4.1.99999.1"), true, new DERUTF8String("copied?"))));
        // UID has no X.520 upper bound: policy.max-attribute-length (256) is its limit.
        c.add(ok("ok/atTheLimits", () -> csr().subject(repeated(BCStyle.OU, 14, "y".repeat(4), "CN", "z".repeat(64),
                "UID", "u".repeat(256))).uris(20, 150)));
        c.add(ok("ok/x520UpperBounds", () -> csr().subject(name(BCStyle.CN, "c".repeat(64), BCStyle.O, "o".repeat(64),
                BCStyle.OU, "u".repeat(64), BCStyle.L, "l".repeat(128), BCStyle.ST, "s".repeat(128)))));
        c.add(ok("ok/countryAsUtf8String", () -> csr().subject(name(BCStyle.C, "DE", BCStyle.CN, "d"))));
        c.add(ok("ok/emailInSubjectAndSan", () -> csr().subject("E=alice@acme.test,CN=alice").email("alice@acme.test")));
        // Microsoft's documented Intune subject format (CN={{UserName}},E={{EmailAddress}},...): the CA adds the SAN.
        c.add(ok("ok/emailInSubjectOnly", () -> csr().subject("E=bob@acme.test,CN=bob")));
        c.add(ok("ok/duplicateSanOnce", () -> csr().dns("a.acme.test").dns("A.acme.test")));
        c.add(ok("ok/upn", () -> csr().san(upn("alice@acme.test"))));
        // ---- CA powers ----
        c.add(fail("fail/caTrue", () -> csr().extension(Extension.basicConstraints, true, new BasicConstraints(true)),
                "CA:TRUE", true));
        c.add(fail("fail/keyCertSign", () -> csr().extension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)), "keyCertSign", true));
        c.add(fail("fail/cRLSign", () -> csr().extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.cRLSign)),
                "cRLSign", false));
        c.add(fail("fail/nameConstraints", () -> csr().extension(Extension.nameConstraints, true, new NameConstraints(
                new GeneralSubtree[] {new GeneralSubtree(new GeneralName(GeneralName.dNSName, "acme.test"))}, null)),
                "name constraints", false));
        // ---- keys and signatures ----
        c.add(alg("fail/md5Signature", () -> csr().signedWith("MD5withRSA"), "SHA-256 or stronger", true));
        c.add(alg("fail/sha1Signature", () -> csr().signedWith("SHA1withRSA"), "SHA-256 or stronger", false));
        c.add(alg("fail/sha1Ecdsa", () -> csr().keys(TestKeys.ec("secp256r1")).signedWith("SHA1withECDSA"),
                "SHA-256 or stronger", false));
        c.add(fail("fail/rsa1024", () -> csr().keys(TestKeys.rsa1024()), "1024 bits is too weak", true));
        c.add(fail("fail/rsaExponent1", () -> csr().publicKeyInfo(rsaWithExponent(BigInteger.ONE)), "exponent", false));
        c.add(fail("fail/rsaEvenExponent", () -> csr().publicKeyInfo(rsaWithExponent(BigInteger.valueOf(65536))),
                "exponent", false));
        c.add(alg("fail/dsa", () -> csr().keys(generate("DSA", 2048)).signedWith("SHA256withDSA"), "", false));
        c.add(alg("fail/ed25519", () -> csr().keys(generate("Ed25519", 0)).signedWith("Ed25519"), "", true));
        c.add(alg("fail/explicitCurve", () -> csr().keys(TestKeys.ec("secp256r1")).publicKeyInfo(explicitP256()),
                "explicit curve parameters", true));
        c.add(alg("fail/curveNotAllowed", () -> csr().keys(TestKeys.ec("secp256r1")).publicKeyInfo(
                namedCurve(SECObjectIdentifiers.secp256k1)), "1.3.132.0.10", false));
        c.add(fail("fail/badSignature", () -> csr().tamperSignature(), "signature", true));
        // ---- sizes and counts (the store's columns must never be reached) ----
        c.add(fail("fail/hugeCsr", () -> csr().extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.2"),
                false, new DEROctetString(new byte[20_000])), "policy.max-csr-bytes", true));
        // The reported case: the size limit alone refuses it (38 KB); each limit is exercised on its own below.
        c.add(fail("fail/150LongOus", () -> csr().subject(repeated(BCStyle.OU, 150, LONG_256, "CN", "d")),
                "policy.max-csr-bytes", true));
        c.add(fail("fail/40LongUids", () -> csr().subject(repeated(BCStyle.UID, 40, LONG_256, "CN", "d")),
                "policy.max-subject-attributes", false));
        c.add(fail("fail/17Attributes", () -> csr().subject(repeated(BCStyle.OU, 16, "a", "CN", "d")),
                "policy.max-subject-attributes", false));
        c.add(fail("fail/longAttribute", () -> csr().subject(name(BCStyle.UID, "x".repeat(257))),
                "policy.max-attribute-length", false));
        c.add(fail("fail/longSubject", () -> csr().subject(repeated(BCStyle.UID, 3, LONG_256, "CN", "d")),
                "policy.max-subject-length", false));
        // RFC 4514 escapes make ",,,," twice as long as stored: the limit measures the stored form.
        c.add(fail("fail/escapesLengthenSubject", () -> csr().subject(repeated(BCStyle.UID, 1, ",".repeat(200), "UID",
                ",".repeat(200))), "policy.max-subject-length", false));
        // ---- X.520 syntax: upper bounds and string types (what a certificate linter checks) ----
        c.add(fail("fail/cn65", () -> csr().subject(name(BCStyle.CN, "x".repeat(65))), "upper bound", true));
        c.add(fail("fail/o65", () -> csr().subject(name(BCStyle.O, "x".repeat(65))), "upper bound", false));
        c.add(fail("fail/locality129", () -> csr().subject(name(BCStyle.L, "x".repeat(129))), "upper bound", false));
        c.add(fail("fail/countryLowerCase", () -> csr().subject(name(BCStyle.C, "us")), "ISO 3166", false));
        c.add(fail("fail/countryThreeLetters", () -> csr().subject(name(BCStyle.C, "USA")), "upper bound", false));
        c.add(fail("fail/serialNumberNotPrintable", () -> csr().subject(name(BCStyle.SERIALNUMBER, "dev_8@acme")),
                "PrintableString", false));
        c.add(fail("fail/emailNonAscii", () -> csr().subject(name(BCStyle.E, "jörg@acme.test")), "ASCII", false));
        c.add(fail("fail/domainComponentNonAscii", () -> csr().subject(name(BCStyle.DC, "bücher")), "ASCII", false));
        c.add(fail("fail/universalString", () -> csr().subject(new X500Name(new RDN[] {new RDN(BCStyle.CN,
                new org.bouncycastle.asn1.DERUniversalString(new byte[] {0, 0, 0, 'a'}))})), "string type", false));
        c.add(fail("fail/teletexNonAscii", () -> csr().subject(new X500Name(new RDN[] {new RDN(BCStyle.CN,
                new org.bouncycastle.asn1.DERT61String(new byte[] {'a', (byte) 0xC8, 'e'}))})), "TeletexString", false));
        c.add(fail("fail/subjectEmailOutsidePolicy", () -> csr().subject(name(BCStyle.E, "<alice>@acme.test")),
                "does not allow", false));
        c.add(fail("fail/emailSanDisplayForm", () -> csr().email("<alice@acme.test>"), "outside policy", false));
        c.add(fail("fail/dnsName254", () -> csr().dns(String.join(".", java.util.Collections.nCopies(4, "a".repeat(62)))
                + ".acm"), "RFC 1035", false));
        c.add(fail("fail/uriNonAscii", () -> csr().uri("https://bücher.example/x"), "ASCII", false));
        c.add(fail("fail/20LongUris", () -> csr().uris(20, 1000), "policy.max-csr-bytes", true));
        c.add(fail("fail/longUri", () -> csr().uris(1, 1000), "policy.max-san-length", false));
        c.add(fail("fail/21Sans", () -> csr().uris(21, 10), "policy.max-sans", false));
        c.add(fail("fail/sansTooLongTogether", () -> csr().uris(10, 500), "policy.max-sans-length", false));
        // ---- ambiguity ----
        c.add(fail("fail/duplicateExtension", () -> csr().dns("a.acme.test").extension(Extension.subjectAlternativeName,
                false, new GeneralNames(new GeneralName(GeneralName.dNSName, "b.acme.test"))), "twice", true));
        c.add(fail("fail/duplicateBasicConstraints", () -> csr()
                .extension(Extension.basicConstraints, true, new BasicConstraints(false))
                .extension(Extension.basicConstraints, true, new BasicConstraints(true)), "twice", false));
        c.add(fail("fail/duplicateExtensionRequest", () -> csr().dns("a.acme.test").attribute(
                PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSequence(extension(Extension.basicConstraints,
                        new BasicConstraints(true)))), "twice", true));
        c.add(fail("fail/duplicateChallengePassword", () -> csr().challenge("one").attribute(
                PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString("two")), "twice", false));
        // ---- characters that split logs or lie on screen ----
        c.add(fail("fail/newlineInCn", () -> csr().subject(name(BCStyle.CN, "x\nop=PKCSReq outcome=issued")), "U+000A", true));
        c.add(fail("fail/c1InCn", () -> csr().subject(name(BCStyle.CN, "x\u0085y")), "U+0085", false));
        c.add(fail("fail/delInOu", () -> csr().subject(name(BCStyle.OU, "x\u007fy")), "U+007F", false));
        c.add(fail("fail/bidiOverrideInCn", () -> csr().subject(name(BCStyle.CN, "invoice\u202Efdp.exe")), "U+202E", true));
        c.add(fail("fail/bidiIsolateInO", () -> csr().subject(name(BCStyle.O, "a\u2066b")), "U+2066", false));
        c.add(fail("fail/zeroWidthInCn", () -> csr().subject(name(BCStyle.CN, "ad\u200Bmin")), "U+200B", false));
        c.add(fail("fail/bomInCn", () -> csr().subject(name(BCStyle.CN, "\uFEFFadmin")), "U+FEFF", false));
        c.add(fail("fail/lineSeparatorInCn", () -> csr().subject(name(BCStyle.CN, "a\u2028b")), "U+2028", false));
        c.add(fail("fail/bidiInUpn", () -> csr().san(upn("alice\u202E@acme.test")), "U+202E", false));
        c.add(fail("fail/controlInUri", () -> csr().uri("urn:x:\u0007"), "U+0007", false));
        // ---- the CA's own names ----
        c.add(fail("fail/subjectIsIssuingCa", () -> csr().subject("CN=Test Issuing CA,O=scepca tests"),
                "name of this CA", true));
        c.add(fail("fail/subjectIsRootDifferentCase", () -> csr().subject("cn=test  root ca,o=SCEPCA TESTS"),
                "name of this CA", false));
        c.add(fail("fail/cnIsRa", () -> csr().subject("CN=Test SCEP RA,O=Elsewhere"), "name of this CA", false));
        c.add(fail("fail/cnIsOcspResponder", () -> csr().subject("CN=Test Issuing CA OCSP Responder"),
                "name of this CA", false));
        c.add(fail("fail/sanIsRootName", () -> csr().san(upn("Test Root CA")), "name of this CA", false));
        // ---- names only the CA writes ----
        c.add(fail("fail/permanentIdentifierRequested", () -> csr().san(
                org.scepca.ca.policy.PermanentIdentifiers.generalName("C02XK0AAJGH5")), "the CA writes it", true));
        return List.copyOf(c);
    }

    private static Case ok(String name, Supplier<Csrs> b) {
        return new Case(name, b, Expect.OK, "", name.equals("ok/rsa2048") || name.equals("ok/ekuInjectionIgnored"));
    }

    private static Case fail(String name, Supplier<Csrs> b, String reason, boolean scep) {
        return new Case(name, b, Expect.BAD_REQUEST, reason, scep);
    }

    private static Case alg(String name, Supplier<Csrs> b, String reason, boolean scep) {
        return new Case(name, b, Expect.BAD_ALG, reason, scep);
    }

    private static X500Name name(ASN1ObjectIdentifier type, String value) {
        return new X500Name(new RDN[] {rdn(type, value)});
    }

    /** Several attributes, one RDN each, all UTF8String (also where the syntax wants another type). */
    private static X500Name name(Object... typesAndValues) {
        RDN[] rdns = new RDN[typesAndValues.length / 2];
        for (int i = 0; i < rdns.length; i++) {
            rdns[i] = rdn((ASN1ObjectIdentifier) typesAndValues[2 * i], (String) typesAndValues[2 * i + 1]);
        }
        return new X500Name(rdns);
    }

    /** Built directly: X500NameBuilder refuses a CN beyond ub-common-name, which a hostile client does not. */
    private static RDN rdn(ASN1ObjectIdentifier type, String value) {
        return new RDN(type, new DERUTF8String(value));
    }

    /** {@code n} attributes of one type, then the named others ("CN", value, ...). */
    private static X500Name repeated(ASN1ObjectIdentifier type, int n, String value, String... more) {
        List<RDN> rdns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rdns.add(rdn(type, value));
        }
        for (int i = 0; i + 1 < more.length; i += 2) {
            rdns.add(rdn(BCStyle.INSTANCE.attrNameToOID(more[i]), more[i + 1]));
        }
        return new X500Name(rdns.toArray(new RDN[0]));
    }

    /** The P-256 test key's point under another curve's name (refused before its signature is looked at). */
    private static SubjectPublicKeyInfo namedCurve(ASN1ObjectIdentifier curve) {
        SubjectPublicKeyInfo p256 = SubjectPublicKeyInfo.getInstance(TestKeys.ec("secp256r1").getPublic().getEncoded());
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve),
                p256.getPublicKeyData().getBytes());
    }

    private static GeneralName upn(String value) {
        return new GeneralName(GeneralName.otherName, new DERSequence(new ASN1Encodable[] {CsrValidator.UPN_OID,
                new DERTaggedObject(true, 0, new DERUTF8String(value))}));
    }

    private static Extension extension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, ASN1Encodable value) {
        try {
            return new Extension(oid, true, value.toASN1Primitive().getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The P-256 key as specifiedCurve: the same curve, spelled out (RFC 5480 §2.1.1 forbids it). */
    private static SubjectPublicKeyInfo explicitP256() {
        KeyPair kp = TestKeys.ec("secp256r1");
        SubjectPublicKeyInfo named = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                ECNamedCurveTable.getByName("secp256r1")), named.getPublicKeyData().getBytes());
    }

    /** The shared RSA key's modulus with another public exponent (the request stays signed by the real key). */
    private static SubjectPublicKeyInfo rsaWithExponent(BigInteger e) {
        RSAPublicKey pub = (RSAPublicKey) TestKeys.rsa2048().getPublic();
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new org.bouncycastle.asn1.pkcs.RSAPublicKey(pub.getModulus(), e));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static KeyPair generate(String algorithm, int size) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (size > 0) {
                g.initialize(size);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
