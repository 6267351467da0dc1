package org.scepca.server.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Date;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.TestKeys;

/** The profile signer's CN stays within ub-common-name (64, RFC 5280 Appendix A) whatever the root's O. */
class ProfileSigningSubjectTest {
    @Test
    void aLongOrganizationIsCutSoTheCnFits() throws Exception {
        String org = "A".repeat(60) + " Inc";
        X500Name subject = ProfileSigningIdentityStore.subject(root("CN=Root,O=" + org));
        String cn = ((ASN1String) subject.getRDNs(BCStyle.CN)[0].getFirst().getValue()).getString();
        assertThat(cn).hasSizeLessThanOrEqualTo(64).endsWith(" Profile Signing").startsWith("A".repeat(48));
        assertThat(((ASN1String) subject.getRDNs(BCStyle.O)[0].getFirst().getValue()).getString()).isEqualTo(org);
    }

    @Test
    void aShortOrganizationIsKept() throws Exception {
        X500Name subject = ProfileSigningIdentityStore.subject(root("CN=Root,O=Acme"));
        assertThat(((ASN1String) subject.getRDNs(BCStyle.CN)[0].getFirst().getValue()).getString())
                .isEqualTo("Acme Profile Signing");
    }

    private static X509Certificate root(String dn) throws Exception {
        var keys = TestKeys.rsa2048();
        var name = new X500Name(dn);
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.TEN, new Date(), new Date(System.currentTimeMillis()
                + 86_400_000L), name, keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA")
                .build(keys.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }
}
