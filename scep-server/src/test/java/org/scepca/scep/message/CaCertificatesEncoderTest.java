package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CaCertificatesEncoderTest {

    private static TestPki pki;
    private final CaCertificatesEncoder encoder = new CaCertificatesEncoder();

    @BeforeAll
    static void setUp() {
        TestPki.registerBouncyCastle();
        pki = TestPki.PKI;
    }

    @Test
    void degenerate_keepsGivenOrder_raThenIssuerThenRoot() throws Exception {
        List<X509Certificate> forward = List.of(pki.raCert, pki.issuedCert, pki.caCert);
        List<X509Certificate> backward = List.of(pki.caCert, pki.issuedCert, pki.raCert);

        for (List<X509Certificate> order : List.of(forward, backward)) {
            CMSSignedData parsed = new CMSSignedData(encoder.degenerate(order));
            assertThat(certificates(parsed)).containsExactlyElementsOf(holders(order));
            assertThat(parsed.getSignerInfos().size()).isZero();
            assertThat(parsed.getSignedContentTypeOID()).isEqualTo(CMSObjectIdentifiers.data.getId());
            assertThat(parsed.getSignedContent()).isNull();
        }
    }

    @Test
    void degenerate_isDefiniteLength() {
        byte[] encoded = encoder.degenerate(List.of(pki.raCert, pki.caCert));

        assertThat(encoded[1]).isNotEqualTo((byte) 0x80);
    }

    @Test
    void degenerate_refusesEmptyList() {
        assertThatThrownBy(() -> encoder.degenerate(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signedNextCa_isSignedByCurrentRa_andWrapsDegenerateInOrder() throws Exception {
        List<X509Certificate> next = List.of(pki.otherRaCert, pki.caCert);

        CMSSignedData signed = new CMSSignedData(encoder.signedNextCa(next, pki.ra, "SHA-256"));

        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        assertThat(signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(pki.raCert))).isTrue();
        assertThat(signer.getDigestAlgOID()).isEqualTo(DigestAlgorithm.SHA256.oid().getId());
        // The signer plus the next CA certificates (clients such as jscep read them from the outer set).
        assertThat(certificates(signed)).contains(new JcaX509CertificateHolder(pki.raCert))
                .containsAll(holders(next)).hasSize(1 + next.size());
        CMSSignedData inner = new CMSSignedData((byte[]) signed.getSignedContent().getContent());
        assertThat(certificates(inner)).containsExactlyElementsOf(holders(next));
    }

    @Test
    void signedNextCa_refusesUnknownDigest() {
        assertThatThrownBy(() -> encoder.signedNextCa(List.of(pki.caCert), pki.ra, "MD5"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<X509CertificateHolder> certificates(CMSSignedData signed) {
        return new ArrayList<>(signed.getCertificates().getMatches(null));
    }

    private static List<X509CertificateHolder> holders(List<X509Certificate> certificates) throws Exception {
        List<X509CertificateHolder> holders = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            holders.add(new JcaX509CertificateHolder(certificate));
        }
        return holders;
    }
}
