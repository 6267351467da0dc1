package org.scepca.server.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.server.expiry.ExpiryMonitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scepca notify run}: the expiry check the server runs hourly, once, now. */
@Command(name = "notify", mixinStandardHelpOptions = true, description = "Expiry notifications (notify.* in scepca.properties).",
        subcommands = NotifyCommand.Run.class)
final class NotifyCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Send the expiry notices that are due now (webhook events, one digest e-mail), once.",
                    "Each certificate is notified once per threshold, whichever process sends it: the server's hourly"
                            + " check will not repeat what this sent. Webhook events are delivered by the running server."})
    static final class Run implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--dry-run", description = "Only list what is due; send and record nothing") boolean dryRun;

        @Override
        public Integer call() {
            try (CertificateAuthority ca = data.open()) {
                ExpiryMonitor monitor = ExpiryMonitor.create(ca, Optional.empty());
                PrintWriter out = spec.commandLine().getOut();
                if (!monitor.config().enabled()) {
                    throw new Errors.UserException("no expiry notifications are configured: set notify.webhook = true"
                            + " and/or notify.smtp.* in " + ca.directory().configFile());
                }
                Instant now = ca.clock().instant();
                ExpiryMonitor.Report r = monitor.notifyDue(now, dryRun);
                String verb = dryRun ? "due" : "sent";
                r.webhook().ifPresent(p -> out.println("webhook: " + p.certificates().size() + " certificate(s), "
                        + p.cas().size() + " CA certificate(s) " + (dryRun ? verb : "queued")));
                r.email().ifPresent(p -> out.println("e-mail:  " + p.certificates().size() + " certificate(s), "
                        + p.cas().size() + " CA certificate(s) " + (p.isEmpty() && !dryRun ? "(no message)" : verb)));
                if (dryRun) {
                    r.email().or(r::webhook).ifPresent(p -> {
                        p.cas().forEach(d -> out.println("  " + d.which() + " CA " + d.certificate().getSerialNumber()
                                .toString(16) + " at " + d.threshold() + " days"));
                        p.certificates().forEach(d -> out.println("  " + d.certificate().serialHex() + " "
                                + d.certificate().notAfter() + " at " + d.threshold() + " days  "
                                + d.certificate().subjectDn()));
                    });
                }
            }
            return 0;
        }
    }
}
