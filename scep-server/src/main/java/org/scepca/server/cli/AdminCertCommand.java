package org.scepca.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.CertificateStore.AdminCertificate;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.tokens.AdminRole;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Admin client certificates for the mTLS admin connector: the only path that issues the ADMIN_CLIENT profile. The key
 * is made here, on the CA host, and written owner-only; the role is stored with the certificate, and the connector
 * reads it from there. Revoke one like any certificate: {@code scepca cert revoke SERIAL}.
 */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Client certificates for the mTLS admin connector (the only certificates it accepts).",
        subcommands = {AdminCertCommand.Issue.class, AdminCertCommand.ListCmd.class})
final class AdminCertCommand {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private AdminCertCommand() {
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Make a key and an admin client certificate for NAME with a role; write them owner-only.")
    static final class Issue implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--name", required = true, description = "Who holds it (letters, digits, . _ @ -); the subject is CN=NAME")
        String name;
        @Option(names = "--role", required = true, description = "admin (read and change) or viewer (read only)")
        String role;
        @Option(names = "--out", defaultValue = ".", paramLabel = "DIR",
                description = "Where to write NAME.p12 (or NAME.pem, NAME-chain.pem and NAME.key with --format pem)")
        Path out;
        @Option(names = "--format", defaultValue = "p12", description = "p12 (for browsers; its password is printed once) or pem")
        String format;
        @Option(names = "--key", defaultValue = "ec", paramLabel = "TYPE",
                description = "ec (P-256) or rsa (2048). Default: ${DEFAULT-VALUE}") String keyType;

        @Override
        public Integer call() throws IOException {
            if (!NAME.matcher(name).matches()) {
                throw new Errors.UserException("--name must be 1 to 64 letters, digits, '.', '_', '@' or '-'");
            }
            AdminRole r = AdminRole.parse(role);
            if (r == AdminRole.ENROLLER) {
                throw new Errors.UserException("--role must be admin or viewer (an enroller is a token for an MDM webhook)");
            }
            String fmt = format.toLowerCase(Locale.ROOT);
            if (!fmt.equals("p12") && !fmt.equals("pem")) {
                throw new Errors.UserException("--format must be p12 or pem");
            }
            Path target = out.resolve(fmt.equals("p12") ? name + ".p12" : name + ".key");
            if (Files.exists(target)) {
                throw new Errors.UserException(target + " exists; choose another --out or remove it");
            }
            SecureRandom random = new SecureRandom();
            KeyPair keys = keyType.equalsIgnoreCase("rsa") ? KeyPairs.rsa(2048, random) : KeyPairs.ec("secp256r1", random);
            try (CertificateAuthority ca = data.open()) {
                IssuedCertificate issued = ca.issuance().issue(new IssuanceRequest(csr(keys),
                        "cli:admin-cert:" + System.getProperty("user.name", "?"), CertificateProfile.ADMIN_CLIENT,
                        IssuanceEffects.none().granting(new IssuanceEffects.AdminGrant(name, r))));
                org.slf4j.LoggerFactory.getLogger(AuditLog.LOGGER).info(
                        "op=admin-cert-issue serial={} name={} role={} actor=cli:{}", issued.record().serialHex(), name,
                        r.id(), System.getProperty("user.name", "?"));
                var o = spec.commandLine().getOut();
                o.println("issued admin certificate " + issued.record().serialHex() + " for " + name + " (" + r.id()
                        + "), valid until " + issued.record().notAfter());
                SecureFiles.createPrivateDirectories(out);
                List<java.security.cert.X509Certificate> chain = List.of(issued.certificate(),
                        ca.material().intermediateCertificate());
                if (fmt.equals("p12")) {
                    byte[] pw = new byte[12];
                    random.nextBytes(pw);
                    String password = HexFormat.of().formatHex(pw);
                    Pkcs12Files.write(target, keys.getPrivate(), chain, Passphrase.of(password));
                    o.println("  key and certificate: " + target + "  (owner-only PKCS#12)");
                    o.println("  PKCS#12 password:    " + password + "  (shown once)");
                } else {
                    Path certFile = out.resolve(name + ".pem");
                    Path chainFile = out.resolve(name + "-chain.pem");
                    SecureFiles.writeOwnerOnly(target, Pem.encode(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII));
                    SecureFiles.writeOwnerOnly(certFile, Pem.encode(issued.certificate()).getBytes(StandardCharsets.US_ASCII));
                    SecureFiles.writeOwnerOnly(chainFile, Pem.encodeAll(chain));
                    o.println("  private key:         " + target + "  (owner-only)");
                    o.println("  certificate:         " + certFile);
                    o.println("  cert + intermediate: " + chainFile);
                }
                o.println("Use it on the admin mTLS port (admin.tls-port); revoke it with 'scepca cert revoke "
                        + issued.record().serialHex() + "'.");
            }
            return 0;
        }

        private PKCS10CertificationRequest csr(KeyPair keys) {
            try {
                var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
                return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                        .build(new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(keys.getPublic())).build(keys.getPrivate()));
            } catch (org.bouncycastle.operator.OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An admin client certificate in {@code admin cert list --json}: who holds it, its role, and the certificate. */
    record AdminCertView(String name, String role, org.scepca.server.admin.CertificateView certificate) {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List admin client certificates.")
    static final class ListCmd implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "Print a JSON array instead of a table") boolean json;

        @Override
        public Integer call() {
            try (CaReader ca = data.read()) {
                var out = spec.commandLine().getOut();
                var now = ca.clock().instant();
                var admins = ca.certificates().listAdmins(1000);
                if (json) {
                    JsonOutput.print(out, admins.stream().map(a -> new AdminCertView(a.name(), a.role().id(),
                            org.scepca.server.admin.CertificateView.of(a.certificate(), now))).toList());
                    return 0;
                }
                out.printf("%-40s  %-20s  %-6s  %-20s  %s%n", "SERIAL", "NAME", "ROLE", "NOT AFTER", "STATUS");
                for (AdminCertificate a : admins) {
                    var c = a.certificate();
                    out.printf("%-40s  %-20s  %-6s  %-20s  %s%n", c.serialHex(), a.name(), a.role().id(),
                            AdminCommand.seconds(c.notAfter()), c.revokedAt().map(t -> "revoked " + AdminCommand.seconds(t))
                                    .orElse(org.scepca.server.admin.CertificateView.status(c, now)));
                }
            }
            return 0;
        }
    }
}
