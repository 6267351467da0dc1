package org.scepca.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.bouncycastle.asn1.x500.X500Name;
import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.crl.CrlService;
import org.scepca.ca.keys.PassphraseSource;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.server.admin.CaInfoView;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ca", mixinStandardHelpOptions = true, description = "The CA itself: show, export, roll over, root CRL.",
        subcommands = {CaCommand.Info.class, CaCommand.Export.class, CaCommand.StageNext.class, CaCommand.RootCrl.class})
final class CaCommand {

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Subjects, expiry and fingerprints.")
    static final class Info implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "Print a JSON object (the admin API's GET /ca fields)") boolean json;

        @Override
        public Integer call() {
            try (CaReader ca = data.read()) {
                var out = spec.commandLine().getOut();
                if (json) {
                    JsonOutput.print(out, CaInfoView.of(ca.root(), ca.intermediate(), ca.ra(), ca.nextIntermediate(),
                            ca.nextRa(), ca.crl().orElse(null), ca.rootKeyOnline()));
                } else {
                    Describe.ca(out, ca);
                }
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write root.pem, intermediate.pem, ra.pem, chain.pem and crl.pem for nginx and devices.")
    static final class Export implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the files to")
        Path out;

        @Override
        public Integer call() throws IOException, java.security.cert.CertificateEncodingException {
            try (CertificateAuthority ca = data.open()) {
                ca.crls().refreshIfDue();
                var m = ca.material();
                Files.createDirectories(out);
                write(out.resolve("root.pem"), Pem.encodeAll(List.of(m.root())));
                write(out.resolve("root.cer"), m.root().getEncoded());
                write(out.resolve("intermediate.pem"), Pem.encodeAll(List.of(m.intermediateCertificate())));
                write(out.resolve("ra.pem"), Pem.encodeAll(List.of(m.raCertificate())));
                write(out.resolve("chain.pem"), Pem.encodeAll(m.chain()));
                write(out.resolve("crl.pem"), Files.readAllBytes(ca.directory().crlPem()));
                var o = spec.commandLine().getOut();
                o.println("wrote root.pem root.cer intermediate.pem ra.pem chain.pem crl.pem to " + out.toAbsolutePath());
                // The exported crl.pem is a snapshot: nginx must read the live file, which every revocation rewrites.
                o.println("nginx: ssl_client_certificate " + out.toAbsolutePath().resolve("chain.pem") + "; ssl_crl "
                        + ca.directory().crlPem() + ";  (or run 'scepca nginx-config')");
            }
            return 0;
        }

        private static void write(Path p, byte[] b) throws IOException {
            SecureFiles.writeAtomically(p, b);
        }
    }

    @Command(name = "stage-next", mixinStandardHelpOptions = true,
            description = {"Stage the next issuing CA (and RA) for rollover; SCEP GetNextCACert announces it.",
                    "Needs the root key: in the data folder, or --root-key FILE."})
    static final class StageNext implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--root-key", paramLabel = "FILE", description = "Offline root key (PKCS#12, CA passphrase)") Path rootKey;
        @Option(names = "--subject", defaultValue = "O=scepca,CN=scepca Issuing CA 2", paramLabel = "DN",
                description = "Subject of the next issuing CA, attributes in encoding order. Default: ${DEFAULT-VALUE}") String subject;
        @Option(names = "--ra-subject", defaultValue = "O=scepca,CN=scepca SCEP RA 2", paramLabel = "DN",
                description = "Subject of the next SCEP RA. Default: ${DEFAULT-VALUE}") String raSubject;
        @Option(names = "--key-bits", defaultValue = "2048", paramLabel = "BITS",
                description = "RSA key size of the next issuing CA. Default: ${DEFAULT-VALUE}") int bits;
        @Option(names = "--validity", defaultValue = "1825d", converter = Durations.class, paramLabel = "DURATION",
                description = "Lifetime of the next issuing CA. Default: ${DEFAULT-VALUE}") Duration validity;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                PrivateKey key = rootKey(ca, rootKey, data);
                new CaInitializer(ca.clock(), ca.random()).stageNext(ca.directory(), key, ca.material().root(),
                        new X500Name(subject), bits, validity, new X500Name(raSubject), data.passphrase(),
                        ca.config().publicBaseUrl());
                spec.commandLine().getOut().println("staged next issuing CA in " + ca.directory().nextDir()
                        + "; restart the server to announce it with GetNextCACert");
            }
            return 0;
        }
    }

    @Command(name = "root-crl", mixinStandardHelpOptions = true,
            description = "Re-sign the root's CRL with the offline root key (nginx needs a current CRL for every CA).")
    static final class RootCrl implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--root-key", required = true, paramLabel = "FILE",
                description = "The offline root key (PKCS#12, CA passphrase)") Path rootKey;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                publishRootCrl(ca, rootKey(ca, rootKey, data));
                spec.commandLine().getOut().println("root CRL written to " + ca.directory().rootCrl() + " (valid "
                        + ca.config().rootCrlNextUpdate().toDays() + " days)");
            }
            return 0;
        }
    }

    /** Signs and publishes the root's CRL (and the issuing CA's) with a root key that is not in the data folder. */
    static void publishRootCrl(CertificateAuthority ca, PrivateKey rootKey) {
        var m = ca.material();
        var cfg = ca.config();
        new CrlService(ca.directory(), m.intermediateCertificate(), m.intermediateKey(), m.root(), Optional.of(rootKey),
                ca.certificates(), new org.scepca.ca.store.CrlStore(ca.database()), ca.clock(), cfg.crlNextUpdate(),
                cfg.rootCrlNextUpdate()).publish();
    }

    static PrivateKey rootKey(CertificateAuthority ca, Path file, DataOptions data) {
        if (file != null) {
            var kc = Pkcs12Files.read(file, PassphraseSource.fromEnvironment().resolve(Optional.ofNullable(data.passphraseFile),
                    ca.directory().generatedPassphrase()));
            if (!kc.certificate().equals(ca.material().root())) {
                throw new Errors.UserException(file + " is not the key of this CA's root");
            }
            return kc.key();
        }
        return ca.material().rootKey().orElseThrow(() -> new Errors.UserException(
                "the root key is offline: pass it with --root-key FILE"));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
