package org.scepca.ca.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Date;

import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The lint finds what it is there to find: a certificate as this CA issued them before 2 December fails it. */
class CertificateLintTest {
    @Test
    void findsTheDefectsOfTheOldProfile() throws Exception {
        var keys = TestKeys.rsa2048();
        X500Name subject = new X500Name(new RDN[] {new RDN(BCStyle.C, new DERUTF8String("us")),
                new RDN(BCStyle.E, new DERUTF8String("a@acme.test")), new RDN(BCStyle.CN, new DERUTF8String("x".repeat(65)))});
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=Issuer"), BigInteger.valueOf(7), new Date(),
                new Date(System.currentTimeMillis() + 86_400_000L), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false,
                new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
        X509Certificate c = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));

        assertThat(CertificateLint.problems(c)).anyMatch(s -> s.startsWith("e_key_usage_and_extended_key_usage"))
                .anyMatch(s -> s.startsWith("e_subject_dn_country_not_printable_string"))
                .anyMatch(s -> s.startsWith("E not an IA5String")).anyMatch(s -> s.startsWith("e_subj_email_not_in_san"))
                .anyMatch(s -> s.startsWith("e_subject_CN_max_length"))
                .anyMatch(s -> s.startsWith("e_ext_authority_key_identifier_missing"))
                .anyMatch(s -> s.startsWith("serial number below 64 bits"));
    }
}
