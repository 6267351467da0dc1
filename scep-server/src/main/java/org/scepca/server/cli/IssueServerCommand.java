package org.scepca.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.server.app.ServerCertificates;

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
        try (CertificateAuthority ca = data.open()) {
            ServerCertificates.Issued server;
            try {
                server = ServerCertificates.issue(ca, dns, ips, keyType.equalsIgnoreCase("rsa"), "cli:issue-server");
            } catch (IllegalArgumentException e) {
                throw new Errors.UserException("invalid name or address: " + Errors.oneLine(e));
            }
            var issued = server.issued();
            Files.createDirectories(out);
            Path certFile = out.resolve("server.pem");
            Path keyFile = out.resolve("server.key");
            Path chainFile = out.resolve("server-chain.pem");
            SecureFiles.writeAtomically(certFile, Pem.encode(issued.certificate()).getBytes(StandardCharsets.US_ASCII));
            ServerCertificates.write(ca, server, chainFile, keyFile);
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
