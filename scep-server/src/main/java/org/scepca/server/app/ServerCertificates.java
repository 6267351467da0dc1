package org.scepca.server.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.store.IssuanceEffects;

/**
 * TLS server certificates from this CA: {@code scepca cert issue-server} (for nginx or the admin connector) and the
 * public HTTPS connector's own certificate when {@code public.tls-cert} is not given ({@link PublicTlsIdentity}).
 */
public final class ServerCertificates {
    private ServerCertificates() {
    }

    /** A server certificate with its fresh key; {@code toString} hides the key. */
    public record Issued(IssuedCertificate issued, PrivateKey key) {
        public Issued {
            Objects.requireNonNull(issued, "issued is null");
            Objects.requireNonNull(key, "key is null");
        }

        @Override
        public String toString() {
            return "ServerCertificates.Issued[" + issued.record().serialHex() + ", key hidden]";
        }
    }

    /**
     * Issues a serverAuth certificate (CN the first name, SANs all of them) on a fresh key.
     *
     * @throws IllegalArgumentException if a name or address is invalid
     */
    public static Issued issue(CertificateAuthority ca, List<String> dns, List<String> ips, boolean rsa,
            String requester) {
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs a DNS name or an IP address");
        }
        KeyPair keys = rsa ? KeyPairs.rsa(2048, new SecureRandom()) : KeyPairs.ec("secp256r1", new SecureRandom());
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        ips.forEach(i -> names.add(new GeneralName(GeneralName.iPAddress, i)));
        PKCS10CertificationRequest csr;
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + (dns.isEmpty() ? ips.get(0) : dns.get(0))),
                    keys.getPublic());
            ExtensionsGenerator g = new ExtensionsGenerator();
            g.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, g.generate());
            csr = b.build(new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(keys.getPublic())).build(keys.getPrivate()));
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalArgumentException("cannot build the request: " + e.getMessage(), e);
        }
        // Server certificates may carry IP SANs even where device policy does not allow them.
        var types = java.util.EnumSet.copyOf(ca.config().policy().sanTypes());
        types.add(SanType.IP);
        types.add(SanType.DNS);
        var engine = ca.issuance().withPolicy(ca.config().policy().withSanTypes(types));
        IssuedCertificate issued = engine.issue(new IssuanceRequest(csr, requester, CertificateProfile.SERVER,
                IssuanceEffects.none()));
        return new Issued(issued, keys.getPrivate());
    }

    /** Writes {@code server} as a chain (certificate, then the issuing CA) and an owner-only key file. */
    public static void write(CertificateAuthority ca, Issued server, Path chainFile, Path keyFile) throws IOException {
        SecureFiles.writeAtomically(chainFile, Pem.encodeAll(List.of(server.issued().certificate(),
                ca.material().intermediateCertificate())));
        SecureFiles.writeOwnerOnly(keyFile, Pem.encode(server.key()).getBytes(StandardCharsets.US_ASCII));
    }
}
