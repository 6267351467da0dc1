package org.scepca.server.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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

    @Option(names = "--name", defaultValue = "scepca", paramLabel = "NAME",
            description = "Start of the CAs' common names: NAME Root CA, NAME Issuing CA, NAME SCEP RA. Default: ${DEFAULT-VALUE}")
    String name;
    @Option(names = "--org", defaultValue = "scepca", paramLabel = "ORG",
            description = "Organization (O=) of the CAs' subjects, any characters. Default: ${DEFAULT-VALUE}")
    String org;
    @Option(names = "--root-subject", paramLabel = "DN",
            description = "Root subject, attributes in encoding order (most general first). Default: O=ORG,CN=NAME Root CA")
    String rootSubject;
    @Option(names = "--intermediate-subject", paramLabel = "DN", description = "Default: O=ORG,CN=NAME Issuing CA")
    String intermediateSubject;
    @Option(names = "--ra-subject", paramLabel = "DN", description = "Default: O=ORG,CN=NAME SCEP RA") String raSubject;
    @Option(names = "--if-absent", description = {"Do nothing (and succeed) when the data folder holds a CA already.",
            "Safe when several processes start on one empty folder: one creates the CA, the others wait for it."})
    boolean ifAbsent;
    @Option(names = "--root-key-bits", defaultValue = "4096") int rootBits;
    @Option(names = "--intermediate-key-bits", defaultValue = "2048") int intermediateBits;
    @Option(names = "--ra-key-bits", defaultValue = "2048") int raBits;
    @Option(names = "--root-validity", defaultValue = "3650d", converter = Durations.class) Duration rootValidity;
    @Option(names = "--intermediate-validity", defaultValue = "1825d", converter = Durations.class) Duration intValidity;
    @Option(names = "--ra-validity", defaultValue = "1825d", converter = Durations.class) Duration raValidity;
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
                Optional.ofNullable(rootKeyOut)).withPublicBaseUrl(data.config().publicBaseUrl());
        Optional<Integer> created = CaBootstrap.createUnlessPresent(dir, () -> create(dir, options));
        if (created.isPresent()) {
            return created.get();
        }
        if (!ifAbsent) {
            throw new Errors.UserException("a CA already exists in " + dir.root() + "; refusing to overwrite it");
        }
        spec.commandLine().getOut().println("A CA exists in " + dir.root() + " already: nothing to do.");
        return 0;
    }

    /**
     * {@code dn} as given (Bouncy Castle keeps the order written), or {@code O=ORG,CN=NAME ROLE} built attribute by
     * attribute (commas in ORG are escaped): O before CN, from the most general attribute to the most specific.
     */
    private X500Name subject(String dn, String role) {
        if (dn != null) {
            return new X500Name(dn);
        }
        String cn = name.strip() + " " + role;
        // RFC 5280 Appendix A: ub-common-name 64, ub-organization-name 64.
        if (name.isBlank() || cn.length() > 64) {
            throw new Errors.UserException("--name must be 1 to " + (64 - " Issuing CA".length()) + " characters");
        }
        if (org.isBlank() || org.strip().length() > 64) {
            throw new Errors.UserException("--org must be 1 to 64 characters");
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, org.strip()).addRDN(BCStyle.CN, cn).build();
    }

    private int create(CaDirectory dir, InitOptions options) {
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
            CaBootstrap.writeDefaultConfig(dir);
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
        try (CertificateAuthority ca = CertificateAuthority.open(dir, resolved.passphrase(), data.config(),
                java.time.Clock.systemUTC(), new java.security.SecureRandom())) {
            Describe.ca(out, ca);
        }
        if (rootKeyOut != null) {
            out.println("Root private key written to " + rootKeyOut + ": keep it offline; it is needed only to sign"
                    + " a new intermediate or the root's CRL.");
        }
        return 0;
    }
}
