package org.scepca.server.cli;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.server.admin.CertificateView;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cert", mixinStandardHelpOptions = true, description = "List, show and revoke issued certificates.",
        subcommands = {CertCommand.ListCmd.class, CertCommand.Show.class, CertCommand.Revoke.class,
                IssueServerCommand.class, ExpiringCommand.class})
final class CertCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List certificates, newest first.")
    static final class ListCmd implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--state", defaultValue = "all", paramLabel = "STATUS",
                description = "all, active, revoked or expired. Default: ${DEFAULT-VALUE}") String state;
        @Option(names = "--search", paramLabel = "TEXT", description = "Text in the subject or a SAN") String search;
        @Option(names = "--expiring-within", converter = Durations.class, paramLabel = "DURATION",
                description = "Only certificates that expire within this time, e.g. 30d") Duration expiring;
        @Option(names = "--device", paramLabel = "SERIAL|UDID|INTUNE-ID",
                description = "Only certificates issued for this device (serial number, UDID or Intune device id)")
        String device;
        @Option(names = "--endpoint", paramLabel = "NAME", description = "Only certificates issued by this endpoint")
        String endpoint;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many rows. Default: ${DEFAULT-VALUE}")
        int limit;
        @Option(names = "--json", description = "Print a JSON array (the admin API's certificate fields) instead of a table")
        boolean json;

        @Override
        public Integer call() {
            CertificateQuery.State st;
            try {
                st = CertificateQuery.State.valueOf(state.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Errors.UserException("--state must be all, active, revoked or expired");
            }
            try (CaReader ca = data.read()) {
                Instant now = ca.clock().instant();
                if (endpoint != null && ca.endpoints().find(endpoint).isEmpty()) {
                    throw new Errors.UserException("no endpoint '" + endpoint + "'");
                }
                var q = new CertificateQuery(st, Optional.ofNullable(search), Optional.ofNullable(expiring).map(now::plus),
                        Optional.empty(), Optional.empty(), Optional.empty(), limit, Optional.ofNullable(device),
                        Optional.ofNullable(endpoint));
                var page = ca.certificates().list(q, now);
                var out = spec.commandLine().getOut();
                // On stderr: a script reading the table or the JSON gets rows only.
                page.nextCursor().ifPresent(c -> spec.commandLine().getErr().println("scepca: more than " + limit
                        + " certificates match: raise --limit"));
                if (json) {
                    JsonOutput.print(out, page.items().stream().map(r -> CertificateView.of(r, now)).toList());
                    return 0;
                }
                out.printf("%-40s  %-8s  %-20s  %-12s  %-24s  %s%n", "SERIAL", "STATUS", "EXPIRES", "ENDPOINT", "DEVICE",
                        "SUBJECT");
                for (CertificateRecord r : page.items()) {
                    out.printf("%-40s  %-8s  %-20s  %-12s  %-24s  %s%n", r.serialHex(), CertificateView.status(r, now),
                            r.notAfter().toString().substring(0, 19) + "Z", endpointOf(r),
                            r.issuedFor().device().orElse("-"), r.subjectDn());
                }
            }
            return 0;
        }
    }

    /** The endpoint of a device certificate; "-" for the CLI's own (server, admin, profile signing). */
    static String endpointOf(CertificateRecord r) {
        return r.profile() == org.scepca.ca.policy.CertificateProfile.CLIENT ? r.endpointName() : "-";
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one certificate.")
    static final class Show implements Callable<Integer>, ReadOnly {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "SERIAL", description = "Hex serial (colons allowed)") String serial;
        @Option(names = "--pem", description = "Print the certificate as PEM only") boolean pem;
        @Option(names = "--json", description = "Print a JSON object (the admin API's certificate fields)") boolean json;

        @Override
        public Integer call() {
            BigInteger s = SerialNumbers.parse(serial);
            try (CaReader ca = data.read()) {
                CertificateRecord r = ca.certificates().find(s)
                        .orElseThrow(() -> new Errors.UserException("no certificate with serial " + s.toString(16)));
                var out = spec.commandLine().getOut();
                if (pem) {
                    out.print(Pem.encode(Pem.certificate(r.der())));
                    return 0;
                }
                Instant now = ca.clock().instant();
                if (json) {
                    JsonOutput.print(out, CertificateView.of(r, now));
                    return 0;
                }
                out.println("serial:      " + r.serialHex());
                out.println("subject:     " + r.subjectDn());
                out.println("issuer:      " + r.issuerDn());
                out.println("SANs:        " + (r.subjectAltNames().isEmpty() ? "-" : String.join(", ", r.subjectAltNames())));
                out.println("not before:  " + r.notBefore());
                out.println("not after:   " + r.notAfter());
                out.println("status:      " + CertificateView.status(r, now) + r.revokedAt().map(t -> " at " + t).orElse("")
                        + r.revocationReason().map(x -> " (" + x.rfcName() + ")").orElse(""));
                out.println("profile:     " + r.profile().name().toLowerCase(java.util.Locale.ROOT));
                out.println("requester:   " + r.requester());
                out.println("transaction: " + r.transactionId().orElse("-"));
                out.println("endpoint:    " + endpointOf(r));
                var f = r.issuedFor();
                out.println("challenge:   " + f.challengeId().orElse("-") + f.note().map(n -> " (" + n + ")").orElse(""));
                out.println("device:      " + (f.deviceSerial().isEmpty() && f.deviceUdid().isEmpty() && f.intuneDeviceId().isEmpty()
                        ? "-" : "serial " + f.deviceSerial().orElse("-") + ", UDID " + f.deviceUdid().orElse("-")
                        + ", Intune " + f.intuneDeviceId().orElse("-")));
                out.println("issued at:   " + r.issuedAt());
                out.println("SHA-256:     " + r.sha256());
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a certificate and republish the CRL (works whether or not the server runs).")
    static final class Revoke implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "SERIAL", description = "Hex serial (colons allowed)") String serial;
        @Option(names = "--reason", defaultValue = "unspecified", paramLabel = "REASON",
                description = "RFC 5280 reason: unspecified, keyCompromise, affiliationChanged, superseded,"
                        + " cessationOfOperation or privilegeWithdrawn (any case; key-compromise works too)."
                        + " Default: ${DEFAULT-VALUE}")
        String reason;

        @Override
        public Integer call() {
            BigInteger s = SerialNumbers.parse(serial);
            RevocationReason r = RevocationReason.parse(reason);
            try (CertificateAuthority ca = data.open()) {
                var outcome = ca.revocation().revoke(s, r, "cli:" + System.getProperty("user.name", "?"));
                var out = spec.commandLine().getOut();
                if (outcome.changed()) {
                    out.println("revoked " + s.toString(16) + " (" + r.rfcName() + "); CRL republished: " + ca.directory().crlPem());
                } else {
                    out.println(s.toString(16) + " was already revoked at " + outcome.certificate().revokedAt().orElseThrow());
                }
            }
            return 0;
        }
    }
}
