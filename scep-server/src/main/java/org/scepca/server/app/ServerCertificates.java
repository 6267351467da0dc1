package org.scepca.server.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.store.IssuanceEffects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS server certificates from this CA: {@code scepca cert issue-server} (for nginx or the admin connector) and the
 * public HTTPS connector's own certificate when {@code public.tls-cert} is not given.
 */
public final class ServerCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);
    /** The public connector's own certificate is issued again when it has less than this left. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

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

    /** The chain and key files of the public connector. */
    public record TlsFiles(Path chain, Path key) {
    }

    /**
     * The public HTTPS connector's certificate and key: the configured files, or else the server's own, issued from
     * this CA for the host of {@code public-base-url} into {@code DATA/tls/} on first start (and again when it nears
     * expiry, names another host, or no longer chains to this CA).
     *
     * @throws InvalidConfigException naming public.tls-cert if neither the files nor public-base-url are given
     */
    public static TlsFiles forPublicConnector(CertificateAuthority ca, ServerConfig.PublicTls tls, Path dataDir,
            Optional<URI> publicBaseUrl) {
        if (tls.certificateChain().isPresent()) {
            return new TlsFiles(tls.certificateChain().get(), tls.privateKey().orElseThrow());
        }
        String host = publicBaseUrl.map(URI::getHost).filter(h -> !h.isEmpty()).orElseThrow(() ->
                new InvalidConfigException("public.tls-port without public.tls-cert: the server issues its own TLS"
                        + " certificate for the host of public-base-url, which is not set; set public-base-url or give"
                        + " public.tls-cert and public.tls-key"));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Path folder = dataDir.resolve("tls");
        TlsFiles files = new TlsFiles(folder.resolve("public-chain.pem"), folder.resolve("public.key"));
        try {
            if (usable(ca, files, host)) {
                return files;
            }
            SecureFiles.createPrivateDirectories(folder);
            boolean ip = isIpLiteral(host);
            Issued issued = issue(ca, ip ? List.of() : List.of(host), ip ? List.of(host) : List.of(), false,
                    "server:public-tls");
            write(ca, issued, files.chain(), files.key());
            LOG.info("Issued the public HTTPS certificate {} for {} (public-base-url) into {}",
                    issued.issued().record().serialHex(), host, folder);
            return files;
        } catch (IOException e) {
            throw new InvalidConfigException("cannot write the public TLS certificate to " + folder + ": "
                    + e.getClass().getSimpleName());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("public-base-url: cannot issue a TLS certificate for '" + host + "': "
                    + e.getMessage());
        }
    }

    /** The files exist, chain to this CA's issuing CA, name {@code host} and have more than a month left. */
    private static boolean usable(CertificateAuthority ca, TlsFiles files, String host) {
        if (!Files.isRegularFile(files.chain()) || !Files.isRegularFile(files.key())) {
            return false;
        }
        try {
            List<X509Certificate> chain = Pem.readCertificates(files.chain());
            if (chain.isEmpty()) {
                return false;
            }
            X509Certificate c = chain.get(0);
            c.verify(ca.material().intermediateCertificate().getPublicKey());
            if (c.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
                return false;
            }
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            // IP SANs come back in Java's long form (0:0:0:0:0:0:0:1): compare addresses, not text.
            String wanted = isIpLiteral(host) ? InetAddress.getByName(host).getHostAddress() : host;
            return sans != null && sans.stream().anyMatch(s -> wanted.equalsIgnoreCase(String.valueOf(s.get(1))));
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isIpLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            return false;
        }
        try {
            InetAddress.getByName(host); // a literal: never a DNS look-up
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
