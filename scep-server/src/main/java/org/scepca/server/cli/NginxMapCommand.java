package org.scepca.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.server.batch.NginxMap;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "nginx-map", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print an nginx map of the active certificates for per-device authorization behind",
                "ssl_verify_client: include it in the http block and refuse when the variable is empty. With --out",
                "the file is replaced atomically and only when it changed; reload nginx after (docs/batch.md)."})
final class NginxMapCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--by", defaultValue = "serial", paramLabel = "serial|subject",
            description = "Key: serial ($ssl_client_serial, recommended) or subject ($ssl_client_s_dn). Default: ${DEFAULT-VALUE}")
    String by;
    @Option(names = "--variable", defaultValue = "$scepca_device",
            description = "The variable the map sets. Default: ${DEFAULT-VALUE}")
    String variable;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the map here (atomically) instead of printing it")
    Path out;
    @Option(names = "--watch", paramLabel = "INTERVAL", converter = Durations.class,
            description = "With --out: keep running and rewrite the file when the set changes, every INTERVAL (e.g. 60s)")
    Duration watch;

    @Override
    public Integer call() throws IOException, InterruptedException {
        NginxMap.Key key = switch (by.strip().toLowerCase(Locale.ROOT)) {
            case "serial" -> NginxMap.Key.SERIAL;
            case "subject" -> NginxMap.Key.SUBJECT;
            default -> throw new Errors.UserException("--by must be serial or subject: " + by);
        };
        if (watch != null && (out == null || watch.toSeconds() < 1)) {
            throw new Errors.UserException("--watch needs --out and an interval of at least 1s");
        }
        if (!variable.matches("\\$[a-z_][a-z0-9_]{0,63}")) {
            throw new Errors.UserException("--variable must look like $scepca_device: " + variable);
        }
        PrintWriter o = spec.commandLine().getOut();
        // Reads only: the store is opened like the read-only commands (the server may hold it; H2 AUTO_SERVER).
        try (CertificateAuthority ca = data.open()) {
            do {
                NginxMap.Rendered map = NginxMap.render(ca.certificates(), Instant.now(), key, variable);
                map.skipped().forEach(s -> spec.commandLine().getErr().println("left out " + s));
                if (out == null) {
                    o.print(map.text());
                } else if (writeIfChanged(out, map.text().getBytes(StandardCharsets.UTF_8))) {
                    o.println("wrote " + out + " (" + map.entries() + " active certificates)");
                } else if (watch == null) {
                    o.println(out + " is up to date (" + map.entries() + " active certificates)");
                }
                o.flush();
                if (watch != null) {
                    Thread.sleep(watch.toMillis());
                }
            } while (watch != null);
        }
        return 0;
    }

    /** Replaces {@code file} atomically unless it holds exactly these bytes; true if it wrote. */
    static boolean writeIfChanged(Path file, byte[] content) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), content)) {
            return false;
        }
        SecureFiles.writeAtomically(file, content);
        return true;
    }
}
