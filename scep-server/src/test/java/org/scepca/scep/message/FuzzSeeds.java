package org.scepca.scep.message;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.jscep.asn1.IssuerAndSubject;
import org.jscep.message.GetCert;
import org.jscep.message.GetCertInitial;
import org.jscep.message.GetCrl;
import org.jscep.message.PkcsPkiEnvelopeEncoder;
import org.jscep.message.PkcsReq;
import org.jscep.message.PkiMessage;
import org.jscep.message.PkiMessageEncoder;
import org.jscep.transaction.Nonce;
import org.jscep.transaction.TransactionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.scepca.fuzz.FuzzCa;

/**
 * Writes the seed inputs of the fuzz targets' regression corpora (the {@code *Inputs/<method>/seed-*} files under
 * src/test/resources): real messages from jscep's encoder and Bouncy Castle's OCSP client, valid admin JSON, and the
 * request shapes real clients send. Run only on purpose, from scep-server:
 * {@code mvn -o test -pl scep-server -am -Dtest=FuzzSeeds -Dfuzz.writeSeeds=true -Dsurefire.failIfNoSpecifiedTests=false}.
 * Seeds encrypted to an RA are encrypted to the CA of that run; the targets re-encrypt where depth needs it.
 */
@EnabledIfSystemProperty(named = "fuzz.writeSeeds", matches = "true")
class FuzzSeeds {
    private static final Path RESOURCES = Path.of("src/test/resources");
    /** The issuing CA's name in every ca-core TestPki CA, and so in the fuzz CA. */
    private static final X500Name ISSUER = new X500Name("CN=Test Issuing CA,O=scepca tests");

    @Test
    void write() throws Exception {
        TestPki pki = TestPki.PKI;
        X509Certificate ra = FuzzCa.get().raCertificate();
        var csr = pki.csr("CN=fuzz-seed-device,O=Fuzz", new DERPrintableString(FuzzCa.STATIC_CHALLENGE));
        IssuerAndSerialNumber issued = new IssuerAndSerialNumber(ISSUER, FuzzCa.get().issuedSerial());
        IssuerAndSubject poll = new IssuerAndSubject(ISSUER, new X500Name("CN=fuzz-seed-device,O=Fuzz"));

        // --- SCEP pkiMessages as jscep's client sends them (BER, AES, SHA-256)
        String scep = "org/scepca/scep/message/ScepRequestFuzzTestInputs/";
        byte[] pkcsReq = jscep(pki, ra, new PkcsReq(TransactionId.createTransactionId(pki.requesterKeys.getPublic(), "SHA-256"),
                Nonce.nextNonce(), csr));
        write(scep + "pkiMessage/seed-jscep-pkcsreq", pkcsReq);
        write(scep + "pkiMessage/seed-jscep-getcert", jscep(pki, ra, new GetCert(TransactionId.createTransactionId(),
                Nonce.nextNonce(), issued)));
        write(scep + "pkiMessage/seed-jscep-getcrl", jscep(pki, ra, new GetCrl(TransactionId.createTransactionId(),
                Nonce.nextNonce(), issued)));
        write(scep + "pkiMessage/seed-jscep-certpoll", jscep(pki, ra, new GetCertInitial(TransactionId.createTransactionId(),
                Nonce.nextNonce(), poll)));
        write(scep + "pkiMessage/seed-renewalreq-oaep-3des-definite", TestRequests.pkcsReq(pki).recipient(ra)
                .messageType("17").oaep().cipher(CMSAlgorithm.DES_EDE3_CBC).definiteLength().build());
        write(scep + "pkiMessage/seed-pkcsreq-utf8-challenge-8-byte-nonce", TestRequests.pkcsReq(pki).recipient(ra)
                .senderNonce(new byte[8]).messageData(TestRequests.encoded(pki.csr("CN=x", new DERUTF8String("secret")))).build());

        // envelopedContent: [messageType index][flags] + messageData (see ScepRequestFuzzTest)
        int unique = 0x08; // AES-128, PKCS#1 v1.5, a transactionID per input, 16-byte nonce, BER
        write(scep + "envelopedContent/seed-pkcsreq-static-challenge", frame(0, unique, TestRequests.encoded(csr)));
        write(scep + "envelopedContent/seed-pkcsreq-retransmission", frame(0, 0, TestRequests.encoded(csr)));
        write(scep + "envelopedContent/seed-renewalreq", frame(1, unique | 4, TestRequests.encoded(csr)));
        write(scep + "envelopedContent/seed-certpoll", frame(2, 0, TestRequests.encoded(poll)));
        write(scep + "envelopedContent/seed-getcert", frame(3, unique | 1, TestRequests.encoded(issued)));
        write(scep + "envelopedContent/seed-getcrl", frame(4, unique | 2, TestRequests.encoded(issued)));
        write(scep + "envelopedContent/seed-getcrl-other-issuer", frame(4, unique,
                TestRequests.encoded(new IssuerAndSerialNumber(new X500Name("CN=Test Root CA,O=scepca tests"), BigInteger.TEN))));

        // --- OCSP: Bouncy Castle's client, for a certificate of the fuzz CA and for a foreign one
        String ocsp = "org/scepca/server/ocsp/OcspResponderFuzzTestInputs/";
        X509Certificate intermediate = FuzzCa.get().running().ca().material().intermediateCertificate();
        byte[] ocspRequest = ocspRequest(intermediate, FuzzCa.get().issuedSerial(), true);
        write(ocsp + "derRequest/seed-bc-sha1-nonce", ocspRequest);
        write(ocsp + "derRequest/seed-bc-foreign-issuer", ocspRequest(pki.caCert, BigInteger.valueOf(4242), false));
        write(ocsp + "ourCertIds/seed-issued-sha1-nonce", concat(new byte[] {0x00}, FuzzCa.get().issuedSerial().toByteArray()));
        write(ocsp + "ourCertIds/seed-unknown-sha256-two-ids", new byte[] {0x11, 0x01, 0x02, 0x03, 0x04});

        // --- HTTP parameter decoding
        String http = "org/scepca/server/http/RequestParametersFuzzTestInputs/";
        String b64 = Base64.getEncoder().encodeToString(pkcsReq);
        write(http + "scepQuery/seed-get-pkioperation-escaped", ascii("operation=PKIOperation&message="
                + URLEncoder.encode(b64, StandardCharsets.US_ASCII)));
        write(http + "scepQuery/seed-get-pkioperation-raw-plus", ascii("operation=PKIOperation&message=" + b64));
        write(http + "scepQuery/seed-getcacert-identifier", ascii("operation=GetCACert&message=CAIdentifier"));
        write(http + "scepQuery/seed-getcacaps", ascii("operation=GetCACaps&message=x"));
        write(http + "base64Spellings/seed-pkcsreq", pkcsReq);
        write(http + "ocspGetPath/seed-escaped", ascii(URLEncoder.encode(Base64.getEncoder().encodeToString(ocspRequest),
                StandardCharsets.US_ASCII)));
        write(http + "ocspGetPath/seed-unescaped", ascii(Base64.getEncoder().encodeToString(ocspRequest)));

        // --- admin API bodies: [route][content type] + JSON (see AdminBodiesFuzzTest)
        String admin = "org/scepca/server/admin/AdminBodiesFuzzTestInputs/jsonBody/";
        write(admin + "seed-challenge-ttl-string", frame(0, 0, ascii("{\"ttl\":\"12h\",\"note\":\"for alice's Mac\"}")));
        write(admin + "seed-challenge-ttl-seconds", frame(0, 1, ascii("{\"ttl\":3600}")));
        write(admin + "seed-revoke-reason", frame(1, 0, ascii("{\"reason\":\"keyCompromise\"}")));
        write(admin + "seed-approve-empty", frame(2, 0, ascii("{}")));
        write(admin + "seed-reject-reason", frame(3, 0, ascii("{\"reason\":\"not our device\"}")));
        write(admin + "seed-profile-generic", frame(4, 0, ascii("{\"subject\":\"CN=%ComputerName%\",\"sanDns\":\"mac.example.com\","
                + "\"keySize\":2048,\"keyUsage\":5,\"retries\":3,\"retryDelaySeconds\":10,\"displayName\":\"Wi-Fi\","
                + "\"organization\":\"Example\",\"challenge\":\"one-time\",\"challengeTtl\":\"7d\",\"renewalDays\":14,"
                + "\"includeIntermediate\":true,\"sign\":false}")));
        write(admin + "seed-jamf-webhook", frame(7, 0, ascii("{\"webhook\":{\"webhookEvent\":\"SCEPChallenge\"},"
                + "\"event\":{\"serialNumber\":\"C02XJ0AAJGH5\",\"udid\":\"x\"}}")));

        // --- the servlets through Jetty: [method][path][content type] + target suffix, 0x00, body (see HttpServerFuzzTest)
        String jetty = "org/scepca/fuzz/HttpServerFuzzTestInputs/";
        write(jetty + "publicPort/seed-getcacaps", frame(0, 0, 0, ascii("?operation=GetCACaps")));
        write(jetty + "publicPort/seed-getcacert-identifier", frame(0, 0, 0, ascii("?operation=GetCACert&message=CAIdentifier")));
        write(jetty + "publicPort/seed-getnextcacert", frame(0, 2, 0, ascii("?operation=GetNextCACert")));
        write(jetty + "publicPort/seed-get-pkioperation", frame(0, 1, 0, ascii("?operation=PKIOperation&message="
                + URLEncoder.encode(b64, StandardCharsets.US_ASCII))));
        write(jetty + "publicPort/seed-post-pkioperation", concat(frame(1, 0, 1, ascii("?operation=PKIOperation")),
                new byte[] {0}, pkcsReq));
        write(jetty + "publicPort/seed-post-pkioperation-base64", concat(frame(1, 2, 2, ascii("?operation=PKIOperation")),
                new byte[] {0}, ascii(b64)));
        write(jetty + "publicPort/seed-ocsp-post", concat(frame(1, 3, 3, new byte[0]), new byte[] {0}, ocspRequest));
        write(jetty + "publicPort/seed-ocsp-get", frame(0, 4, 0, ascii(URLEncoder.encode(
                Base64.getEncoder().encodeToString(ocspRequest), StandardCharsets.US_ASCII))));
        write(jetty + "publicPort/seed-crl", frame(0, 6, 0, ascii("current.crl")));
        write(jetty + "caFilePath/seed-root-pem", ascii("ca/root.pem"));
        write(jetty + "caFilePath/seed-crl-dot-dot", ascii("crl/../ca/chain.pem"));
        write(jetty + "caFilePath/seed-escaped-traversal", ascii("crl/%2e%2e/%2e%2e/%2e%2e/etc/passwd"));
        write(jetty + "caFilePath/seed-root-crl", ascii("crl/root.crl"));
        write(jetty + "adminPort/seed-list-certificates", frame(0, 0, ascii("/certificates?status=active&q=fuzz&limit=5")));
        write(jetty + "adminPort/seed-list-cursor", frame(0, 0, ascii("/certificates?cursor=AAAA&issuedAfter=2026-01-01")));
        write(jetty + "adminPort/seed-create-challenge", concat(frame(1, 0, ascii("/challenges")), new byte[] {0},
                ascii("{\"ttl\":\"1h\"}")));
        write(jetty + "adminPort/seed-show-certificate", frame(0, 0, ascii("/certificates/"
                + FuzzCa.get().issuedSerial().toString(16) + "?format=pem")));
        write(jetty + "adminPort/seed-requests-all", frame(0, 0, ascii("/requests?status=all&limit=10")));
    }

    /**
     * AcmeRequestFuzzTest and EstEnrollFuzzTest: real ACME requests (what certbot and Apple devices send, in the
     * targets' layouts) and real EST enrollments. Run alone with {@code -Dtest=FuzzSeeds#writeAcmeEst}.
     */
    @Test
    void writeAcmeEst() throws Exception {
        String acme = "org/scepca/server/http/AcmeRequestFuzzTestInputs/";
        var key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
        String base = FuzzCa.ACME_BASE_URL + "/acme/" + FuzzCa.ACME_ENDPOINT + "/";
        byte[] csr = org.scepca.ca.testing.Csrs.csr().subject("CN=fin.fuzz.test").dns("fin.fuzz.test").build().getEncoded();
        String csrPayload = "{\"csr\":\"" + b64url(csr) + "\"}";
        String revoke = "{\"certificate\":\"" + b64url(FuzzCa.get().raCertificate().getEncoded()) + "\",\"reason\":1}";
        // jwsBody: byte 0 the resource (AcmeRequestFuzzTest.PATHS), then the flattened JWS as a client signed it (its
        // nonce is long spent by the time the seed is replayed: badNonce, after the JWS has been parsed).
        write(acme + "jwsBody/seed-new-account-jwk", concat(new byte[] {0}, acmeJws(key, true, base + "new-account",
                "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:fuzz@example.org\"]}")));
        write(acme + "jwsBody/seed-new-order-kid", concat(new byte[] {1}, acmeJws(key, false, base + "new-order",
                "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.fuzz.test\"}]}")));
        write(acme + "jwsBody/seed-finalize", concat(new byte[] {7}, acmeJws(key, false, base + "order/x/finalize",
                csrPayload)));
        write(acme + "jwsBody/seed-revoke-cert", concat(new byte[] {3}, acmeJws(key, true, base + "revoke-cert", revoke)));
        write(acme + "jwsBody/seed-post-as-get", concat(new byte[] {8}, acmeJws(key, false, base + "authz/x", "")));
        // signedRequest: byte 0 the resource, byte 1 the header flags, extra header members, 0, payload.
        String signed = acme + "signedRequest/";
        write(signed + "seed-new-account", frame(0, 1, ascii("\0{\"termsOfServiceAgreed\":true,\"contact\":"
                + "[\"mailto:fuzz@example.org\"]}")));
        write(signed + "seed-new-account-only-existing", frame(0, 1, ascii("\0{\"onlyReturnExisting\":true}")));
        write(signed + "seed-new-order-dns", frame(1, 0, ascii("\0{\"identifiers\":[{\"type\":\"dns\",\"value\":"
                + "\"www.fuzz.test\"},{\"type\":\"dns\",\"value\":\"*.fuzz.test\"}],\"notAfter\":\"2027-01-01T00:00:00Z\"}")));
        write(signed + "seed-new-order-permanent-identifier", frame(1, 0, ascii("\0{\"identifiers\":[{\"type\":"
                + "\"permanent-identifier\",\"value\":\"FUZZSERIAL02\"}]}")));
        write(signed + "seed-new-order-extra-header", frame(1, 0, ascii("\"crit\":[\"b64\"],\"b64\":false\0{\"identifiers\":[]}")));
        write(signed + "seed-finalize-csr", frame(12, 0, ascii("\0" + csrPayload)));
        write(signed + "seed-revoke-cert-kid", frame(3, 0, ascii("\0" + revoke)));
        write(signed + "seed-revoke-cert-jwk", frame(3, 1, ascii("\0" + revoke)));
        write(signed + "seed-key-change", frame(2, 0x80, ascii("\0{\"account\":\"@acct@\",\"oldKey\":@oldkey@}")));
        write(signed + "seed-account-update", frame(4, 0, ascii("\0{\"contact\":[\"mailto:new@example.org\"]}")));
        write(signed + "seed-account-deactivate", frame(4, 0, ascii("\0{\"status\":\"deactivated\"}")));
        write(signed + "seed-authz-deactivate", frame(8, 0, ascii("\0{\"status\":\"deactivated\"}")));
        write(signed + "seed-dns-challenge", frame(10, 0, ascii("\0{}")));
        // device-attest-01's response (draft-ietf-acme-device-attest section 5): {"attObj": base64url(CBOR)}, here a
        // CBOR map of the WebAuthn shape, {"fmt":"apple","attStmt":{},"authData":h''}.
        write(signed + "seed-device-attest-attobj", frame(11, 0x40, concat(new byte[] {0}, new byte[] {(byte) 0xa3,
                0x63}, ascii("fmt"), new byte[] {0x65}, ascii("apple"), new byte[] {0x67}, ascii("attStmt"),
                new byte[] {(byte) 0xa0, 0x68}, ascii("authData"), new byte[] {0x40})));
        write(signed + "seed-order-post-as-get", frame(6, 0xc0, new byte[0]));
        write(signed + "seed-orders-list", frame(5, 0xc0, new byte[0]));

        String est = "org/scepca/server/http/EstEnrollFuzzTestInputs/";
        byte[] device = org.scepca.ca.testing.Csrs.csr().subject("CN=est-fuzz-device,O=Fuzz").build().getEncoded();
        byte[] wrapped = Base64.getMimeEncoder(64, new byte[] {'\r', '\n'}).encode(device);
        // enrollRequest: byte 0 the operation, byte 1 the Content-Type, byte 2 the credentials, then the body.
        write(est + "enrollRequest/seed-simpleenroll-password", concat(new byte[] {0, 0, 1}, wrapped));
        write(est + "enrollRequest/seed-simpleenroll-no-credentials", concat(new byte[] {0, 0, 0}, wrapped));
        write(est + "enrollRequest/seed-simpleenroll-wrong-password", concat(new byte[] {0, 0, 2}, wrapped));
        write(est + "enrollRequest/seed-simpleenroll-raw-authorization", concat(new byte[] {0, 1, 3}, ascii(
                "bAsIc " + Base64.getEncoder().encodeToString(ascii("curl:" + FuzzCa.STATIC_CHALLENGE)) + "\n"),
                Base64.getEncoder().encode(device)));
        write(est + "enrollRequest/seed-simplereenroll-no-certificate", concat(new byte[] {1, 0, 1}, wrapped));
        write(est + "enrollRequest/seed-cacerts", new byte[] {3, 3, 0});
        write(est + "enrollRequest/seed-csrattrs", new byte[] {4, 3, 0});
        // csrDer: byte 0 reenroll and line width, then the DER.
        write(est + "csrDer/seed-device-64", concat(new byte[] {2}, device));
        write(est + "csrDer/seed-dns-unwrapped", concat(new byte[] {0}, csr));
        write(est + "csrDer/seed-reenroll-76", concat(new byte[] {5}, device));
    }

    /** A flattened JWS as ACME clients send it (ES256; jwk for newAccount and revocation by key, kid otherwise). */
    private static byte[] acmeJws(com.nimbusds.jose.jwk.ECKey key, boolean jwk, String url, String payload)
            throws Exception {
        var h = new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                .customParam("url", url).customParam("nonce", "c2VlZC1ub25jZQ");
        h = jwk ? h.jwk(key.toPublicJWK()) : h.keyID(FuzzCa.ACME_BASE_URL + "/acme/" + FuzzCa.ACME_ENDPOINT + "/acct/1");
        var jws = new com.nimbusds.jose.JWSObject(h.build(), new com.nimbusds.jose.Payload(payload));
        jws.sign(new com.nimbusds.jose.crypto.ECDSASigner(key));
        return ascii("{\"protected\":\"" + jws.getHeader().toBase64URL() + "\",\"payload\":\""
                + jws.getPayload().toBase64URL() + "\",\"signature\":\"" + jws.getSignature() + "\"}");
    }

    private static String b64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] jscep(TestPki pki, X509Certificate ra, PkiMessage<?> message) throws Exception {
        PkiMessageEncoder encoder = new PkiMessageEncoder(pki.requesterKeys.getPrivate(), pki.requesterCert,
                new PkcsPkiEnvelopeEncoder(ra, "AES"), "SHA256withRSA");
        return encoder.encode(message).getEncoded();
    }

    private static byte[] ocspRequest(X509Certificate issuer, BigInteger serial, boolean nonce) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), serial);
        OCSPReqBuilder b = new OCSPReqBuilder().addRequest(id);
        if (nonce) {
            b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(new byte[16]).getEncoded()))));
        }
        return b.build().getEncoded();
    }

    private static byte[] frame(int first, int second, byte[] rest) {
        return concat(new byte[] {(byte) first, (byte) second}, rest);
    }

    /** Three header bytes for HttpServerFuzzTest.publicPort: method, path, content type. */
    private static byte[] frame(int method, int path, int type, byte[] rest) {
        return concat(new byte[] {(byte) method, (byte) path, (byte) type}, rest);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void write(String relative, byte[] content) throws IOException {
        Path file = RESOURCES.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }
}
