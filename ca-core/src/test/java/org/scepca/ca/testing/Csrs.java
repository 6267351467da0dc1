package org.scepca.ca.testing;

import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

/** Builds PKCS#10 requests for tests, good or deliberately bad, in one fluent line. */
public final class Csrs {
    private KeyPair keys = TestKeys.rsa2048();
    private X500Name subject = new X500Name("CN=device-1,O=Test");
    private String signatureAlgorithm;
    private String challenge;
    private final List<GeneralName> sans = new ArrayList<>();
    private final List<Object[]> extensions = new ArrayList<>();
    private final List<Object[]> attributes = new ArrayList<>();
    private SubjectPublicKeyInfo publicKeyInfo;
    private X500Name rawSubject;
    private boolean tamper;

    public static Csrs csr() {
        return new Csrs();
    }

    public Csrs keys(KeyPair k) { this.keys = k; return this; }
    public Csrs subject(String dn) { this.subject = new X500Name(dn); return this; }
    /** A subject built from RDNs, for values X500Name's string parser would not keep (newlines, many attributes). */
    public Csrs subject(X500Name name) { this.rawSubject = name; return this; }
    /** Any SAN, e.g. a UPN otherName. */
    public Csrs san(GeneralName n) { sans.add(n); return this; }
    /** The public key as encoded in the request, in place of the signing key's (explicit curves, odd exponents). */
    public Csrs publicKeyInfo(SubjectPublicKeyInfo spki) { this.publicKeyInfo = spki; return this; }
    /** Flips a bit of the signature, so that the request no longer verifies. */
    public Csrs tamperSignature() { this.tamper = true; return this; }
    /** A raw request attribute, added as given (may repeat an attribute type, e.g. two extensionRequests). */
    public Csrs attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        attributes.add(new Object[] {type, value});
        return this;
    }
    public Csrs signedWith(String alg) { this.signatureAlgorithm = alg; return this; }
    public Csrs challenge(String c) { this.challenge = c; return this; }
    public Csrs dns(String name) { sans.add(new GeneralName(GeneralName.dNSName, name)); return this; }
    public Csrs email(String e) { sans.add(new GeneralName(GeneralName.rfc822Name, e)); return this; }
    public Csrs uri(String u) { sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)); return this; }
    /** {@code n} URIs of {@code length} characters each. */
    public Csrs uris(int n, int length) {
        for (int i = 0; i < n; i++) {
            String prefix = "urn:x:" + i + ":";
            uri(prefix + "u".repeat(Math.max(0, length - prefix.length())));
        }
        return this;
    }
    public Csrs ip(String a) { sans.add(new GeneralName(GeneralName.iPAddress, a)); return this; }

    public Csrs extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        extensions.add(new Object[] {oid, critical, value});
        return this;
    }

    public PKCS10CertificationRequest build() {
        try {
            X500Name name = rawSubject != null ? rawSubject : subject;
            var b = new PKCS10CertificationRequestBuilder(name, publicKeyInfo != null ? publicKeyInfo
                    : SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
            if (challenge != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
            }
            if (!sans.isEmpty() || !extensions.isEmpty()) {
                // Built by hand: ExtensionsGenerator refuses (or merges) a repeated extension, which tests need.
                ASN1EncodableVector list = new ASN1EncodableVector();
                if (!sans.isEmpty()) {
                    list.add(new Extension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(new GeneralName[0])).getEncoded()));
                }
                for (Object[] e : extensions) {
                    list.add(new Extension((ASN1ObjectIdentifier) e[0], (Boolean) e[1],
                            ((ASN1Encodable) e[2]).toASN1Primitive().getEncoded()));
                }
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSequence(list));
            }
            for (Object[] a : attributes) {
                b.addAttribute((ASN1ObjectIdentifier) a[0], (ASN1Encodable) a[1]);
            }
            String alg = signatureAlgorithm != null ? signatureAlgorithm
                    : keys.getPublic().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            PKCS10CertificationRequest built = b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()));
            if (!tamper) {
                return built;
            }
            byte[] der = built.getEncoded();
            der[der.length - 5] ^= 0x01;
            return new PKCS10CertificationRequest(der);
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
