package org.scepca.ca.testing;

import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds PKCS#10 requests for tests, good or deliberately bad, in one fluent line. */
public final class Csrs {
    private KeyPair keys = TestKeys.rsa2048();
    private X500Name subject = new X500Name("CN=device-1,O=Test");
    private String signatureAlgorithm;
    private String challenge;
    private final List<GeneralName> sans = new ArrayList<>();
    private final List<Object[]> extensions = new ArrayList<>();

    public static Csrs csr() {
        return new Csrs();
    }

    public Csrs keys(KeyPair k) { this.keys = k; return this; }
    public Csrs subject(String dn) { this.subject = new X500Name(dn); return this; }
    public Csrs signedWith(String alg) { this.signatureAlgorithm = alg; return this; }
    public Csrs challenge(String c) { this.challenge = c; return this; }
    public Csrs dns(String name) { sans.add(new GeneralName(GeneralName.dNSName, name)); return this; }
    public Csrs email(String e) { sans.add(new GeneralName(GeneralName.rfc822Name, e)); return this; }
    public Csrs uri(String u) { sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)); return this; }
    public Csrs ip(String a) { sans.add(new GeneralName(GeneralName.iPAddress, a)); return this; }

    public Csrs extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        extensions.add(new Object[] {oid, critical, value});
        return this;
    }

    public PKCS10CertificationRequest build() {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic());
            if (challenge != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
            }
            if (!sans.isEmpty() || !extensions.isEmpty()) {
                ExtensionsGenerator g = new ExtensionsGenerator();
                if (!sans.isEmpty()) {
                    g.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
                }
                for (Object[] e : extensions) {
                    g.addExtension((ASN1ObjectIdentifier) e[0], (Boolean) e[1], (ASN1Encodable) e[2]);
                }
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, g.generate());
            }
            String alg = signatureAlgorithm != null ? signatureAlgorithm
                    : keys.getPublic().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()));
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
