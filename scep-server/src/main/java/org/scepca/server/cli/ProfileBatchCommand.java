package org.scepca.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.keys.Passphrase;
import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.Preset;
import org.scepca.server.batch.DeviceList;
import org.scepca.server.batch.FolderSink;
import org.scepca.server.batch.ProfileBatch;
import org.scepca.server.profiles.ChallengeSource;
import org.scepca.server.profiles.ProfileOptions;
import org.scepca.server.profiles.ProfileService;
import org.scepca.server.profiles.SigningIdentity;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One .mobileconfig per device of a CSV list, each with its own one-time challenge bound to that",
                "device's subject and SANs (see docs/batch.md for the CSV format). Exit status 1 when a line was",
                "invalid or a device failed; the others are still written unless --strict."})
final class ProfileBatchCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", required = true, paramLabel = "CSV",
            description = "Device list: header row with name, serial, udid, user columns (RFC 4180)")
    Path devices;
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder for the profiles, <serial|udid|name>.mobileconfig, owner-only (they hold challenges)")
    Path out;
    @Option(names = "--force", description = "Replace profiles that exist (their earlier challenges stay valid until they expire)")
    boolean force;
    @Option(names = "--strict", description = "Make nothing if a line is invalid, and stop at the first device that fails")
    boolean strict;
    @Option(names = "--preset", defaultValue = "generic", description = "generic, jamf or intune. Default: ${DEFAULT-VALUE}")
    String preset;
    @Option(names = "--endpoint", paramLabel = "NAME", defaultValue = "default",
            description = "The enrollment endpoint the profiles enroll with. Default: /scep")
    String endpoint;
    @Option(names = "--url", paramLabel = "SCEP_URL", description = "SCEP URL devices use (default: public-base-url and the endpoint's path)")
    String url;
    @Option(names = "--identifier-prefix", paramLabel = "REVERSE_DNS", converter = IdentifierPrefixConverter.class,
            description = "PayloadIdentifier prefix, e.g. com.example.staging (default: profile.identifier-prefix, else derived from the root)")
    IdentifierPrefix identifierPrefix;
    @Mixin SigningOptions signing;
    @Option(names = "--challenge-ttl", defaultValue = "7d", converter = Durations.class,
            description = "Lifetime of each one-time challenge, at most 30d. Default: ${DEFAULT-VALUE}")
    Duration challengeTtl;
    @Option(names = "--organization", description = "O= of the subjects and shown on the device. Default: the root certificate's O")
    String organization;
    @Option(names = "--display-name", description = "Profile name shown on the device") String displayName;
    @Option(names = "--key-size", defaultValue = "2048", description = "2048 or 4096 (iOS 14+). Default: ${DEFAULT-VALUE}")
    int keySize;
    @Option(names = "--no-intermediate", description = "Leave the issuing CA certificate out of the profiles")
    boolean noIntermediate;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        DeviceList.Parsed list = DeviceLists.read(devices);
        Progress progress = Progress.of(spec);
        list.errors().forEach(e -> progress.note(e.toString()));
        if (list.unusable() || strict && !list.errors().isEmpty()) {
            throw new Errors.UserException(devices + ": " + list.errors().size() + " error(s); nothing was made"
                    + (list.unusable() ? "" : " (--strict)"));
        }
        ProfileOptions template = ProfileOptions.builder(Preset.fromId(preset), ProfileCommand.scepUrl(data, url, endpoint))
                .keySize(keySize).displayName(displayName).organization(organization)
                .challenge(ChallengeSource.ONE_TIME).challengeTtl(challengeTtl).includeIntermediate(!noIntermediate)
                .identifierPrefix(identifierPrefix == null ? null : identifierPrefix.value())
                .sign(signing.sign && signing.signingP12 == null).build();
        try (CertificateAuthority ca = data.open()) {
            Passphrase passphrase = data.passphrase();
            ProfileService profiles = ProfileCommand.service(ca, endpoint, passphrase);
            Optional<SigningIdentity> signer = signing.identity(data, passphrase);
            FolderSink sink = new FolderSink(out);
            ProfileBatch.Summary summary = new ProfileBatch(profiles, template, signer, "cli").run(list.devices(), sink,
                    force, strict, (i, n, outcome) -> {
                        String line = outcome.status().name().toLowerCase(java.util.Locale.ROOT) + " "
                                + outcome.fileName() + outcome.detail().map(d -> ": " + d).orElse("");
                        if (outcome.status() == ProfileBatch.Status.FAILED) {
                            progress.note("line " + outcome.device().line() + ": " + line);
                        }
                        progress.step(i, n, line);
                    });
            o.println("profiles in " + sink.dir() + ": written " + summary.count(ProfileBatch.Status.WRITTEN)
                    + ", skipped " + summary.count(ProfileBatch.Status.SKIPPED) + " (exist; --force replaces)"
                    + ", failed " + summary.count(ProfileBatch.Status.FAILED)
                    + ", invalid lines " + list.errors().size()
                    + (strict && summary.outcomes().size() < list.devices().size()
                            ? ", not attempted " + (list.devices().size() - summary.outcomes().size()) + " (--strict)" : ""));
            o.println("  identifier:     " + template.identifierPrefix().orElse(profiles.defaultIdentifierPrefix().value())
                    + ".scep." + template.preset().id() + " (each device replaces its own earlier profile)");
            o.println("  challenges:     one-time, bound to each device's subject and SANs, valid " + challengeTtl.toDays()
                    + " days (scepca challenge list shows them by device)");
            return summary.count(ProfileBatch.Status.FAILED) == 0 && list.errors().isEmpty() ? 0 : 1;
        }
    }
}
