package org.scepca.ca.material;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.cert.X509Extension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;

/**
 * What goes into the certificates and CRLs the CA makes: authority key identifiers with the key identifier only
 * (RFC 5280 §4.2.1.1; no issuer name and serial tying children to one issuer certificate), CA names encoded O before
 * CN, and the intermediate naming the root's CRL and certificate when the public base URL is known at creation.
 */
class CaCertificateContentsTest {
    private static final URI BASE = URI.create("http://ca.acme.test");

    /** The default names at test key sizes (the default 4096-bit root would only make the test slower). */
    private static InitOptions defaultNames() {
        InitOptions d = InitOptions.defaults();
        return new InitOptions(d.rootSubject(), d.intermediateSubject(), d.raSubject(), 2048, 2048, 2048,
                d.rootValidity(), d.intermediateValidity(), d.raValidity(), Optional.empty());
    }

    private static CertificateAuthority create(Path dir, InitOptions options, CaConfig config) {
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(new CaDirectory(dir), options, TestPki.PASSPHRASE);
        return CertificateAuthority.open(new CaDirectory(dir), TestPki.PASSPHRASE, config, Clock.systemUTC(),
                new SecureRandom());
    }

    @Test
    void everyAuthorityKeyIdentifierCarriesTheIssuersKeyIdentifierOnly(@TempDir Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("public-base-url", BASE.toString());
        try (CertificateAuthority ca = create(dir, defaultNames().withPublicBaseUrl(Optional.of(BASE)), CaConfig.from(p))) {
            X509Certificate root = ca.material().root();
            X509Certificate intermediate = ca.material().intermediateCertificate();
            X509Certificate device = ca.issuance().issue(new IssuanceRequest(Csrs.csr().subject("CN=iphone-1").build(),
                    "test", CertificateProfile.CLIENT, IssuanceEffects.none())).certificate();
            X509CRL crl = ca.crls().current().crl();

            assertKeyIdOnly(intermediate, root);
            assertKeyIdOnly(ca.material().raCertificate(), intermediate);
            assertKeyIdOnly(device, intermediate);
            assertKeyIdOnly(crl, intermediate);
            assertThat(root.getExtensionValue(Extension.authorityKeyIdentifier.getId())).as("self-signed root").isNull();

            assumeThat(OpenSsl.available()).isTrue();
            Path pem = dir.resolve("device.pem");
            Files.writeString(pem, Pem.encode(device));
            String text = OpenSsl.run("x509", "-in", pem.toString(), "-noout", "-text").output();
            assertThat(text).contains("X509v3 Authority Key Identifier").doesNotContain("DirName").doesNotContain("serial:");
        }
    }

    @Test
    void caNamesAreEncodedOrganizationBeforeCommonName(@TempDir Path dir) throws Exception {
        try (CertificateAuthority ca = create(dir, defaultNames(), CaConfig.defaults())) {
            for (X509Certificate c : List.of(ca.material().root(), ca.material().intermediateCertificate(),
                    ca.material().raCertificate())) {
                var rdns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs();
                assertThat(rdns).hasSize(2);
                assertThat(rdns[0].getFirst().getType()).as("first RDN of " + c.getSubjectX500Principal())
                        .isEqualTo(BCStyle.O);
                assertThat(rdns[1].getFirst().getType()).isEqualTo(BCStyle.CN);
            }
            // RFC 4514 strings list the last RDN first, so Java shows the conventional "CN=..., O=...".
            assertThat(ca.material().intermediateCertificate().getSubjectX500Principal().getName())
                    .isEqualTo("CN=scepca Issuing CA,O=scepca");
            assumeThat(OpenSsl.available()).isTrue();
            Path pem = dir.resolve("root.pem");
            Files.writeString(pem, Pem.encode(ca.material().root()));
            assertThat(OpenSsl.run("x509", "-in", pem.toString(), "-noout", "-subject").output().strip())
                    .isEqualTo("subject=O = scepca, CN = scepca Root CA");
        }
    }

    @Test
    void withABaseUrlTheIntermediateNamesTheRootsCrlAndCertificate(@TempDir Path dir) throws Exception {
        try (CertificateAuthority ca = create(dir, defaultNames().withPublicBaseUrl(Optional.of(BASE)),
                CaConfig.defaults())) {
            X509Certificate intermediate = ca.material().intermediateCertificate();
            CRLDistPoint cdp = CRLDistPoint.getInstance(octets(intermediate, Extension.cRLDistributionPoints));
            assertThat(cdp.getDistributionPoints()).hasSize(1);
            GeneralName[] names = GeneralNames.getInstance(cdp.getDistributionPoints()[0].getDistributionPoint().getName())
                    .getNames();
            assertThat(names).extracting(n -> n.getName().toString()).containsExactly("http://ca.acme.test/crl/root.crl");
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    octets(intermediate, Extension.authorityInfoAccess));
            assertThat(aia.getAccessDescriptions()).extracting(AccessDescription::getAccessMethod)
                    .containsExactly(X509ObjectIdentifiers.id_ad_caIssuers);
            assertThat(aia.getAccessDescriptions()[0].getAccessLocation().getName().toString())
                    .isEqualTo("http://ca.acme.test/ca/root.cer");
            // The root's own CRL (signed at creation) covers the intermediate; its URL is where the server serves it.
            assertThat(ca.crls().rootCrl()).isPresent();
        }
    }

    @Test
    void withoutABaseUrlTheIntermediateHasNoRevocationPointers(@TempDir Path dir) throws Exception {
        try (CertificateAuthority ca = create(dir, defaultNames(), CaConfig.defaults())) {
            X509Certificate intermediate = ca.material().intermediateCertificate();
            assertThat(intermediate.getExtensionValue(Extension.cRLDistributionPoints.getId())).isNull();
            assertThat(intermediate.getExtensionValue(Extension.authorityInfoAccess.getId())).isNull();
        }
    }

    /** An imported CA whose key identifier was not computed by RFC 5280's method 1: children must repeat it as is. */
    @Test
    void authorityKeyIdentifierRepeatsAnIssuersOwnSubjectKeyIdentifier() throws Exception {
        KeyPair keys = KeyPairs.rsa(2048, new SecureRandom());
        byte[] foreignKeyId = new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
        X500Name name = new X500Name("O=Elsewhere,CN=Imported Root");
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(1234567), Date.from(Instant.now()),
                Date.from(Instant.now().plus(Duration.ofDays(1))), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(foreignKeyId));
        X509Certificate issuer = CertificateMaker.sign(b, keys.getPrivate(), keys.getPublic());

        AuthorityKeyIdentifier aki = KeyIdentifiers.authorityKeyIdentifier(issuer);
        assertThat(aki.getKeyIdentifier()).isEqualTo(foreignKeyId);
        assertThat(aki.getAuthorityCertIssuer()).isNull();
        assertThat(aki.getAuthorityCertSerialNumber()).isNull();
    }

    private static void assertKeyIdOnly(X509Extension child, X509Certificate issuer) {
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(octets(child, Extension.authorityKeyIdentifier));
        byte[] ski = SubjectKeyIdentifier.getInstance(octets(issuer, Extension.subjectKeyIdentifier)).getKeyIdentifier();
        assertThat(aki.getKeyIdentifier()).isEqualTo(ski);
        assertThat(aki.getAuthorityCertIssuer()).as("authorityCertIssuer").isNull();
        assertThat(aki.getAuthorityCertSerialNumber()).as("authorityCertSerialNumber").isNull();
    }

    private static byte[] octets(X509Extension holder, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        byte[] ext = holder.getExtensionValue(oid.getId());
        assertThat(ext).as(oid.getId()).isNotNull();
        return ASN1OctetString.getInstance(ext).getOctets();
    }
}
