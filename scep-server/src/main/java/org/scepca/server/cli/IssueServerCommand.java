package org.scepca.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.SanType;
import org.scepca.ca.store.IssuanceEffects;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "issue-server", mixinStandardHelpOptions = true,
        description = "Issue a TLS server certificate (serverAuth) for the mTLS front end, e.g. nginx.")
final class IssueServerCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--dns", description = "DNS name (repeatable)") List<String> dns = new ArrayList<>();
    @Option(names = "--ip", description = "IP address (repeatable)") List<String> ips = new ArrayList<>();
    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "Where to write server.pem, server.key, server-chain.pem")
    Path out;
    @Option(names = "--key", defaultValue = "ec", description = "ec (P-256) or rsa (2048)") String keyType;

    @Override
    public Integer call() throws IOException {
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new Errors.UserException("give at least one --dns or --ip");
        }
        KeyPair keys = keyType.equalsIgnoreCase("rsa") ? KeyPairs.rsa(2048, new java.security.SecureRandom())
                : KeyPairs.ec("secp256r1", new java.security.SecureRandom());
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
        } catch (org.bouncycastle.operator.OperatorCreationException | IllegalArgumentException e) {
            throw new Errors.UserException("invalid name or address: " + Errors.oneLine(e));
        }
        try (CertificateAuthority ca = data.open()) {
            // Server certificates may carry IP SANs even where device policy does not allow them.
            var types = java.util.EnumSet.copyOf(ca.config().policy().sanTypes());
            types.add(SanType.IP);
            types.add(SanType.DNS);
            var policy = ca.config().policy().withSanTypes(types);
            var engine = ca.issuance().withPolicy(policy);
            var issued = engine.issue(new IssuanceRequest(csr, "cli:issue-server", CertificateProfile.SERVER,
                    IssuanceEffects.none()));
            Files.createDirectories(out);
            Path certFile = out.resolve("server.pem");
            Path keyFile = out.resolve("server.key");
            Path chainFile = out.resolve("server-chain.pem");
            SecureFiles.writeAtomically(certFile, Pem.encode(issued.certificate()).getBytes(StandardCharsets.US_ASCII));
            SecureFiles.writeAtomically(chainFile, Pem.encodeAll(List.of(issued.certificate(),
                    ca.material().intermediateCertificate())));
            SecureFiles.writeOwnerOnly(keyFile, Pem.encode(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            var o = spec.commandLine().getOut();
            o.println("issued server certificate " + issued.record().serialHex() + " for " + String.join(", ",
                    issued.record().subjectAltNames()));
            o.println("  certificate:        " + certFile);
            o.println("  cert + intermediate: " + chainFile + "  (nginx ssl_certificate)");
            o.println("  private key:        " + keyFile + "  (owner-only; nginx ssl_certificate_key)");
            return 0;
        }
    }
}
