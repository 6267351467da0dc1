package org.scepca.ca.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.TestKeys;

class CsrValidatorTest {
    private final CsrValidator validator = new CsrValidator(IssuancePolicy.defaults());

    @Test
    void acceptsAnOrdinaryDeviceRequest() {
        ValidatedCsr v = validator.validate(csr().subject("CN=iPhone 15,O=Acme").dns("device.acme.test").build());
        assertThat(v.subject().toString()).isEqualTo("CN=iPhone 15,O=Acme");
        assertThat(v.subjectAltNames()).hasSize(1);
    }

    @Test
    void rejectsCsrAskingForCaTrue() {
        var req = csr().extension(Extension.basicConstraints, true, new BasicConstraints(true)).build();
        assertThatThrownBy(() -> validator.validate(req)).isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("CA:TRUE");
    }

    @Test
    void rejectsCsrAskingForKeyCertSign() {
        var req = csr().extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)).build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("keyCertSign");
    }

    @Test
    void rejectsCsrAskingForNameConstraints() {
        var nc = new NameConstraints(new GeneralSubtree[] {new GeneralSubtree(new GeneralName(GeneralName.dNSName, "acme.test"))}, null);
        var req = csr().extension(Extension.nameConstraints, true, nc).build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("name constraints");
    }

    @Test
    void rejectsWeakRsaKey() {
        var req = csr().keys(TestKeys.rsa1024()).build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("1024 bits is too weak");
    }

    @Test
    void rejectsSha1SignatureAsBadAlgorithm() {
        var req = csr().signedWith("SHA1withRSA").build();
        assertThatThrownBy(() -> validator.validate(req)).isInstanceOf(PolicyViolationException.class)
                .satisfies(e -> assertThat(((PolicyViolationException) e).kind())
                        .isEqualTo(PolicyViolationException.Kind.BAD_ALGORITHM));
    }

    @Test
    void acceptsEcP256AndP384() {
        assertThat(validator.validate(csr().keys(TestKeys.ec("secp256r1")).build())).isNotNull();
        assertThat(validator.validate(csr().keys(TestKeys.ec("secp384r1")).build())).isNotNull();
    }

    @Test
    void rejectsEcP521WhenPolicyAllowsOnlyP256AndP384() {
        var narrow = new CsrValidator(IssuancePolicy.defaults().withCurves(java.util.Set.of("secp256r1", "secp384r1")));
        var req = csr().keys(TestKeys.ec("secp521r1")).signedWith("SHA512withECDSA").build();
        assertThat(validator.validate(req)).as("P-521 is allowed by default").isNotNull();
        assertThatThrownBy(() -> narrow.validate(req)).hasMessageContaining("secp521r1");
    }

    @Test
    void limitsAreConfigurable() {
        var tight = new CsrValidator(IssuancePolicy.defaults().withLimits(new RequestLimits(4096, 2, 10, 100, 1, 30, 40)));
        assertThat(tight.validate(csr().subject("CN=a,O=b").dns("a.acme.test").build())).isNotNull();
        assertThatThrownBy(() -> tight.validate(csr().subject("CN=a,O=b,OU=c").build()))
                .hasMessageContaining("policy.max-subject-attributes");
        assertThatThrownBy(() -> tight.validate(csr().subject("CN=abcdefghijk").build()))
                .hasMessageContaining("policy.max-attribute-length");
        assertThatThrownBy(() -> tight.validate(csr().dns("a.acme.test").dns("b.acme.test").build()))
                .hasMessageContaining("policy.max-sans");
    }

    @Test
    void limitsStayInsideTheStoreColumns() {
        assertThatThrownBy(() -> new RequestLimits(16384, 16, 256, 1024, 20, 512, 4096))
                .hasMessageContaining("maxSubjectLength");
        assertThatThrownBy(() -> new RequestLimits(16384, 16, 256, 512, 20, 512, 8192))
                .hasMessageContaining("maxSansLength");
    }

    @Test
    void rejectsTamperedSignature() throws Exception {
        byte[] der = csr().build().getEncoded();
        der[der.length - 5] ^= 0x01;
        var req = new org.bouncycastle.pkcs.PKCS10CertificationRequest(der);
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("signature does not verify");
    }

    @Test
    void rejectsIpSanWhichPolicyDoesNotAllowByDefault() {
        var req = csr().ip("10.0.0.1").build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("IP is not allowed");
    }

    @Test
    void rejectsDnsSanOutsidePattern() {
        var strict = new CsrValidator(IssuancePolicy.defaults().withSanPattern(SanType.DNS,
                java.util.regex.Pattern.compile("[a-z0-9-]+\\.devices\\.acme\\.test")));
        assertThat(strict.validate(csr().dns("ab12.devices.acme.test").build())).isNotNull();
        assertThatThrownBy(() -> strict.validate(csr().dns("www.bank.test").build()))
                .hasMessageContaining("outside policy");
    }

    /** DNS names are case-insensitive (RFC 4343): the same name in another case is within a lower-case pattern. */
    @Test
    void aDnsSanInAnotherCaseIsWithinALowerCasePattern() {
        var strict = new CsrValidator(IssuancePolicy.defaults().withSanPattern(SanType.DNS,
                java.util.regex.Pattern.compile("[a-z0-9-]+\\.devices\\.acme\\.test")));
        assertThat(strict.validate(csr().dns("AB12.Devices.ACME.test").build()).subjectAltNames()).hasSize(1);
        assertThatThrownBy(() -> strict.validate(csr().dns("WWW.Bank.test").build()))
                .hasMessageContaining("outside policy");
    }

    @Test
    void intuneSidUriOnlyWhenEnabled() {
        var req = csr().uri("tag:microsoft.com,2022-09-14:sid:S-1-5-21-1-2-3-1001").build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("Intune SID");
        var enabled = new CsrValidator(IssuancePolicy.defaults().withIntuneSid(true));
        assertThat(enabled.validate(req).subjectAltNames()).hasSize(1);
    }

    @Test
    void rejectsSubjectAttributeOutsidePolicy() {
        var req = csr().subject("CN=x,1.2.3.4=evil").build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("1.2.3.4 is not allowed");
    }

    @Test
    void rejectsEmptySubjectWithoutSan() {
        var req = csr().subject("").build();
        assertThatThrownBy(() -> validator.validate(req)).hasMessageContaining("neither a subject");
    }

    @Test
    void ignoresOtherRequestedExtensions() {
        var req = csr().extension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2"), false,
                new DERSequence()).build();
        assertThat(validator.validate(req)).isNotNull();
    }
}
