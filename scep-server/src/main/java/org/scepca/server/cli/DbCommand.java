package org.scepca.server.cli;

import java.util.concurrent.Callable;

import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.Database;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Maintenance of the embedded H2 database.",
        subcommands = {DbCommand.Compact.class})
final class DbCommand {

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Rewrite the database file with only live data (run with the server stopped; needs free disk"
                    + " space for a copy). Worth it after a burst of writes such as a fleet re-enrolling.")
    static final class Compact implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CaDirectory dir = data.directory();
            long t = System.nanoTime();
            long[] sizes = Database.compactH2(dir.databaseDir(), dir.secretsDir().resolve("db-password"));
            spec.commandLine().getOut().printf("compacted %s: %,d MiB -> %,d MiB in %.1f s%n", dir.databaseDir(),
                    sizes[0] >> 20, sizes[1] >> 20, (System.nanoTime() - t) / 1e9);
            return 0;
        }
    }
}
