package org.scepca.server.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.bouncycastle.asn1.x500.X500Name;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.PassphraseSource;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.material.InitOptions;
import org.scepca.ca.pem.Pem;
import org.scepca.server.app.CaBootstrap;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a CA under the data folder: root, issuing intermediate and SCEP RA.",
                "Or import an intermediate made elsewhere with --import-intermediate and --root."})
final class InitCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CaNaming naming;
    @Option(names = "--root-subject", paramLabel = "DN", description = "Root CA subject, overriding --name/--org."
            + " Attributes in encoding order (most general first). Default: O=ORG,CN=NAME Root CA") String rootSubject;
    @Option(names = "--intermediate-subject", paramLabel = "DN", description = "Issuing CA subject, overriding"
            + " --name/--org. Default: O=ORG,CN=NAME Issuing CA")
    String intermediateSubject;
    @Option(names = "--ra-subject", paramLabel = "DN", description = "SCEP RA subject, overriding --name/--org."
            + " Default: O=ORG,CN=NAME SCEP RA") String raSubject;
    @Option(names = "--if-absent", description = {"Do nothing (and succeed) when the data folder holds a CA already.",
            "Safe when several processes start on one empty folder: one creates the CA, the others wait for it."})
    boolean ifAbsent;
    @Option(names = "--root-key-bits", defaultValue = "4096", paramLabel = "BITS",
            description = "RSA key size of the root. Default: ${DEFAULT-VALUE}") int rootBits;
    @Option(names = "--intermediate-key-bits", defaultValue = "2048", paramLabel = "BITS",
            description = "RSA key size of the issuing CA. Default: ${DEFAULT-VALUE}") int intermediateBits;
    @Option(names = "--ra-key-bits", defaultValue = "2048", paramLabel = "BITS",
            description = "RSA key size of the SCEP RA. Default: ${DEFAULT-VALUE}") int raBits;
    @Option(names = "--root-validity", defaultValue = "3650d", converter = Durations.class, paramLabel = "DURATION",
            description = "Lifetime of the root. Default: ${DEFAULT-VALUE}") Duration rootValidity;
    @Option(names = "--intermediate-validity", defaultValue = "1825d", converter = Durations.class,
            paramLabel = "DURATION", description = "Lifetime of the issuing CA. Default: ${DEFAULT-VALUE}")
    Duration intValidity;
    @Option(names = "--ra-validity", defaultValue = "1825d", converter = Durations.class, paramLabel = "DURATION",
            description = "Lifetime of the SCEP RA. Default: ${DEFAULT-VALUE}") Duration raValidity;
    @Option(names = "--root-key-out", paramLabel = "FILE",
            description = "Write the root private key here (encrypted PKCS#12), outside the data folder, for offline keeping.")
    Path rootKeyOut;
    @Option(names = "--import-intermediate", paramLabel = "CERT_AND_KEY",
            description = "PEM (certificate + key, key may be encrypted) or PKCS#12 of an existing intermediate CA.")
    Path importIntermediate;
    @Option(names = "--root", paramLabel = "ROOT.pem", description = "The root certificate that signed the imported intermediate.")
    Path importRoot;
    @Option(names = "--import-passphrase-file", paramLabel = "FILE",
            description = "Passphrase of the imported key or PKCS#12 (default: the CA passphrase).")
    Path importPassphraseFile;

    @Override
    public Integer call() {
        CaDirectory dir = data.directory();
        InitOptions options = new InitOptions(subject(rootSubject, "Root CA"), subject(intermediateSubject, "Issuing CA"),
                subject(raSubject, "SCEP RA"), rootBits, intermediateBits, raBits, rootValidity, intValidity, raValidity,
                Optional.ofNullable(rootKeyOut));
        Optional<java.net.URI> baseUrl = naming.baseUrl();
        Optional<Integer> created = CaBootstrap.createUnlessPresent(dir, () -> {
            // Before the first certificate: what is built from the base URL is in every certificate issued.
            CaBootstrap.writeConfig(dir, baseUrl);
            // The intermediate names the root's CRL under the base URL (the flag, else the file or the environment).
            return create(dir, options.withPublicBaseUrl(baseUrl.or(() -> data.config().publicBaseUrl())), baseUrl);
        });
        if (created.isPresent()) {
            return created.get();
        }
        if (!ifAbsent) {
            throw new Errors.UserException("a CA already exists in " + dir.root() + "; refusing to overwrite it");
        }
        spec.commandLine().getOut().println("A CA exists in " + dir.root() + " already: nothing to do.");
        return 0;
    }

    private X500Name subject(String dn, String role) {
        return naming.subject(dn, role);
    }

    private int create(CaDirectory dir, InitOptions options, Optional<java.net.URI> baseUrl) {
        var out = spec.commandLine().getOut();
        var resolved = CaBootstrap.passphraseForNewCa(dir, Optional.ofNullable(data.passphraseFile));
        if (importIntermediate != null) {
            if (importRoot == null) {
                throw new Errors.UserException("--import-intermediate needs --root ROOT.pem");
            }
            Passphrase importPass = importPassphraseFile != null
                    ? PassphraseSource.fromEnvironment().resolve(Optional.of(importPassphraseFile), dir.generatedPassphrase())
                    : resolved.passphrase();
            new CaInitializer(java.time.Clock.systemUTC(), new java.security.SecureRandom())
                    .importIntermediate(dir, importIntermediate, importPass, importRoot, resolved.passphrase(), options);
            out.println("Imported the intermediate from " + importIntermediate + " and created a SCEP RA below it.");
            out.println("The root's private key is not here; publish the root's CRL with 'scepca ca root-crl --root-key FILE'");
            out.println("or copy an existing one to " + dir.rootCrl() + " (nginx checks a CRL for every CA in the chain).");
        } else {
            out.println("Creating a CA in " + dir.root() + " (RSA " + rootBits + " root; this takes a few seconds)...");
            CaBootstrap.create(dir, options, resolved.passphrase());
        }
        if (resolved.generated()) {
            out.println("Generated a key passphrase in " + dir.generatedPassphrase() + " (owner-only). Move it to a secret"
                    + " store and pass it with SCEPCA_PASSPHRASE or --passphrase-file for stronger protection.");
        }
        if (baseUrl.isEmpty()) {
            out.println("No public base URL: certificates carry no CRL or OCSP URL. Set public-base-url in "
                    + dir.configFile() + " (an http:// URL) before the first device enrolls.");
        }
        try (CertificateAuthority ca = CertificateAuthority.open(dir, resolved.passphrase(), data.config(),
                java.time.Clock.systemUTC(), new java.security.SecureRandom())) {
            if (rootKeyOut != null && importIntermediate == null) {
                // The root key is at hand this once: sign the root's first CRL, which the intermediate's CRL
                // distribution point names and nginx needs, rather than leave it missing until 'ca root-crl'.
                CaCommand.publishRootCrl(ca, org.scepca.ca.keys.Pkcs12Files.read(rootKeyOut, resolved.passphrase()).key());
            }
            Describe.ca(out, ca);
        }
        if (rootKeyOut != null) {
            out.println("Root private key written to " + rootKeyOut + ": keep it offline; it is needed only to sign"
                    + " a new intermediate or the root's CRL (signed now, valid " + data.config().rootCrlNextUpdate().toDays()
                    + " days: re-sign it with 'scepca ca root-crl --root-key FILE' before then).");
        }
        return 0;
    }
}
