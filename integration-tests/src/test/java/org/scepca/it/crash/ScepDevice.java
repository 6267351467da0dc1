package org.scepca.it.crash;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A SCEP device reduced to what the harness needs (RFC 8894 §3): PKCSReq with a challenge, RenewalReq signed by a
 * certificate we hold, and the CertRep read the way a device reads it: RA signature, transaction, nonce, then the
 * issued certificate decrypted with the requester's key. Each request has a random transactionID, so a device key
 * may be used for many enrollments without them counting as retransmissions.
 */
final class ScepDevice {
    private static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.2");
    private static final ASN1ObjectIdentifier PKI_STATUS = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.3");
    private static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.4");
    private static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.5");
    private static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.6");
    private static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier("2.16.840.1.113733.1.9.7");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final JcaX509CertificateConverter CERTS = new JcaX509CertificateConverter();

    private final String scepUrl;
    private final X509Certificate ra;
    private final SecureRandom random = new SecureRandom();

    private ScepDevice(String scepUrl, X509Certificate ra) {
        this.scepUrl = scepUrl;
        this.ra = ra;
    }

    /** The CA certificates GetCACert returns: the RA (keyEncipherment) that requests are encrypted to, and the issuer. */
    record CaCertificates(X509Certificate ra, X509Certificate issuer) {
    }

    static CaCertificates caCertificates(String base) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/scep?operation=GetCACert"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GetCACert: HTTP " + r.statusCode());
        }
        try {
            List<X509Certificate> certs = new java.util.ArrayList<>();
            for (X509CertificateHolder h : new CMSSignedData(r.body()).getCertificates().getMatches(null)) {
                certs.add(CERTS.getCertificate(h));
            }
            X509Certificate raCert = certs.stream().filter(c -> c.getBasicConstraints() < 0
                    && c.getKeyUsage() != null && c.getKeyUsage()[2]).findFirst().orElseThrow(() ->
                            new IOException("GetCACert has no RA certificate"));
            X509Certificate issuer = certs.stream().filter(c -> c.getBasicConstraints() >= 0
                    && c.getSubjectX500Principal().equals(raCert.getIssuerX500Principal())).findFirst()
                    .orElseThrow(() -> new IOException("GetCACert has no issuer for the RA"));
            return new CaCertificates(raCert, issuer);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("GetCACert reply unreadable", e);
        }
    }

    static ScepDevice against(String base, X509Certificate ra) {
        return new ScepDevice(base + "/scep", ra);
    }

    /** What a device learnt from one exchange. {@code certificate} is set on SUCCESS only. */
    record Reply(Status status, String failInfo, X509Certificate certificate) {
        enum Status { SUCCESS, FAILURE, PENDING }

        boolean success() {
            return status == Status.SUCCESS;
        }
    }

    /** PKCSReq (messageType 19) for {@code subject}, authorised by {@code challenge}. */
    Reply enroll(KeyPair keys, String subject, String challenge) throws IOException, InterruptedException {
        X509Certificate signer = selfSigned(keys, subject);
        return exchange(19, keys, subject, Optional.of(challenge), signer, keys.getPrivate());
    }

    /** RenewalReq (messageType 17): a new key for {@code subject}, signed with the certificate being renewed. */
    Reply renew(KeyPair newKeys, String subject, X509Certificate current, PrivateKey currentKey)
            throws IOException, InterruptedException {
        return exchange(17, newKeys, subject, Optional.empty(), current, currentKey);
    }

    private Reply exchange(int messageType, KeyPair keys, String subject, Optional<String> challenge,
            X509Certificate signer, PrivateKey signerKey) throws IOException, InterruptedException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        byte[] tid = new byte[16];
        random.nextBytes(tid);
        String transactionId = HexFormat.of().formatHex(tid);
        byte[] message;
        try {
            var csrBuilder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic());
            challenge.ifPresent(c -> csrBuilder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword,
                    new DERPrintableString(c)));
            byte[] csr = csrBuilder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())).getEncoded();
            CMSEnvelopedDataGenerator env = new CMSEnvelopedDataGenerator();
            env.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(ra));
            byte[] enveloped = env.generate(new CMSProcessableByteArray(csr),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setSecureRandom(random).build()).getEncoded();
            ASN1EncodableVector attrs = new ASN1EncodableVector();
            attrs.add(attribute(MESSAGE_TYPE, new DERPrintableString(Integer.toString(messageType))));
            attrs.add(attribute(TRANSACTION_ID, new DERPrintableString(transactionId)));
            attrs.add(attribute(SENDER_NONCE, new DEROctetString(nonce)));
            X509CertificateHolder signerHolder = new X509CertificateHolder(signer.getEncoded());
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attrs)))
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(signerKey), signerHolder));
            gen.addCertificate(signerHolder);
            message = gen.generate(new CMSProcessableByteArray(enveloped), true).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the SCEP request", e);
        }
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(scepUrl + "?operation=PKIOperation"))
                .header("Content-Type", "application/x-pki-message").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(message)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("PKIOperation: HTTP " + r.statusCode());
        }
        return read(r.body(), transactionId, nonce, signerKey, keys);
    }

    private Reply read(byte[] body, String transactionId, byte[] nonce, PrivateKey recipientKey, KeyPair requested)
            throws IOException {
        try {
            CMSSignedData signed = new CMSSignedData(body);
            SignerInformation si = signed.getSignerInfos().getSigners().iterator().next();
            if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(ra))) {
                throw new IOException("CertRep not signed by the RA");
            }
            AttributeTable a = si.getSignedAttributes();
            if (!"3".equals(text(a, MESSAGE_TYPE)) || !transactionId.equals(text(a, TRANSACTION_ID))) {
                throw new IOException("not a CertRep for transaction " + transactionId);
            }
            byte[] recipientNonce = ASN1OctetString.getInstance(a.get(RECIPIENT_NONCE).getAttrValues().getObjectAt(0))
                    .getOctets();
            if (!Arrays.equals(recipientNonce, nonce)) {
                throw new IOException("recipientNonce is not our senderNonce");
            }
            switch (text(a, PKI_STATUS)) {
                case "2":
                    return new Reply(Reply.Status.FAILURE, text(a, FAIL_INFO), null);
                case "3":
                    return new Reply(Reply.Status.PENDING, "", null);
                case "0":
                    break;
                default:
                    throw new IOException("unknown pkiStatus " + text(a, PKI_STATUS));
            }
            CMSEnvelopedData env = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
            byte[] inner = env.getRecipientInfos().getRecipients().iterator().next()
                    .getContent(new JceKeyTransEnvelopedRecipient(recipientKey));
            for (X509CertificateHolder h : new CMSSignedData(inner).getCertificates().getMatches(null)) {
                X509Certificate c = CERTS.getCertificate(h);
                if (c.getPublicKey().equals(requested.getPublic())) {
                    return new Reply(Reply.Status.SUCCESS, "", c);
                }
            }
            throw new IOException("SUCCESS without a certificate for our key");
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("unreadable CertRep: " + e, e);
        }
    }

    private static X509Certificate selfSigned(KeyPair keys, String subject) {
        try {
            X500Name name = new X500Name(subject);
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(86_400)), name, keys.getPublic());
            b.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, false,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            return CERTS.getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("self-signed signer", e);
        }
    }

    private static Attribute attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        return new Attribute(type, new DERSet(value));
    }

    private static String text(AttributeTable attrs, ASN1ObjectIdentifier type) {
        Attribute a = attrs.get(type);
        return a == null ? "" : ((ASN1String) a.getAttrValues().getObjectAt(0)).getString();
    }
}
