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
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
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
        assertThat(ku[2]).as("keyEncipherment: an RSA key for client authentication only signs").isFalse();
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

    /**
     * RFC 5280 §4.2.1.12 (zlint e_key_usage_and_extended_key_usage_inconsistent): keyEncipherment on an RSA key only
     * with a purpose that enciphers keys (serverAuth, emailProtection); clientAuth alone is digitalSignature.
     */
    @Test
    void keyUsageFitsTheKeyAndTheExtendedKeyUsages() {
        var rsa = org.scepca.ca.testing.TestKeys.rsa2048().getPublic();
        var ec = org.scepca.ca.testing.TestKeys.ec("secp256r1").getPublic();
        var client = new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
        var server = new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
        var mail = new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_emailProtection});
        var ike = new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_ipsecIKE});
        assertThat(IssuanceEngine.keyUsage(rsa, client)).isEqualTo(new KeyUsage(KeyUsage.digitalSignature));
        assertThat(IssuanceEngine.keyUsage(rsa, ike)).isEqualTo(new KeyUsage(KeyUsage.digitalSignature));
        assertThat(IssuanceEngine.keyUsage(rsa, server))
                .isEqualTo(new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        assertThat(IssuanceEngine.keyUsage(rsa, mail))
                .isEqualTo(new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        for (var eku : java.util.List.of(client, server, mail, ike)) {
            assertThat(IssuanceEngine.keyUsage(ec, eku)).isEqualTo(new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        }
    }

    /**
     * The CA encodes each subject attribute as its syntax says, whatever string type the request used (zlint
     * e_subject_dn_country_not_printable_string and kin): countryName and serialNumber PrintableString,
     * emailAddress and domainComponent IA5String, the rest PrintableString where it fits or UTF8String. The name stays
     * the same name (X.500 matching ignores the string type), and a name the SAN repeats appears once.
     */
    @Test
    void subjectAttributesAreEncodedAsTheirSyntaxSays() throws Exception {
        X500Name utf8Everywhere = new X500Name(new RDN[] {
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.C, new DERUTF8String("DE")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.SERIALNUMBER, new DERUTF8String("C02XK0AAJGH5")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.DC, new DERUTF8String("acme")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.E, new DERUTF8String("mac-7@acme.test")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.O, new org.bouncycastle.asn1.DERBMPString("Acme")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.OU, new org.bouncycastle.asn1.DERPrintableString("Fleet")),
                new RDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, new DERUTF8String("mac-7 Zürich"))});
        X509Certificate c = issue(csr().subject(utf8Everywhere).email("mac-7@acme.test").dns("mac-7.acme.test")
                .dns("MAC-7.acme.test").build());
        RDN[] rdns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs();
        assertThat(rdns).hasSize(7);
        assertThat(rdns[0].getFirst().getValue()).isInstanceOf(org.bouncycastle.asn1.ASN1PrintableString.class);
        assertThat(rdns[1].getFirst().getValue()).isInstanceOf(org.bouncycastle.asn1.ASN1PrintableString.class);
        assertThat(rdns[2].getFirst().getValue()).isInstanceOf(org.bouncycastle.asn1.ASN1IA5String.class);
        assertThat(rdns[3].getFirst().getValue()).isInstanceOf(org.bouncycastle.asn1.ASN1IA5String.class);
        assertThat(rdns[4].getFirst().getValue()).as("BMPString becomes UTF8String")
                .isInstanceOf(org.bouncycastle.asn1.ASN1UTF8String.class);
        assertThat(rdns[5].getFirst().getValue()).as("a valid PrintableString stays one")
                .isInstanceOf(org.bouncycastle.asn1.ASN1PrintableString.class);
        assertThat(rdns[6].getFirst().getValue()).isInstanceOf(org.bouncycastle.asn1.ASN1UTF8String.class);
        assertThat(c.getSubjectX500Principal().toString()).as("the same attributes and values").isEqualTo(
                new javax.security.auth.x500.X500Principal(utf8Everywhere.getEncoded()).toString());
        assertThat(c.getSubjectAlternativeNames()).hasSize(2);
        // A renewal keeps the subject: compared as X.500 names, not as bytes, so this certificate renews.
        var renewal = ca.issuance().issue(new IssuanceRequest(csr().subject(utf8Everywhere).email("mac-7@acme.test")
                .build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none(), NameRule.sameAs(
                c.getSubjectX500Principal().getName(), List.of("email:mac-7@acme.test", "dns:mac-7.acme.test"))));
        assertThat(renewal.certificate().getSubjectX500Principal()).isEqualTo(c.getSubjectX500Principal());
    }

    /**
     * RFC 5280 §4.1.2.6 (zlint e_subj_email_not_in_san): an emailAddress in the subject is also an email SAN. The CA
     * adds it (Intune's documented subject formats carry E alone), and what authorises the request is checked on the
     * added name too: a challenge bound to DNS names only cannot get an email SAN this way, and a renewal of a
     * certificate issued before (E in the subject, no SAN) may carry it.
     */
    @Test
    void aSubjectEmailBecomesAnEmailSanUnderTheSameAuthority() throws Exception {
        X509Certificate c = issue(csr().subject("E=bob@acme.test,CN=bob").build());
        assertThat(c.getSubjectAlternativeNames()).extracting(l -> l.get(0) + ":" + l.get(1))
                .containsExactly("1:bob@acme.test");

        var dnsOnly = new org.scepca.ca.policy.NameBinding(Optional.empty(), List.of("dns:*.acme.test"));
        assertThatThrownBy(() -> ca.issuance().issue(new IssuanceRequest(csr().subject("E=eve@acme.test,CN=eve")
                .build(), "test", CertificateProfile.CLIENT, IssuanceEffects.none(), dnsOnly)))
                .isInstanceOf(PolicyViolationException.class).hasMessageContaining("email:eve@acme.test");

        // A binding that names the subject vouches for its email address, and so for the SAN the CA adds.
        var subjectOnly = new org.scepca.ca.policy.NameBinding(Optional.of("CN=dave,EMAILADDRESS=dave@acme.test"),
                List.of());
        assertThat(ca.issuance().issue(new IssuanceRequest(csr().subject("CN=dave,E=dave@acme.test").build(), "test",
                CertificateProfile.CLIENT, IssuanceEffects.none(), subjectOnly)).certificate()
                .getSubjectAlternativeNames()).extracting(l -> String.valueOf(l.get(1))).containsExactly("dave@acme.test");

        var renewal = ca.issuance().issue(new IssuanceRequest(csr().subject("E=carol@acme.test,CN=carol").build(),
                "test", CertificateProfile.CLIENT, IssuanceEffects.none(),
                NameRule.sameAs("CN=carol,EMAILADDRESS=carol@acme.test", List.of())));
        assertThat(renewal.certificate().getSubjectAlternativeNames()).extracting(l -> String.valueOf(l.get(1)))
                .containsExactly("carol@acme.test");
    }

    @Test
    void serverProfileAddsServerAuth() {
        var c = ca.issuance().issue(new IssuanceRequest(csr().dns("localhost").build(), "cli", CertificateProfile.SERVER,
                IssuanceEffects.none())).certificate();
        try {
            assertThat(c.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
            assertThat(c.getKeyUsage()[2]).as("keyEncipherment: serverAuth may use RSA key transport").isTrue();
            assertThat(org.scepca.ca.testing.CertificateLint.problems(c)).as("lint").isEmpty();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The front end's DNS names (an ACME order's identifiers; RFC 8555 §7.4 lets the CSR give one in its CN only): each
     * the CSR's subjectAltNames lack is written as a dNSName in lower case, one already there (in any case) is not
     * repeated, and each is held to the policy like a requested name.
     */
    @Test
    void dnsNamesTheCsrLacksAreWrittenAsDnsNames() throws Exception {
        var withNames = new IssuanceRequest(csr().subject("CN=Web-1.acme.test").dns("API.acme.test").build(), "acme:x",
                CertificateProfile.SERVER, IssuanceEffects.none(), NameRule.any(), IssuedFor.NONE, List.of(),
                List.of("web-1.acme.test", "api.acme.test"));
        X509Certificate c = ca.issuance().issue(withNames).certificate();
        assertThat(IssuanceEngine.sanStrings(c)).containsExactly("dns:API.acme.test", "dns:web-1.acme.test");
        assertThat(c.getCriticalExtensionOIDs()).doesNotContain(Extension.subjectAlternativeName.getId());
        assertThat(org.scepca.ca.testing.CertificateLint.problems(c)).as("lint").isEmpty();

        // A CN-only CSR (openssl req -subj /CN=NAME) gets its name as the certificate's one dNSName.
        X509Certificate only = ca.issuance().issue(new IssuanceRequest(csr().subject("CN=web-2.acme.test").build(),
                "acme:x", CertificateProfile.SERVER, IssuanceEffects.none(), NameRule.any(), IssuedFor.NONE, List.of(),
                List.of("web-2.acme.test"))).certificate();
        assertThat(IssuanceEngine.sanStrings(only)).containsExactly("dns:web-2.acme.test");

        var strict = ca.issuance().withPolicy(ca.issuance().policy().withSanPattern(
                org.scepca.ca.policy.SanType.DNS, java.util.regex.Pattern.compile("[a-z0-9-]+\\.acme\\.test")));
        for (String bad : List.of("www.bank.test", "not a name", "*.acme.test")) {
            assertThatThrownBy(() -> strict.issue(new IssuanceRequest(csr().subject("CN=web-3.acme.test").build(),
                    "acme:x", CertificateProfile.SERVER, IssuanceEffects.none(), NameRule.any(), IssuedFor.NONE,
                    List.of(), List.of("web-3.acme.test", bad)))).as(bad).isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("outside policy");
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
