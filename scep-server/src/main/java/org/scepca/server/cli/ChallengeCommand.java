package org.scepca.server.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.policy.NameBinding;
import org.scepca.ca.store.ChallengeRecord;
import org.scepca.server.admin.ChallengeView;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "challenge", mixinStandardHelpOptions = true, description = "One-time SCEP challenge passwords.",
        subcommands = {ChallengeCommand.Create.class, ChallengeCommand.ListCmd.class, ChallengeCommand.Delete.class})
final class ChallengeCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Mint a one-time challenge and print it (shown once; stored only as a hash).")
    static final class Create implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--ttl", defaultValue = "60m", converter = Durations.class, description = "Lifetime, e.g. 60m, 7d")
        Duration ttl;
        @Option(names = "--note", description = "Who or what it is for (shown in listings)") String note;
        @Option(names = "--quiet", description = "Print the challenge only") boolean quiet;
        @Option(names = "--subject", paramLabel = "DN|regex:RE", description = "Bind to this subject: a DN"
                + " (CN=alice,O=Example, either RDN order) or regex: and a Java regular expression over the subject as"
                + " listings show it (O=Example,CN=alice)")
        String subject;
        @Option(names = "--san", paramLabel = "TYPE:VALUE|regex:RE", description = "Allow this SAN (repeatable):"
                + " dns:, email:, uri:, ip: or upn: and a value, or regex: over type:value. A bound challenge allows no"
                + " other SAN")
        List<String> sans = new ArrayList<>();
        @Option(names = "--endpoint", paramLabel = "NAME", defaultValue = "default",
                description = "The enrollment endpoint it is good for (default: /scep); it must accept one-time challenges")
        String endpoint;

        @Override
        public Integer call() {
            Optional<NameBinding> binding;
            try {
                binding = NameBinding.of(Optional.ofNullable(subject), sans);
            } catch (IllegalArgumentException e) {
                throw new Errors.UserException(Errors.oneLine(e));
            }
            try (CertificateAuthority ca = data.open()) {
                var e = ca.endpoints().find(endpoint).orElseThrow(() -> new Errors.UserException("no endpoint '" + endpoint
                        + "' (configured: " + ca.endpoints().all().stream().map(x -> x.name()).sorted()
                                .collect(java.util.stream.Collectors.joining(", ")) + ")"));
                if (!e.allows(org.scepca.ca.endpoint.Authorization.ONE_TIME)) {
                    throw new Errors.UserException("endpoint '" + endpoint + "' does not accept one-time challenges");
                }
                var minted = ca.challenges().mint(ttl, Optional.ofNullable(note), binding,
                        org.scepca.ca.store.ChallengeOrigin.admin(endpoint));
                var out = spec.commandLine().getOut();
                if (quiet) {
                    out.println(minted.secret());
                } else {
                    out.println("challenge: " + minted.secret());
                    out.println("id:        " + minted.id());
                    out.println("expires:   " + minted.expiresAt());
                    out.println("endpoint:  " + e.path());
                    binding.ifPresent(b -> out.println("bound to:  " + b.describe()));
                }
                AuditLog.cli("challenge-create").token("id", minted.id()).token("expires", minted.expiresAt())
                        .token("bound", String.valueOf(binding.isPresent())).token("scep_endpoint", endpoint)
                        .token("outcome", "created").token("serial", "-").text("subject", "-").token("device", "-").log();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List unused, unexpired challenges (never their secrets).")
    static final class ListCmd implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "Print a JSON array (the admin API's challenge fields) instead of a table")
        boolean json;

        @Override
        public Integer call() {
            try (CaReader ca = data.read()) {
                var out = spec.commandLine().getOut();
                List<ChallengeRecord> active = ca.challenges().listActive(ca.clock().instant(), 1000);
                if (json) {
                    JsonOutput.print(out, active.stream().map(ChallengeView::of).toList());
                    return 0;
                }
                out.printf("%-36s  %-24s  %-12s  %-24s  %s%n", "ID", "EXPIRES", "ENDPOINT", "NOTE", "BOUND TO");
                for (ChallengeRecord r : active) {
                    out.printf("%-36s  %-24s  %-12s  %-24s  %s%n", r.id(), r.expiresAt(), r.origin().endpoint(),
                            r.note().orElse(""), r.binding().map(NameBinding::describe).orElse("any names"));
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a challenge by id.")
    static final class Delete implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "ID", description = "The challenge's id, as 'challenge list' shows it") String id;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                if (!ca.challenges().delete(id)) {
                    throw new Errors.UserException("no challenge with id " + id);
                }
                spec.commandLine().getOut().println("deleted " + id);
            }
            return 0;
        }
    }
}
