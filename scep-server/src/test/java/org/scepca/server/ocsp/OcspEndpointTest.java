package org.scepca.server.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.scepca.ca.testing.Csrs.csr;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.OpenSsl;
import org.scepca.ca.testing.TestPki;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/** The OCSP responder through a real Jetty on a loopback port, with Bouncy Castle (and OpenSSL) as the client. */
class OcspEndpointTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path otherDir;
    static Running running;
    static CertificateAuthority otherCa;
    static X509Certificate intermediate;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0));
        intermediate = running.ca().material().intermediateCertificate();
        otherCa = TestPki.create(otherDir);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        base = "http://127.0.0.1:" + running.port();
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
        if (otherCa != null) {
            otherCa.close();
        }
    }

    // ---- statuses

    @Test
    void issuedCertificate_isGood_signedByDelegatedResponder() throws Exception {
        X509Certificate cert = issue(running.ca(), "good-device");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        BasicOCSPResp basic = basic(post(request(certId(cert, intermediate, CertificateID.HASH_SHA1))));
        SingleResp single = basic.getResponses()[0];

        assertThat(single.getCertStatus()).isSameAs(CertificateStatus.GOOD);
        assertThat(single.getCertID().getSerialNumber()).isEqualTo(cert.getSerialNumber());
        assertThat(single.getThisUpdate().toInstant()).isBetween(before, Instant.now());
        assertThat(Duration.between(single.getThisUpdate().toInstant(), single.getNextUpdate().toInstant()))
                .isEqualTo(Duration.ofHours(1));
        assertThat(basic.getProducedAt().toInstant()).isEqualTo(single.getThisUpdate().toInstant());

        // RFC 6960 §4.2.2.2: a delegated responder issued by the CA itself, marked for OCSP signing and "no check".
        X509CertificateHolder[] certs = basic.getCerts();
        assertThat(certs).hasSize(1);
        X509Certificate responder = new JcaX509CertificateConverter().getCertificate(certs[0]);
        responder.verify(intermediate.getPublicKey());
        assertThat(responder.getIssuerX500Principal()).isEqualTo(intermediate.getSubjectX500Principal());
        assertThat(responder.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_OCSPSigning.getId());
        assertThat(responder.getExtensionValue(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck.getId())).isNotNull();
        assertThat(responder.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(responder.getBasicConstraints()).isEqualTo(-1);
        assertThat(Duration.between(responder.getNotBefore().toInstant(), responder.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofDays(7).plusMinutes(5));
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(certs[0]))).isTrue();
        assertThat(basic.getResponderId().toASN1Primitive().getKeyHash()).isNotNull();
    }

    @Test
    void revokedCertificate_isRevokedWithTimeAndReason() throws Exception {
        X509Certificate cert = issue(running.ca(), "lost-iphone");
        var outcome = running.ca().revocation().revoke(cert.getSerialNumber(), RevocationReason.KEY_COMPROMISE, "test");

        SingleResp single = single(post(request(certId(cert, intermediate, CertificateID.HASH_SHA1))));

        assertThat(single.getCertStatus()).isInstanceOf(RevokedStatus.class);
        RevokedStatus revoked = (RevokedStatus) single.getCertStatus();
        assertThat(revoked.getRevocationTime().toInstant())
                .isEqualTo(outcome.certificate().revokedAt().orElseThrow().truncatedTo(ChronoUnit.SECONDS));
        assertThat(revoked.hasRevocationReason()).isTrue();
        assertThat(revoked.getRevocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE.code());
    }

    @Test
    void revokedWithoutReason_omitsTheReason() throws Exception {
        X509Certificate cert = issue(running.ca(), "retired");
        running.ca().revocation().revoke(cert.getSerialNumber(), RevocationReason.UNSPECIFIED, "test");

        SingleResp single = single(post(request(certId(cert, intermediate, CertificateID.HASH_SHA1))));

        assertThat(single.getCertStatus()).isInstanceOf(RevokedStatus.class);
        assertThat(((RevokedStatus) single.getCertStatus()).hasRevocationReason()).isFalse();
    }

    @Test
    void serialWeNeverIssued_isUnknown() throws Exception {
        CertificateID id = new CertificateID(sha1(), new JcaX509CertificateHolder(intermediate),
                new BigInteger(120, new SecureRandom()).setBit(100));

        assertThat(single(post(request(id))).getCertStatus()).isInstanceOf(UnknownStatus.class);
    }

    /**
     * RFC 5019 §2.2.3: a request about another issuer's certificate gets unauthorized (unsigned), not a signed
     * "unknown" from a delegated responder that has no authority over that issuer.
     */
    @Test
    void certificateOfAnotherCaWithTheSameName_isUnauthorized() throws Exception {
        X509Certificate foreign = issue(otherCa, "foreign");
        X509Certificate otherIntermediate = otherCa.material().intermediateCertificate();
        // TestPki names every CA alike: only issuerKeyHash tells them apart.
        assertThat(otherIntermediate.getSubjectX500Principal()).isEqualTo(intermediate.getSubjectX500Principal());

        OCSPResp answer = post(request(certId(foreign, otherIntermediate, CertificateID.HASH_SHA1)));
        assertThat(answer.getStatus()).isEqualTo(OCSPResp.UNAUTHORIZED);
        assertThat(answer.getResponseObject()).as("an error status carries no response").isNull();
        // Beside a CertID of ours, the other issuer's gets unknown in the signed answer.
        OCSPReqBuilder both = new OCSPReqBuilder();
        both.addRequest(certId(issue(running.ca(), "ours-beside-foreign"), intermediate, CertificateID.HASH_SHA1));
        both.addRequest(certId(foreign, otherIntermediate, CertificateID.HASH_SHA1));
        SingleResp[] mixed = basic(post(both.build().getEncoded())).getResponses();
        assertThat(mixed[0].getCertStatus()).isSameAs(CertificateStatus.GOOD);
        assertThat(mixed[1].getCertStatus()).isInstanceOf(UnknownStatus.class);
        // Our issuer hashes with a serial only the other CA issued: unknown (a serial we never issued).
        assertThat(single(post(request(certId(foreign, intermediate, CertificateID.HASH_SHA1)))).getCertStatus())
                .isInstanceOf(UnknownStatus.class);
    }

    @Test
    void sha256CertId_isAnsweredWithTheSameCertId() throws Exception {
        X509Certificate cert = issue(running.ca(), "sha256-client");
        CertificateID id = certId(cert, intermediate, new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));

        SingleResp single = single(post(request(id)));

        assertThat(single.getCertStatus()).isSameAs(CertificateStatus.GOOD);
        assertThat(single.getCertID()).isEqualTo(id);
        assertThat(single.getCertID().getHashAlgOID()).isEqualTo(NISTObjectIdentifiers.id_sha256);
    }

    @Test
    void hashAlgorithmWeDoNotCompute_isUnauthorized() throws Exception {
        X509Certificate cert = issue(running.ca(), "md5-client");
        CertificateID id = certId(cert, intermediate, new AlgorithmIdentifier(PKCSObjectIdentifiers.md5, DERNull.INSTANCE));

        assertThat(post(request(id)).getStatus()).isEqualTo(OCSPResp.UNAUTHORIZED);
    }

    @Test
    void severalCertIds_areAnsweredInOrder() throws Exception {
        X509Certificate good = issue(running.ca(), "multi-good");
        X509Certificate revoked = issue(running.ca(), "multi-revoked");
        running.ca().revocation().revoke(revoked.getSerialNumber(), RevocationReason.SUPERSEDED, "test");
        OCSPReqBuilder b = new OCSPReqBuilder();
        b.addRequest(certId(good, intermediate, CertificateID.HASH_SHA1));
        b.addRequest(certId(revoked, intermediate, CertificateID.HASH_SHA1));

        SingleResp[] responses = basic(post(b.build().getEncoded())).getResponses();

        assertThat(responses).hasSize(2);
        assertThat(responses[0].getCertStatus()).isSameAs(CertificateStatus.GOOD);
        assertThat(((RevokedStatus) responses[1].getCertStatus()).getRevocationReason())
                .isEqualTo(RevocationReason.SUPERSEDED.code());
    }

    // ---- nonces (RFC 8954)

    @Test
    void nonce_isEchoed() throws Exception {
        X509Certificate cert = issue(running.ca(), "nonce-client");
        for (int length : new int[] {1, 16, 32}) {
            byte[] nonce = new byte[length];
            new SecureRandom().nextBytes(nonce);
            BasicOCSPResp basic = basic(post(request(nonce, certId(cert, intermediate, CertificateID.HASH_SHA1))));
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            assertThat(echoed).as("nonce of %d bytes", length).isNotNull();
            assertThat(echoed.getExtnValue().getOctets()).isEqualTo(new DEROctetString(nonce).getEncoded());
            assertThat(echoed.isCritical()).isFalse();
        }
    }

    @Test
    void withoutNonce_theResponseHasNone() throws Exception {
        X509Certificate cert = issue(running.ca(), "no-nonce-client");
        BasicOCSPResp basic = basic(post(request(certId(cert, intermediate, CertificateID.HASH_SHA1))));
        assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)).isNull();
    }

    @Test
    void nonceOutsideOneTo32Bytes_isMalformedRequest() throws Exception {
        X509Certificate cert = issue(running.ca(), "long-nonce-client");
        CertificateID id = certId(cert, intermediate, CertificateID.HASH_SHA1);
        assertThat(post(request(new byte[33], id)).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(post(request(new byte[0], id)).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    }

    // ---- malformed and unsupported

    @Test
    void garbage_isMalformedRequestWithHttp200() throws Exception {
        for (byte[] body : List.of("hello".getBytes(StandardCharsets.US_ASCII), new byte[] {0x30, 0x03, 0x02, 0x01},
                new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                    .header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
            assertThat(new OCSPResp(r.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        }
    }

    @Test
    void validRequestWithTrailingBytes_isMalformedRequest() throws Exception {
        X509Certificate cert = issue(running.ca(), "trailing");
        byte[] req = request(certId(cert, intermediate, CertificateID.HASH_SHA1));
        byte[] padded = java.util.Arrays.copyOf(req, req.length + 2);
        assertThat(post(padded).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    }

    @Test
    void unknownCriticalRequestExtension_isMalformedRequest() throws Exception {
        X509Certificate cert = issue(running.ca(), "critical-ext");
        OCSPReqBuilder b = new OCSPReqBuilder().addRequest(certId(cert, intermediate, CertificateID.HASH_SHA1));
        b.setRequestExtensions(new Extensions(new Extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true,
                new DEROctetString(new byte[] {1}).getEncoded())));
        assertThat(post(b.build().getEncoded()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    }

    @Test
    void moreThan16CertIds_isMalformedRequest() throws Exception {
        X509Certificate cert = issue(running.ca(), "many");
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (int i = 0; i < 17; i++) {
            b.addRequest(certId(cert, intermediate, CertificateID.HASH_SHA1));
        }
        assertThat(post(b.build().getEncoded()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
    }

    @Test
    void oversizedPost_is413Problem() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[20 * 1024])));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"status\":413");
    }

    @Test
    void wrongContentType_is415Problem() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x00})));
        assertThat(r.statusCode()).isEqualTo(415);
    }

    @Test
    void otherMethod_is405Problem() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x00})));
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
    }

    // ---- GET (RFC 6960 appendix A.1, RFC 5019 §5 and §6)

    @Test
    void get_withUrlEncodedBase64_isGoodAndCacheable() throws Exception {
        X509Certificate cert = issue(running.ca(), "get-client");
        String b64 = Base64.getEncoder().encodeToString(request(certId(cert, intermediate, CertificateID.HASH_SHA1)));

        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(
                URI.create(base + "/ocsp/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII))).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=3600, public, no-transform, must-revalidate");
        // RFC 9110 §5.6.7 IMF-fixdate: a two-digit day, always (RFC_1123_DATE_TIME wrote "2 Dec").
        String imfFixdate = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT";
        assertThat(r.headers().firstValue("Expires")).hasValueSatisfying(v -> assertThat(v).matches(imfFixdate));
        assertThat(r.headers().firstValue("Last-Modified")).hasValueSatisfying(v -> assertThat(v).matches(imfFixdate));
        assertThat(basic(new OCSPResp(r.body())).getResponses()[0].getCertStatus()).isSameAs(CertificateStatus.GOOD);
    }

    /** A responder URL configured with a trailing '/' makes clients ask for {@code /ocsp//MEow...}. */
    @Test
    void get_afterADoubleSlash_isAnswered() throws Exception {
        X509Certificate cert = issue(running.ca(), "get-double-slash");
        String b64 = Base64.getEncoder().encodeToString(request(certId(cert, intermediate, CertificateID.HASH_SHA1)));

        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(
                URI.create(base + "/ocsp//" + URLEncoder.encode(b64, StandardCharsets.US_ASCII))).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(basic(new OCSPResp(r.body())).getResponses()[0].getCertStatus()).isSameAs(CertificateStatus.GOOD);
    }

    @Test
    void get_withUnescapedSlashesAndPlus_isUnderstood() throws Exception {
        X509Certificate cert = issue(running.ca(), "sloppy-client");
        CertificateID id = certId(cert, intermediate, CertificateID.HASH_SHA1);
        // Vary the nonce until the base64 text holds "//" and "+": what a client that does not escape sends.
        String b64 = null;
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 100_000 && b64 == null; i++) {
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            String candidate = Base64.getEncoder().encodeToString(request(nonce, id));
            if (candidate.contains("//") && candidate.contains("+")) {
                b64 = candidate;
            }
        }
        assertThat(b64).isNotNull();

        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp/" + b64)).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(basic(new OCSPResp(r.body())).getResponses()[0].getCertStatus()).isSameAs(CertificateStatus.GOOD);
    }

    @Test
    void get_withoutOrWithBadRequest_isMalformedRequest() throws Exception {
        for (String path : List.of("/ocsp", "/ocsp/", "/ocsp/not*base64", "/ocsp/aGVsbG8=")) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(new OCSPResp(r.body()).getStatus()).as(path).isEqualTo(OCSPResp.MALFORMED_REQUEST);
            assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
        }
    }

    // ---- the delegated responder key, kept in the database for every replica

    @Test
    void responderKey_isInTheDatabaseUnderTheCaPassphrase_notInAFile() throws Exception {
        assertThat(new CaDirectory(dir).ocspKey()).doesNotExist();
        var rows = new org.scepca.ca.store.SharedCredentials(running.ca().database());
        String name = "ocsp-" + Pem.sha256Hex(intermediate.getPublicKey().getEncoded()).substring(0, 32);
        byte[] p12 = rows.read(name).orElseThrow().pkcs12();
        var stored = org.scepca.ca.keys.Pkcs12Files.read(p12, TestPki.PASSPHRASE, "stored");
        assertThat(stored.certificate()).isEqualTo(running.ocsp().signer().current().certificate());
        assertThatThrownBy(() -> org.scepca.ca.keys.Pkcs12Files.read(p12,
                org.scepca.ca.keys.Passphrase.of("another-passphrase-1"), "stored"))
                .isInstanceOf(org.scepca.ca.keys.KeyAccessException.class);
    }

    // ---- OpenSSL as the client

    @Test
    void openssl_verifiesGoodAndRevokedAnswers() throws Exception {
        Assumptions.assumeTrue(OpenSsl.available(), "openssl not installed");
        X509Certificate cert = issue(running.ca(), "openssl-client");
        Path certFile = write("client.pem", Pem.encode(cert));
        Path issuerFile = write("intermediate.pem", Pem.encode(intermediate));
        Path chainFile = write("chain.pem", new String(Pem.encodeAll(running.ca().material().chain()), StandardCharsets.US_ASCII));

        List<String> args = new ArrayList<>(List.of("ocsp", "-issuer", issuerFile.toString(), "-cert", certFile.toString(),
                "-url", base + "/ocsp", "-CAfile", chainFile.toString(), "-timeout", "10"));
        OpenSsl.Result good = OpenSsl.run(args.toArray(new String[0]));
        assertThat(good.output()).contains("Response verify OK", certFile + ": good").doesNotContain("WARNING");

        running.ca().revocation().revoke(cert.getSerialNumber(), RevocationReason.CESSATION_OF_OPERATION, "test");
        args.add(1, "-sha256"); // SHA-256 CertID; openssl wants the digest before -cert
        OpenSsl.Result revoked = OpenSsl.run(args.toArray(new String[0]));
        assertThat(revoked.output()).contains("Response verify OK", certFile + ": revoked", "Reason: cessationOfOperation")
                .doesNotContain("WARNING");
    }

    // ---- helpers

    private static Path write(String name, String text) throws IOException {
        Path p = dir.resolve("openssl-" + name);
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        return p;
    }

    static X509Certificate issue(CertificateAuthority ca, String cn) {
        return ca.issuance().issue(new IssuanceRequest(csr().subject("CN=" + cn).build(), "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).certificate();
    }

    static org.bouncycastle.operator.DigestCalculator sha1() throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
    }

    static CertificateID certId(X509Certificate cert, X509Certificate issuer, AlgorithmIdentifier hash) throws Exception {
        return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(hash), new JcaX509CertificateHolder(issuer),
                cert.getSerialNumber());
    }

    static byte[] request(CertificateID id) throws Exception {
        return new OCSPReqBuilder().addRequest(id).build().getEncoded();
    }

    static byte[] request(byte[] nonce, CertificateID id) throws Exception {
        return new OCSPReqBuilder().addRequest(id).setRequestExtensions(new Extensions(new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce).getEncoded()))).build().getEncoded();
    }

    static OCSPResp post(byte[] der) throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(der)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        return new OCSPResp(r.body());
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static BasicOCSPResp basic(OCSPResp resp) throws Exception {
        assertThat(resp.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        return (BasicOCSPResp) resp.getResponseObject();
    }

    static SingleResp single(OCSPResp resp) throws Exception {
        SingleResp[] all = basic(resp).getResponses();
        assertThat(all).hasSize(1);
        return all[0];
    }
}
