package org.scepca.scep.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageValuesTest {

    private static TestPki pki;

    @BeforeAll
    static void setUp() {
        TestPki.registerBouncyCastle();
        pki = TestPki.PKI;
    }

    @Test
    void messageTypeCodes_matchRfc8894() {
        assertThat(Arrays.stream(MessageType.values()).filter(t -> t != MessageType.UNSUPPORTED)
                .mapToInt(MessageType::code)).containsExactly(3, 17, 19, 20, 21, 22);
        assertThat(MessageType.fromCode(17)).contains(MessageType.RENEWAL_REQ);
        assertThat(MessageType.fromCode(99)).isEmpty();
        assertThat(MessageType.fromCode(MessageType.UNSUPPORTED.code())).isEmpty();
        assertThat(Arrays.stream(PkiStatus.values()).mapToInt(PkiStatus::code)).containsExactly(0, 2, 3);
        assertThat(Arrays.stream(FailInfo.values()).mapToInt(FailInfo::code)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void transactionId_acceptsPrintableUpTo128_andRejectsOthers() {
        assertThat(new TransactionId("A1+/=:? ").value()).isEqualTo("A1+/=:? ");
        assertThat(new TransactionId("x".repeat(128)).value()).hasSize(128);
        assertThatThrownBy(() -> new TransactionId("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionId("x".repeat(129))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionId("under_score")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionId(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value is null");
    }

    @Test
    void nonce_acceptsOneTo64Bytes_comparesByContent_andCopies() {
        byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8};
        Nonce nonce = new Nonce(bytes);
        bytes[0] = 9;

        assertThat(nonce).isEqualTo(new Nonce(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertThat(nonce.hashCode()).isEqualTo(new Nonce(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).hashCode());
        nonce.bytes()[0] = 9;
        assertThat(nonce.bytes()[0]).isEqualTo((byte) 1);
        assertThat(new Nonce(new byte[64]).length()).isEqualTo(64);
        assertThatThrownBy(() -> new Nonce(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Nonce(new byte[65])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomNonce_is16FreshBytes() {
        SecureRandom random = new SecureRandom();

        assertThat(Nonce.random(random).length()).isEqualTo(16);
        assertThat(Nonce.random(random)).isNotEqualTo(Nonce.random(random));
    }

    @Test
    void raIdentity_neverPrintsKey_andRequiresMatchingRsaKey() throws Exception {
        assertThat(pki.ra.toString()).contains("Test SCEP RA").doesNotContain("modulus").doesNotContain("private");
        assertThatThrownBy(() -> new RaIdentity(pki.raCert, pki.otherRaKeys.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        assertThatThrownBy(() -> new RaIdentity(pki.raCert, ec.generateKeyPair().getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA");
    }

    @Test
    void digestAlgorithm_parsesCommonNames() {
        assertThat(DigestAlgorithm.fromName("SHA-256")).isEqualTo(DigestAlgorithm.SHA256);
        assertThat(DigestAlgorithm.fromName("sha512")).isEqualTo(DigestAlgorithm.SHA512);
        assertThat(DigestAlgorithm.fromName("SHA1")).isEqualTo(DigestAlgorithm.SHA1);
        assertThatThrownBy(() -> DigestAlgorithm.fromName("MD5")).isInstanceOf(IllegalArgumentException.class);
    }

    static ASN1Encodable[] directoryStrings() {
        return new ASN1Encodable[] {
            new DERPrintableString("s3cret"), new DERUTF8String("s3cret"), new DERIA5String("s3cret"),
            new DERBMPString("s3cret"), new DERT61String("s3cret"),
        };
    }

    @ParameterizedTest(name = "ok/{0}")
    @MethodSource("directoryStrings")
    void challengePassword_readsEveryDirectoryStringVariant(ASN1Encodable value) {
        assertThat(CsrAttributes.challengePassword(pki.csr("CN=x", value))).contains("s3cret");
    }

    @Test
    void challengePassword_isEmptyWhenAbsentOrAmbiguous() throws Exception {
        assertThat(CsrAttributes.challengePassword(pki.csr("CN=x", null))).isEmpty();

        PKCS10CertificationRequest twice = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"),
                pki.requesterKeys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString("one"))
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString("two"))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pki.requesterKeys.getPrivate()));
        assertThat(CsrAttributes.challengePassword(twice)).isEmpty();
    }
}
