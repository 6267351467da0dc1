package org.scepca.server.cli;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "request", mixinStandardHelpOptions = true,
        description = "SCEP requests waiting for approval (scep.approval=manual).",
        subcommands = {RequestCommand.ListCmd.class, RequestCommand.Approve.class, RequestCommand.Reject.class})
final class RequestCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List requests (default: pending).")
    static final class ListCmd implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--status", defaultValue = "pending", description = "pending, issued, rejected or all") String status;

        @Override
        public Integer call() {
            Optional<RequestStatus> st = status.equalsIgnoreCase("all") ? Optional.empty()
                    : Optional.of(RequestStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT)));
            try (CertificateAuthority ca = data.open()) {
                var out = spec.commandLine().getOut();
                out.printf("%-44s  %-8s  %-24s  %s%n", "TRANSACTION", "STATUS", "CREATED", "SUBJECT");
                for (RequestRecord r : ca.requests().list(st, 1000)) {
                    out.printf("%-44s  %-8s  %-24s  %s%n", r.transactionId(), r.status().name().toLowerCase(java.util.Locale.ROOT),
                            r.createdAt(), r.subjectDn());
                }
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve: issue now; the device gets it on its next poll.")
    static final class Approve implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "TRANSACTION_ID") String txid;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                var issued = ca.approvals().approve(txid, "cli:" + System.getProperty("user.name", "?"));
                spec.commandLine().getOut().println("approved " + txid + ": issued " + issued.record().serialHex());
            }
            return 0;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject: the device's next poll gets FAILURE.")
    static final class Reject implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "TRANSACTION_ID") String txid;
        @Option(names = "--reason", defaultValue = "rejected by an operator") String reason;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                ca.approvals().reject(txid, reason, "cli:" + System.getProperty("user.name", "?"));
                spec.commandLine().getOut().println("rejected " + txid);
            }
            return 0;
        }
    }
}
