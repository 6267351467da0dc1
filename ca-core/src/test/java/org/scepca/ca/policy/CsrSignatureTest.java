package org.scepca.ca.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.Signature;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.TestKeys;

class CsrSignatureTest {

    /** A CSR signed over attributes in the order a requester wrote them, which is not DER order (as strongSwan does). */
    static PKCS10CertificationRequest csrWithAttributesOutOfDerOrder(KeyPair keys) throws Exception {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "a-rather-long-device-name.devices.acme.test")));
        Attribute password = new Attribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword,
                new DERSet(new DERPrintableString("0123456789abcdef")));
        Attribute extensions = new Attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSet(ext.generate()));
        for (ASN1Encodable[] order : new ASN1Encodable[][] {{password, extensions}, {extensions, password}}) {
            DLSet attributes = new DLSet(order);
            if (java.util.Arrays.equals(attributes.getEncoded(), attributes.getEncoded(ASN1Encoding.DER))) {
                continue; // this order happens to be DER order; we want the other one
            }
            ASN1EncodableVector info = new ASN1EncodableVector();
            info.add(new ASN1Integer(0));
            info.add(new X500Name("CN=strongswan-style"));
            info.add(SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
            info.add(new DLTaggedObject(false, 0, attributes));
            byte[] tbs = new DLSequence(info).getEncoded();
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(keys.getPrivate());
            s.update(tbs);
            ASN1EncodableVector csr = new ASN1EncodableVector();
            csr.add(new DLSequence(info));
            csr.add(new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE));
            csr.add(new DERBitString(s.sign()));
            return new ReceivedCsr(new DLSequence(csr).getEncoded());
        }
        throw new AssertionError("no non-DER order found");
    }

    @Test
    void verifiesOverTheBytesAsSent_whereBouncyCastlesDerReencodingFails() throws Exception {
        KeyPair keys = TestKeys.rsa2048();
        PKCS10CertificationRequest csr = csrWithAttributesOutOfDerOrder(keys);
        var verifiers = new JcaContentVerifierProviderBuilder().build(keys.getPublic());
        assertThat(csr.isSignatureValid(verifiers)).as("BC re-sorts the attribute SET").isFalse();
        assertThat(CsrSignature.isValid(csr, verifiers)).isTrue();
        assertThat(new CsrValidator(IssuancePolicy.defaults()).validate(csr).subjectAltNames()).hasSize(1);
    }

    @Test
    void stillRejectsATamperedRequest() throws Exception {
        KeyPair keys = TestKeys.rsa2048();
        byte[] der = csrWithAttributesOutOfDerOrder(keys).getEncoded();
        der[der.length - 1] ^= 0x01; // inside the signature
        var csr = new ReceivedCsr(der);
        assertThat(CsrSignature.isValid(csr, new JcaContentVerifierProviderBuilder().build(keys.getPublic()))).isFalse();
    }
}
