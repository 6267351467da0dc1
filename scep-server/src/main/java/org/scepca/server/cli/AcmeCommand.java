package org.scepca.server.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.server.admin.AcmeDeviceView;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "acme", mixinStandardHelpOptions = true, description = "ACME endpoints (RFC 8555).",
        subcommands = {AcmeCommand.Devices.class})
final class AcmeCommand {

    @Command(name = "devices", mixinStandardHelpOptions = true,
            description = "The devices (serial numbers or UDIDs) an ACME endpoint whose device policy is allow-list lets"
                    + " enroll through device-attest-01.",
            subcommands = {Devices.Add.class, Devices.Remove.class, Devices.ListCmd.class})
    static final class Devices {

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Put devices on the endpoint's allow-list (listed ones stay as they are).")
        static final class Add implements Callable<Integer> {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--endpoint", required = true, paramLabel = "NAME", description = "The ACME endpoint")
            String endpoint;
            @Parameters(arity = "1..*", paramLabel = "DEVICE",
                    description = "Serial numbers or UDIDs (letters, digits, hyphens; any case)")
            List<String> devices = new ArrayList<>();

            @Override
            public Integer call() {
                checkArguments(endpoint, devices);
                try (CertificateAuthority ca = data.open()) {
                    if (ca.endpoints().find(endpoint).isEmpty()) {
                        throw new Errors.UserException("no endpoint '" + endpoint + "' (configured: "
                                + ca.endpoints().all().stream().map(x -> x.name()).sorted()
                                        .collect(Collectors.joining(", ")) + ")");
                    }
                    List<String> added = new DeviceAllowList(ca.database(), ca.clock()).add(endpoint, devices,
                            "cli:" + System.getProperty("user.name", "?"));
                    report(spec, endpoint, devices, added, "added", "already listed");
                }
                return 0;
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true,
                description = "Take devices off the endpoint's allow-list (certificates already issued stay valid).")
        static final class Remove implements Callable<Integer> {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--endpoint", required = true, paramLabel = "NAME", description = "The ACME endpoint")
            String endpoint;
            @Parameters(arity = "1..*", paramLabel = "DEVICE", description = "Serial numbers or UDIDs (any case)")
            List<String> devices = new ArrayList<>();

            @Override
            public Integer call() {
                checkArguments(endpoint, devices);
                try (CertificateAuthority ca = data.open()) {
                    List<String> removed = new DeviceAllowList(ca.database(), ca.clock()).remove(endpoint, devices);
                    report(spec, endpoint, devices, removed, "removed", "not listed");
                }
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List the endpoint's allow-list.")
        static final class ListCmd implements Callable<Integer>, ReadOnly {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--endpoint", required = true, paramLabel = "NAME", description = "The ACME endpoint")
            String endpoint;
            @Option(names = "--json", description = "Print a JSON array (the admin API's fields) instead of a table")
            boolean json;

            @Override
            public Integer call() {
                checkArguments(endpoint, List.of());
                try (CaReader ca = data.read()) {
                    var entries = new DeviceAllowList(ca.database(), ca.clock()).list(endpoint);
                    var out = spec.commandLine().getOut();
                    if (json) {
                        JsonOutput.print(out, entries.stream().map(AcmeDeviceView::of).toList());
                        return 0;
                    }
                    out.printf("%-40s  %-24s  %s%n", "DEVICE", "ADDED", "BY");
                    for (var e : entries) {
                        out.printf("%-40s  %-24s  %s%n", e.deviceId(), e.addedAt(), e.addedBy());
                    }
                }
                return 0;
            }
        }

        /**
         * One line and one audit line ({@code acme-device-add}, {@code acme-device-remove}) per device changed, then how many
         * of those given were left as they were.
         */
        private static void report(picocli.CommandLine.Model.CommandSpec spec, String endpoint, List<String> given,
                List<String> changed, String outcome, String unchanged) {
            var out = spec.commandLine().getOut();
            String op = outcome.equals("added") ? "acme-device-add" : "acme-device-remove";
            for (String d : changed) {
                AcmeDeviceView.change(AuditLog.cli(op), endpoint, d, outcome).log();
                out.println(outcome + " " + d);
            }
            long rest = given.stream().map(DeviceAllowList::normalize).distinct().count() - changed.size();
            if (rest > 0) {
                out.println(rest + " " + unchanged);
            }
        }

        /** Checked before the CA is opened: a typo costs no passphrase prompt and changes nothing. */
        private static void checkArguments(String endpoint, List<String> devices) {
            try {
                DeviceAllowList.checkEndpoint(endpoint);
                if (devices.size() > DeviceAllowList.MAX_PER_CHANGE) {
                    throw new IllegalArgumentException("at most " + DeviceAllowList.MAX_PER_CHANGE
                            + " devices per call");
                }
                devices.forEach(DeviceAllowList::normalize);
            } catch (IllegalArgumentException e) {
                throw new Errors.UserException(Errors.oneLine(e));
            }
        }
    }
}
