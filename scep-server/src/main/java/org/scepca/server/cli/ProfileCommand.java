package org.scepca.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.IntuneSheet;
import org.scepca.profiles.Preset;
import org.scepca.scep.ScepService;
import org.scepca.scep.ScepSettings;
import org.scepca.server.profiles.AcmeOptions;
import org.scepca.server.profiles.ChallengeSource;
import org.scepca.server.profiles.GeneratedProfile;
import org.scepca.server.profiles.ProfileOptionException;
import org.scepca.server.profiles.ProfileOptions;
import org.scepca.server.profiles.ProfileService;
import org.scepca.server.profiles.SigningIdentity;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = ProfileBatchCommand.class,
        description = {"Make an Apple enrollment profile (.mobileconfig) for this CA: root trust, SCEP payload,",
                "challenge, optionally signed. For --preset intune also writes the root as .cer and the values for",
                "Intune's own forms (-intune.txt, -intune.json) next to --out. --protocol acme makes an ACME profile",
                "(com.apple.security.acme, Managed Device Attestation) instead; --protocol both writes one of each",
                "(<base>-scep.mobileconfig, <base>-acme.mobileconfig) for the MDM to scope by OS version."})
final class ProfileCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", defaultValue = "generic", description = "generic, jamf or intune. Default: ${DEFAULT-VALUE}")
    String preset;
    @Option(names = "--endpoint", paramLabel = "NAME", defaultValue = "default",
            description = "The enrollment endpoint the profile enrolls with (its URL, challenges and CA chain). Default: /scep")
    String endpoint;
    @Option(names = "--url", paramLabel = "SCEP_URL", description = "SCEP URL devices use, e.g. https://ca.example.com/scep"
            + " (default: public-base-url and the endpoint's path)")
    String url;
    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the .mobileconfig (owner-only: it holds the challenge)")
    Path out;
    @Mixin SigningOptions signing;
    @Option(names = "--subject", paramLabel = "TEMPLATE", description = "e.g. CN=$SERIALNUMBER,O=Example (default depends on the preset)")
    String subject;
    @Option(names = "--san-dns", paramLabel = "NAME",
            description = "DNS name the device asks for as a SAN (may hold MDM variables such as $SERIALNUMBER)")
    String sanDns;
    @Option(names = "--san-uri", paramLabel = "URI", description = "URI the device asks for as a SAN (e.g. urn:udid:$UDID)")
    String sanUri;
    @Option(names = "--san-email", paramLabel = "ADDRESS", description = "E-mail address the device asks for as a SAN")
    String sanEmail;
    @Option(names = "--key-size", defaultValue = "2048", description = "2048 or 4096 (iOS 14+). Default: ${DEFAULT-VALUE}")
    int keySize;
    @Option(names = "--key-usage", defaultValue = "5", description = "1 signing, 4 encryption, 5 both. Default: ${DEFAULT-VALUE}")
    int keyUsage;
    @Option(names = "--retries", defaultValue = "3", description = "Polls after a PENDING reply. Default: ${DEFAULT-VALUE}")
    int retries;
    @Option(names = "--retry-delay", defaultValue = "10", paramLabel = "SECONDS", description = "Default: ${DEFAULT-VALUE}")
    int retryDelay;
    @Option(names = "--display-name", description = "Profile name shown on the device") String displayName;
    @Option(names = "--organization", description = "Default: the root certificate's O") String organization;
    @Option(names = "--challenge-ttl", defaultValue = "7d", converter = Durations.class,
            description = "Lifetime of the one-time challenge, at most 30d. Default: ${DEFAULT-VALUE}")
    Duration challengeTtl;
    @Option(names = "--static-challenge", description = "Use the configured scep.static-challenge instead of a one-time one")
    boolean staticChallenge;
    @Option(names = "--jamf-challenge", paramLabel = "static|dynamic", description = "Jamf: static (default) or dynamic (webhook)")
    String jamfChallenge;
    @Option(names = "--renewal-days", paramLabel = "N", description = "Renew N days before expiry (default 30)")
    Integer renewalDays;
    @Option(names = "--no-intermediate", description = "Leave the issuing CA certificate out of the profile")
    boolean noIntermediate;
    @Option(names = "--protocol", paramLabel = "scep|acme|both", defaultValue = "scep",
            description = "scep (default), acme (iOS 16+, macOS 13.1+), or both as two profiles")
    String protocol;
    @Option(names = "--directory-url", paramLabel = "URL",
            description = "ACME directory (https; default: public-base-url/acme/<endpoint>/directory)")
    String directoryUrl;
    @Option(names = "--client-identifier", paramLabel = "ID", description = {"ACME ClientIdentifier: the device's"
            + " serial (default: jamf $SERIALNUMBER, intune {{SerialNumber}}; required for generic)"})
    String clientIdentifier;
    @Option(names = "--acme-key-type", paramLabel = "ec|rsa", description = "ACME key type. Default: ec (ECSECPrimeRandom)")
    String acmeKeyType;
    @Option(names = "--acme-key-size", paramLabel = "BITS", description = "ACME key size: ec 256/384/521, rsa 2048-4096."
            + " Default: 384 for ec, 2048 for rsa")
    Integer acmeKeySize;
    @Option(names = "--no-hardware-bound", description = "ACME: a software key instead of a Secure Enclave key (no attestation)")
    boolean noHardwareBound;
    @Option(names = "--no-attest", description = "ACME: a Secure Enclave key without Managed Device Attestation")
    boolean noAttest;
    @Option(names = "--usage-flags", paramLabel = "1|4|5", description = "ACME: key usage to request (default: none, the CA's policy decides)")
    Integer usageFlags;
    @Option(names = "--eku", paramLabel = "OID", split = ",", description = "ACME: extended key usage OIDs to request (default: none)")
    java.util.List<String> ekus;
    @Option(names = "--identifier-prefix", paramLabel = "REVERSE_DNS", converter = IdentifierPrefixConverter.class,
            description = {"PayloadIdentifier prefix, e.g. com.example.staging: a device replaces an installed profile",
                    "with the same identifier, so give each CA its own (default: profile.identifier-prefix, else",
                    "org.scepca.ca-<10 hex digits of the root's SHA-256>)"})
    IdentifierPrefix identifierPrefix;

    @Override
    public Integer call() throws IOException {
        Preset chosen = Preset.fromId(preset);
        if (out == null) {
            throw new Errors.UserException("--out is required (or: profile batch --devices FILE --out DIR)");
        }
        String wanted = protocol.strip().toLowerCase(Locale.ROOT);
        if (!wanted.equals("scep") && !wanted.equals("acme") && !wanted.equals("both")) {
            throw new ProfileOptionException("protocol", "must be scep, acme or both: " + protocol);
        }
        boolean scep = !wanted.equals("acme");
        boolean acme = !wanted.equals("scep");
        url = scep ? scepUrl(data, url, endpoint) : "";
        AcmeOptions acmeOptions = AcmeOptions.of(directoryUrl, clientIdentifier, acmeKeyType, acmeKeySize,
                noHardwareBound ? Boolean.FALSE : null, noAttest || noHardwareBound ? Boolean.FALSE : null, usageFlags,
                ekus);
        ProfileOptions options = ProfileOptions.builder(chosen, url).subject(subject).sanDns(sanDns).sanUri(sanUri)
                .sanEmail(sanEmail).keySize(keySize).keyUsage(keyUsage).retries(retries).retryDelaySeconds(retryDelay)
                .displayName(displayName).organization(organization).challenge(challengeSource(chosen))
                .challengeTtl(challengeTtl).renewalDays(renewalDays).includeIntermediate(!noIntermediate)
                .identifierPrefix(identifierPrefix == null ? null : identifierPrefix.value())
                .sign(signing.sign && signing.signingP12 == null).build();
        try (CertificateAuthority ca = data.open()) {
            Passphrase passphrase = data.passphrase();
            ProfileService profiles = service(ca, endpoint, passphrase);
            Optional<SigningIdentity> identity = signing.signingP12 != null
                    ? Optional.of(signing.identity(data, passphrase).orElseThrow()) : Optional.empty();
            // ACME first: it mints nothing, so a bad ACME option leaves no SCEP challenge behind.
            GeneratedProfile acmeProfile = !acme ? null : identity.isPresent()
                    ? profiles.generateAcme(options, acmeOptions, identity.get(), "cli")
                    : profiles.generateAcme(options, acmeOptions, "cli");
            GeneratedProfile scepProfile = !scep ? null : identity.isPresent()
                    ? profiles.generate(options, identity.get(), "cli") : profiles.generate(options, "cli");
            Path acmeOut = scep && acme ? sibling(out, "-acme") : out;
            Path scepOut = scep && acme ? sibling(out, "-scep") : out;
            if (acmeProfile != null) {
                SecureFiles.writeOwnerOnly(acmeOut, acmeProfile.mobileconfig());
                reportAcme(acmeOut, acmeProfile, directoryUrl != null ? directoryUrl
                        : profiles.defaultAcmeDirectoryUrl().orElseThrow());
            }
            if (scepProfile != null) {
                SecureFiles.writeOwnerOnly(scepOut, scepProfile.mobileconfig());
                report(scepOut, scepProfile);
            }
        }
        return 0;
    }

    /** {@code dir/name.mobileconfig} with {@code suffix} before the extension. */
    private static Path sibling(Path file, String suffix) {
        String name = file.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".mobileconfig")
                ? name.substring(0, name.length() - ".mobileconfig".length()) : name;
        return file.resolveSibling(base + suffix + ".mobileconfig");
    }

    private void reportAcme(Path file, GeneratedProfile profile, String directory) {
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + file + " (" + profile.preset().id() + ", acme, "
                + profile.signer().map(s -> "signed by " + s.getSubjectX500Principal().getName()).orElse("unsigned") + ")");
        o.println("  ACME directory: " + directory);
        o.println("  challenge:      none (the device proves itself with Apple's attestation: device-attest-01)");
    }

    /** The SCEP URL given, else public-base-url and the endpoint's path. */
    static String scepUrl(DataOptions data, String given, String endpoint) {
        if (given != null) {
            return given;
        }
        java.net.URI base = data.config().publicBaseUrl().orElseThrow(() -> new Errors.UserException(
                "--url is required when public-base-url is not set in scepca.properties"));
        return base + data.config().endpoints().find(endpoint).map(e -> e.path())
                .orElseThrow(() -> new Errors.UserException("no endpoint '" + endpoint + "'"));
    }

    /** The profile service of one enrollment endpoint of an open CA. */
    static ProfileService service(CertificateAuthority ca, String endpoint, Passphrase passphrase) {
        var e = ca.endpoints().find(endpoint).orElseThrow(() -> new Errors.UserException("no endpoint '" + endpoint
                + "' (configured: " + ca.endpoints().all().stream().map(x -> x.name()).sorted()
                        .collect(java.util.stream.Collectors.joining(", ")) + ")"));
        ScepService scep = new ScepService(ca, ScepSettings.from(ca.config()), e, Optional.empty(), new SecureRandom());
        return ProfileService.create(ca, scep, passphrase);
    }

    private ChallengeSource challengeSource(Preset chosen) {
        if (jamfChallenge != null) {
            if (chosen != Preset.JAMF) {
                throw new ProfileOptionException("jamf-challenge", "is for the jamf preset only");
            }
            return switch (jamfChallenge.strip().toLowerCase(Locale.ROOT)) {
                case "static" -> ChallengeSource.STATIC;
                case "dynamic" -> ChallengeSource.DYNAMIC;
                default -> throw new ProfileOptionException("jamf-challenge", "must be static or dynamic: " + jamfChallenge);
            };
        }
        return staticChallenge ? ChallengeSource.STATIC : ChallengeSource.AUTO;
    }

    private void report(Path file, GeneratedProfile profile) throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + file + " (" + profile.preset().id() + ", "
                + profile.signer().map(s -> "signed by " + s.getSubjectX500Principal().getName()).orElse("unsigned") + ")");
        var challenge = profile.challenge();
        switch (challenge.kind()) {
            case ONE_TIME -> o.println("  challenge:      one-time, id " + challenge.id().orElseThrow() + ", expires "
                    + challenge.expiresAt().orElseThrow() + " (enrolls one device; the secret is only in the file)");
            case STATIC -> o.println("  challenge:      the static challenge from scepca.properties");
            case DYNAMIC -> o.println("  challenge:      none (Jamf dynamic: set the SCEP payload's challenge type to"
                    + " dynamic after uploading)");
            case NONE -> { }
        }
        var fp = profile.fingerprintCertificate();
        o.println("  CAFingerprint:  SHA-1 " + Pem.fingerprint("SHA-1", fp) + " of "
                + fp.getSubjectX500Principal().getName() + " (the CA certificate devices check in GetCACert)");
        if (profile.intuneSheet().isPresent()) {
            writeIntuneFiles(o, file, profile.intuneSheet().get());
        }
    }

    /** Next to the profile: {@code <base>-root.cer}, {@code <base>-intune.txt}, {@code <base>-intune.json}. */
    private void writeIntuneFiles(PrintWriter o, Path out, IntuneSheet sheet) throws IOException {
        String name = out.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".mobileconfig")
                ? name.substring(0, name.length() - ".mobileconfig".length()) : name;
        Path dir = out.toAbsolutePath().getParent();
        Path root = dir.resolve(base + "-root.cer");
        Path text = dir.resolve(base + "-intune.txt");
        Path json = dir.resolve(base + "-intune.json");
        SecureFiles.writeAtomically(root, sheet.rootCer());
        SecureFiles.writeAtomically(text, sheet.toText().getBytes(StandardCharsets.UTF_8));
        SecureFiles.writeAtomically(json, sheet.toJson().getBytes(StandardCharsets.UTF_8));
        o.println("  Intune, step 1: upload " + root + " as a Trusted certificate profile");
        o.println("  Intune, step 2: fill the SCEP certificate profile from " + text + " (same values: " + json + ")");
        o.println("  " + out.getFileName() + " is for Intune's Custom profile only when the native SCEP profile cannot be used");
    }
}
