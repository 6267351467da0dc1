package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.jscep.client.Client;
import org.jscep.client.DefaultCallbackHandler;
import org.jscep.client.EnrollmentResponse;
import org.jscep.client.verification.OptimisticCertificateVerifier;
import org.jscep.transaction.FailInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.testing.TestPki;
import org.scepca.profiles.AppleProfileSchema;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;

/**
 * A device's whole path: download a generic profile from the running server, read it back as a device would
 * (dd-plist), then enroll over SCEP with jscep using only what the profile says: URL, Challenge, Subject, Keysize.
 * Also checks the profile's CAFingerprint against GetCACert the way Apple's client does, and that the one-time
 * challenge cannot be used twice.
 */
class ProfileEnrollmentIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static Running server;

    @BeforeAll
    static void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        server = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0), org.scepca.server.admin.AdminConfig.loopback(0));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** What the SCEP payload of the downloaded profile tells the device. */
    record ScepPayload(String url, String challenge, X500Name subject, int keysize, byte[] caFingerprint) {
    }

    @Test
    void deviceEnrollsWithWhatTheProfileSays_onceOnly() throws Exception {
        String scepUrl = "http://127.0.0.1:" + server.port() + "/scep";
        String subjectTemplate = "CN=Lab iPad 7,OU=QA+L=Berlin,O=scepca tests";
        // IT staff download profiles from the authenticated admin API (it mints a one-time challenge per profile).
        String token = server.ca().tokens().create("profile-it", org.scepca.ca.tokens.AdminRole.ADMIN).token();
        String body = "{\"scepUrl\":\"" + scepUrl + "\",\"subject\":\"" + subjectTemplate + "\"}";
        HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
                + "/api/v1/profiles/generic")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).hasValue("application/x-apple-aspen-config");
        assertThat(AppleProfileSchema.load().validate(download.body())).isEmpty();

        ScepPayload profile = scepPayload(download.body());
        assertThat(profile.url()).isEqualTo(scepUrl);
        assertThat(profile.keysize()).isEqualTo(2048);

        Client client = new Client(new URL(profile.url()), new DefaultCallbackHandler(new OptimisticCertificateVerifier()));

        // CAFingerprint: Apple builds a chain from each GetCACert certificate and checks the last one of it.
        List<X509Certificate> caCerts = certificates(client.getCaCertificate());
        X509Certificate checked = appleCheckedCertificate(caCerts);
        assertThat(caCerts).contains(checked);
        assertThat(profile.caFingerprint()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(checked.getEncoded()));
        assertThat(checked).as("the root, which our GetCACert includes").isEqualTo(server.ca().material().root());

        // Enroll exactly as the profile says.
        KeyPair keys = KeyPairs.rsa(profile.keysize(), new SecureRandom());
        EnrollmentResponse response = client.enrol(selfSigned(profile.subject(), keys), keys.getPrivate(),
                csr(profile.subject(), keys, profile.challenge()));
        assertThat(response.isSuccess()).as("failInfo %s", response.isFailure() ? response.getFailInfo() : null).isTrue();
        X509Certificate issued = certificates(response.getCertStore()).stream()
                .filter(c -> c.getPublicKey().equals(keys.getPublic())).findFirst().orElseThrow();
        assertThat(X500Name.getInstance(issued.getSubjectX500Principal().getEncoded())).isEqualTo(profile.subject());
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("O=scepca tests,OU=QA+L=Berlin,CN=Lab iPad 7");
        assertChainsToTheProfilesRoot(issued, download.body());

        // The one-time challenge is spent: a second device with the same profile is refused.
        KeyPair other = KeyPairs.rsa(profile.keysize(), new SecureRandom());
        EnrollmentResponse again = client.enrol(selfSigned(profile.subject(), other), other.getPrivate(),
                csr(profile.subject(), other, profile.challenge()));
        assertThat(again.isFailure()).isTrue();
        assertThat(again.getFailInfo()).isEqualTo(FailInfo.badRequest);
    }

    /**
     * Apple's {@code SecSCEPValidateCACertMessage}: for every certificate, build a chain from it with the others;
     * the last certificate of a chain longer than one is the CA certificate the fingerprint must match.
     */
    static X509Certificate appleCheckedCertificate(List<X509Certificate> certs) {
        X509Certificate end = null;
        for (X509Certificate leaf : certs) {
            List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
            X509Certificate current = leaf;
            boolean extended = true;
            while (extended && !current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) {
                extended = false;
                for (X509Certificate candidate : certs) {
                    if (!chain.contains(candidate)
                            && candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                        chain.add(candidate);
                        current = candidate;
                        extended = true;
                        break;
                    }
                }
            }
            if (chain.size() > 1) {
                X509Certificate last = chain.get(chain.size() - 1);
                assertThat(end == null || end.equals(last)).as("every chain ends in the same CA certificate").isTrue();
                end = last;
            }
        }
        assertThat(end).as("GetCACert certificates form a chain").isNotNull();
        return end;
    }

    static ScepPayload scepPayload(byte[] mobileconfig) throws Exception {
        NSDictionary profile = (NSDictionary) PropertyListParser.parse(mobileconfig);
        for (NSObject o : ((NSArray) profile.objectForKey("PayloadContent")).getArray()) {
            NSDictionary payload = (NSDictionary) o;
            if (((NSString) payload.objectForKey("PayloadType")).getContent().equals("com.apple.security.scep")) {
                NSDictionary c = (NSDictionary) payload.objectForKey("PayloadContent");
                return new ScepPayload(((NSString) c.objectForKey("URL")).getContent(),
                        ((NSString) c.objectForKey("Challenge")).getContent(), subject((NSArray) c.objectForKey("Subject")),
                        ((NSNumber) c.objectForKey("Keysize")).intValue(), ((NSData) c.objectForKey("CAFingerprint")).bytes());
            }
        }
        throw new AssertionError("no SCEP payload");
    }

    /** Apple's Subject: an array of RDNs, each an array of [type, value] pairs; type is a short name or an OID. */
    static X500Name subject(NSArray rdns) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (NSObject rdnObject : rdns.getArray()) {
            NSObject[] attributes = ((NSArray) rdnObject).getArray();
            ASN1ObjectIdentifier[] types = new ASN1ObjectIdentifier[attributes.length];
            String[] values = new String[attributes.length];
            for (int i = 0; i < attributes.length; i++) {
                NSObject[] pair = ((NSArray) attributes[i]).getArray();
                assertThat(pair).hasSize(2);
                String type = ((NSString) pair[0]).getContent();
                types[i] = Character.isDigit(type.charAt(0)) ? new ASN1ObjectIdentifier(type)
                        : BCStyle.INSTANCE.attrNameToOID(type);
                values[i] = ((NSString) pair[1]).getContent();
            }
            if (types.length == 1) {
                b.addRDN(types[0], values[0]);
            } else {
                b.addMultiValuedRDN(types, values);
            }
        }
        return b.build();
    }

    /** The throwaway certificate that signs a first PKCSReq (RFC 8894 §2.3). */
    static X509Certificate selfSigned(X500Name subject, KeyPair keys) throws Exception {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    }

    static PKCS10CertificationRequest csr(X500Name subject, KeyPair keys, String challenge) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
    }

    static List<X509Certificate> certificates(CertStore store) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : store.getCertificates(null)) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** The device trusts the root from the profile's root payload and gets the intermediate from its pkcs1 payload. */
    static void assertChainsToTheProfilesRoot(X509Certificate issued, byte[] mobileconfig) throws Exception {
        NSDictionary profile = (NSDictionary) PropertyListParser.parse(mobileconfig);
        X509Certificate root = null;
        X509Certificate intermediate = null;
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (NSObject o : ((NSArray) profile.objectForKey("PayloadContent")).getArray()) {
            NSDictionary payload = (NSDictionary) o;
            String type = ((NSString) payload.objectForKey("PayloadType")).getContent();
            if (type.equals("com.apple.security.root") || type.equals("com.apple.security.pkcs1")) {
                X509Certificate c = (X509Certificate) cf.generateCertificate(
                        new java.io.ByteArrayInputStream(((NSData) payload.objectForKey("PayloadContent")).bytes()));
                if (type.endsWith("root")) {
                    root = c;
                } else {
                    intermediate = c;
                }
            }
        }
        assertThat(root).isNotNull();
        assertThat(intermediate).isNotNull();
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(issued, intermediate)), params);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
