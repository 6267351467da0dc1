package org.scepca.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

class IssuanceEngineTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;

    @BeforeAll
    static void open() {
        var props = new java.util.Properties();
        props.setProperty("public-base-url", "http://ca.acme.test:8080");
        ca = TestPki.create(dir, CaConfig.from(props));
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    private static X509Certificate issue(org.bouncycastle.pkcs.PKCS10CertificationRequest req) {
        return ca.issuance().issue(new IssuanceRequest(req, "test", CertificateProfile.CLIENT, IssuanceEffects.none()))
                .certificate();
    }

    @Test
    void issuedCertificateCarriesOnlyThePolicysExtensions() throws Exception {
        var req = csr().subject("CN=mac-1,O=Acme").dns("mac-1.acme.test")
                .extension(new ASN1ObjectIdentifier("1.2.3.4.5"), false, new DERUTF8String("copied?")).build();
        X509Certificate c = issue(req);
        c.verify(ca.material().intermediateCertificate().getPublicKey());
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        boolean[] ku = c.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[2]).as("keyEncipherment").isTrue();
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(c.getExtensionValue("1.2.3.4.5")).as("CSR extension must not be copied").isNull();
        assertThat(c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
        assertThat(c.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
        assertThat(c.getExtensionValue(Extension.cRLDistributionPoints.getId())).isNotNull();
        assertThat(new String(c.getExtensionValue(Extension.cRLDistributionPoints.getId()), "ISO-8859-1"))
                .contains("http://ca.acme.test:8080/crl/intermediate.crl");
        assertThat(new String(c.getExtensionValue(Extension.authorityInfoAccess.getId()), "ISO-8859-1"))
                .contains("http://ca.acme.test:8080/ocsp");
        assertThat(c.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList()).containsExactly((Object) "mac-1.acme.test");
        assertThat(Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays()).isEqualTo(365);
    }

    @Test
    void csrAskingForCaTrueNeverYieldsACertificate() {
        long before = ca.certificates().count();
        var req = csr().extension(Extension.basicConstraints, true, new BasicConstraints(true)).build();
        assertThatThrownBy(() -> issue(req)).isInstanceOf(PolicyViolationException.class);
        assertThat(ca.certificates().count()).isEqualTo(before);
    }

    @Test
    void validityNeverExceedsTheIssuers() {
        var engine = new IssuanceEngine(ca.issuance().issuer(), ca.config().policy().withValidity(Duration.ofDays(3650)),
                ca.certificates(), ca.clock(), ca.random());
        var c = engine.issue(new IssuanceRequest(csr().build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none()))
                .certificate();
        assertThat(c.getNotAfter()).isEqualTo(ca.material().intermediateCertificate().getNotAfter());
    }

    @Test
    void ecKeysGetKeyAgreementNotKeyEncipherment() {
        var c = issue(csr().keys(org.scepca.ca.testing.TestKeys.ec("secp256r1")).build());
        assertThat(c.getKeyUsage()[2]).isFalse();
        assertThat(c.getKeyUsage()[4]).isTrue();
    }

    @Test
    void serverProfileAddsServerAuth() {
        var c = ca.issuance().issue(new IssuanceRequest(csr().dns("localhost").build(), "cli", CertificateProfile.SERVER,
                IssuanceEffects.none())).certificate();
        try {
            assertThat(c.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tenThousandIssuedSerialsAreUnique() throws Exception {
        var req = csr().subject("CN=bulk").build();
        int n = 10_000;
        Set<BigInteger> serials = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < n / 4; i++) {
                        BigInteger s = issue(req).getSerialNumber();
                        assertThat(s.bitLength()).isBetween(64, 159);
                        serials.add(s);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(serials).hasSize(n);
        // and the store agrees: every one of them is there
        Set<BigInteger> stored = new HashSet<>();
        var q = new CertificateQuery(CertificateQuery.State.ALL, Optional.of("cn=bulk"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 1000);
        var page = ca.certificates().list(q, ca.clock().instant());
        while (true) {
            page.items().forEach(r -> stored.add(r.serial()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            page = ca.certificates().list(q.withCursor(page.nextCursor().get()), ca.clock().instant());
        }
        assertThat(stored).isEqualTo(serials);
    }

    @Test
    void serialNumbersParseTheWaysAdminsCopyThem() {
        assertThat(SerialNumbers.parse("0x1A:2b")).isEqualTo(new BigInteger("1a2b", 16));
        assertThatThrownBy(() -> SerialNumbers.parse("xyz")).hasMessageContaining("not a hexadecimal serial");
        assertThat(URI.create("http://x").getHost()).isEqualTo("x");
    }

    @Test
    void refusesToIssueProfileSigningCertificatesFromCsrs() {
        assertThatThrownBy(() -> ca.issuance().issue(new IssuanceRequest(csr().build(), "test",
                CertificateProfile.PROFILE_SIGNING, IssuanceEffects.none())))
                .isInstanceOf(PolicyViolationException.class).hasMessageContaining("not issued from CSRs");
    }

    private static IssuedCertificate issueAttested(org.bouncycastle.pkcs.PKCS10CertificationRequest req,
            List<String> attested) {
        return ca.issuance().issue(new IssuanceRequest(req, "acme:test", CertificateProfile.CLIENT,
                IssuanceEffects.none(), NameRule.any(), IssuedFor.NONE, attested));
    }

    @Test
    void attestedIdentifiersBecomePermanentIdentifierNamesThatTheCaWrites() throws Exception {
        IssuedCertificate issued = issueAttested(csr().subject("CN=ipad-1,O=Acme").dns("ipad-1.acme.test").build(),
                List.of("C02XK0AAJGH5"));
        X509Certificate c = issued.certificate();
        GeneralName[] names = GeneralNames.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                c.getExtensionValue(Extension.subjectAlternativeName.getId()))).getNames();
        // The CSR's dNSName, then the CA's otherName: id-on-permanentIdentifier, [0] EXPLICIT SEQUENCE { UTF8String }.
        assertThat(names).hasSize(2);
        assertThat(names[0].getTagNo()).isEqualTo(GeneralName.dNSName);
        assertThat(names[1].getTagNo()).isEqualTo(GeneralName.otherName);
        ASN1Sequence other = ASN1Sequence.getInstance(names[1].getName());
        assertThat(other.getObjectAt(0)).isEqualTo(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.3"));
        ASN1TaggedObject value = ASN1TaggedObject.getInstance(other.getObjectAt(1));
        assertThat(value.getTagNo()).isZero();
        assertThat(value.isExplicit()).isTrue();
        ASN1Sequence permanentIdentifier = ASN1Sequence.getInstance(value.getExplicitBaseObject());
        assertThat(permanentIdentifier.size()).as("identifierValue only, no assigner").isEqualTo(1);
        assertThat(DERUTF8String.getInstance(permanentIdentifier.getObjectAt(0)).getString()).isEqualTo("C02XK0AAJGH5");
        assertThat(c.getCriticalExtensionOIDs()).doesNotContain(Extension.subjectAlternativeName.getId());
        // Stored and searchable as the other names are.
        assertThat(issued.record().subjectAltNames()).containsExactly("dns:ipad-1.acme.test",
                "permanent-id:C02XK0AAJGH5");
        assertThat(ca.certificates().find(issued.record().serial()).orElseThrow().subjectAltNames())
                .contains("permanent-id:C02XK0AAJGH5");
        if (OpenSsl.available()) {
            Path pem = Files.createTempFile(dir, "attested", ".pem");
            Files.writeString(pem, Pem.encode(c));
            OpenSsl.Result text = OpenSsl.run("x509", "-in", pem.toString(), "-noout", "-ext", "subjectAltName");
            assertThat(text.ok()).as(text.output()).isTrue();
            // OpenSSL 3.0 knows the type (3.2 and later also print the value; the structure is checked above).
            assertThat(text.output()).contains("DNS:ipad-1.acme.test").contains("othername: Permanent Identifier:");
        }
    }

    @Test
    void withAnEmptySubjectTheNamesAreCritical() throws Exception {
        X509Certificate c = issueAttested(csr().subject(new X500Name(new RDN[0])).dns("mac-2.acme.test").build(),
                List.of("00008030-001A2D8E3C38802E", "C02XK0AAJGH6")).certificate();
        assertThat(c.getCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
        assertThat(IssuanceEngine.sanStrings(c)).containsExactly("dns:mac-2.acme.test",
                "permanent-id:00008030-001A2D8E3C38802E", "permanent-id:C02XK0AAJGH6");
    }

    @Test
    void attestedIdentifiersAreSerialNumbersOrUdidsOnly() {
        for (List<String> bad : List.of(List.of("C02 XK0"), List.of("x".repeat(65)), List.of(""),
                List.of("a\nop=issued"), List.of("1", "2", "3", "4", "5"))) {
            assertThatThrownBy(() -> issueAttested(csr().build(), bad)).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
