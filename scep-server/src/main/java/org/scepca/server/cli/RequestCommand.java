package org.scepca.server.cli;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.server.admin.RequestView;

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
    static final class ListCmd implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--status", defaultValue = "pending",
                description = "pending, issued, rejected or all. Default: ${DEFAULT-VALUE}") String status;
        @Option(names = "--json", description = "Print a JSON array (the admin API's request fields) instead of a table")
        boolean json;

        @Override
        public Integer call() {
            Optional<RequestStatus> st;
            try {
                st = status.equalsIgnoreCase("all") ? Optional.empty()
                        : Optional.of(RequestStatus.valueOf(status.strip().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new Errors.UserException("--status must be pending, issued, rejected or all");
            }
            try (CaReader ca = data.read()) {
                var out = spec.commandLine().getOut();
                var rows = ca.requests().list(st, 1000);
                if (json) {
                    JsonOutput.print(out, rows.stream().map(RequestView::of).toList());
                    return 0;
                }
                out.printf("%-44s  %-8s  %-24s  %s%n", "TRANSACTION", "STATUS", "CREATED", "SUBJECT");
                for (RequestRecord r : rows) {
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
        @Parameters(paramLabel = "TRANSACTION_ID", description = "The request's transaction id, as 'request list' shows it")
        String txid;

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
        @Parameters(paramLabel = "TRANSACTION_ID", description = "The request's transaction id, as 'request list' shows it")
        String txid;
        @Option(names = "--reason", defaultValue = "rejected by an operator", paramLabel = "TEXT",
                description = "Why, for the audit log and the request's record. Default: ${DEFAULT-VALUE}") String reason;

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
