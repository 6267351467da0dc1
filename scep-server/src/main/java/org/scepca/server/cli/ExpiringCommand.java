package org.scepca.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.server.expiry.ExpiryMonitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scepca cert expiring --within 30d}: active certificates by notAfter, soonest first. */
@Command(name = "expiring", mixinStandardHelpOptions = true,
        description = "List active certificates (not revoked, not yet expired) whose notAfter falls within a window,"
                + " soonest first.")
final class ExpiringCommand implements Callable<Integer> {
    /** Rows when --limit is not given; a fleet's worth. */
    static final int DEFAULT_LIMIT = 10_000;

    @Mixin DataOptions data;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--within", defaultValue = "30d", converter = Durations.class,
            description = "The window from now: 7d, 12h, 90d (default ${DEFAULT-VALUE})") Duration within;
    @Option(names = "--endpoint", paramLabel = "NAME", description = "Only certificates issued by this endpoint")
    String endpoint;
    @Option(names = "--limit", defaultValue = "" + DEFAULT_LIMIT, description = "At most this many rows (default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--json", description = "One JSON document: {\"within\":...,\"certificates\":[...]}") boolean json;

    @Override
    public Integer call() throws Exception {
        if (within.isNegative() || within.isZero()) {
            throw new Errors.UserException("--within must be a positive duration (30d, 12h)");
        }
        if (limit < 1 || limit > 1_000_000) {
            throw new Errors.UserException("--limit must be from 1 to 1000000");
        }
        try (CertificateAuthority ca = data.open()) {
            if (endpoint != null && ca.endpoints().find(endpoint).isEmpty()) {
                throw new Errors.UserException("no endpoint '" + endpoint + "'");
            }
            Instant now = ca.clock().instant();
            // One more than asked, to say that there are more.
            List<CertificateRecord> rows = ca.certificates().expiring(now, now.plus(within), Optional.ofNullable(endpoint),
                    limit + 1);
            boolean more = rows.size() > limit;
            rows = more ? rows.subList(0, limit) : rows;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode doc = m.createObjectNode();
                doc.put("now", now.truncatedTo(ChronoUnit.SECONDS).toString());
                doc.put("within", within.toString());
                doc.put("truncated", more);
                ArrayNode list = doc.putArray("certificates");
                for (CertificateRecord r : rows) {
                    ObjectNode o = list.addObject();
                    o.put("serial", r.serialHex());
                    o.put("subject", r.subjectDn());
                    o.put("status", "active");
                    o.put("notAfter", r.notAfter().toString());
                    o.put("daysLeft", ExpiryMonitor.daysLeft(r.notAfter(), now));
                    String ep = CertCommand.endpointOf(r);
                    if (ep.equals("-")) {
                        o.putNull("endpoint");
                    } else {
                        o.put("endpoint", ep);
                    }
                    ObjectNode device = o.putObject("device");
                    r.issuedFor().deviceSerial().ifPresent(v -> device.put("serialNumber", v));
                    r.issuedFor().deviceUdid().ifPresent(v -> device.put("udid", v));
                    r.issuedFor().intuneDeviceId().ifPresent(v -> device.put("intuneDeviceId", v));
                }
                out.println(m.writeValueAsString(doc));
                return 0;
            }
            out.printf("%-40s  %-20s  %4s  %-12s  %-24s  %s%n", "SERIAL", "NOT AFTER", "DAYS", "ENDPOINT", "DEVICE",
                    "SUBJECT");
            for (CertificateRecord r : rows) {
                out.printf("%-40s  %-20s  %4d  %-12s  %-24s  %s%n", r.serialHex(),
                        r.notAfter().truncatedTo(ChronoUnit.SECONDS), ExpiryMonitor.daysLeft(r.notAfter(), now),
                        CertCommand.endpointOf(r), r.issuedFor().device().orElse("-"), r.subjectDn());
            }
            if (more) {
                out.println("(more: raise --limit)");
            } else if (rows.isEmpty()) {
                out.println("(no active certificate expires within " + describe(within) + ")");
            }
        }
        return 0;
    }

    private static String describe(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toHours() + "h";
    }
}
