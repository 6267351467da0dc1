package org.scepca.server.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.scepca.ca.config.DatabaseConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.store.Database;
import org.scepca.ca.store.StoreCopy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Maintenance of the embedded H2 database.",
        subcommands = {DbCommand.Compact.class, DbCommand.Migrate.class})
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
            var db = data.config().database();
            if (db.isPostgres()) {
                // The H2 file may still be there (kept as a backup by 'db migrate'): compacting it would be no help.
                throw new Errors.UserException("the store is PostgreSQL (db.url=" + org.scepca.ca.config.DatabaseConfig
                        .redact(db.url().get()) + "): PostgreSQL reclaims space itself (autovacuum; VACUUM FULL for a"
                        + " one-off rewrite); 'db compact' is for the embedded H2 store");
            }
            long t = System.nanoTime();
            long[] sizes = Database.compactH2(dir.databaseDir(), dir.secretsDir().resolve("db-password"));
            spec.commandLine().getOut().printf("compacted %s: %,d MiB -> %,d MiB in %.1f s%n", dir.databaseDir(),
                    sizes[0] >> 20, sizes[1] >> 20, (System.nanoTime() - t) / 1e9);
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Copy the embedded H2 store (certificates, revocations, CRL numbers, challenges, tokens,"
                    + " requests, ...) into an empty PostgreSQL database, verify the copy (row counts and a SHA-256 of"
                    + " every table, read back from both databases) and print the scepca.properties lines that move"
                    + " the server to it.",
                    "Run with the server stopped. The copy is one transaction: it commits only when verified, and"
                    + " after any failure the database is as empty as before, so the command can simply run again."
                    + " The H2 files are not changed and stay as a backup. No CA passphrase is needed."})
    static final class Migrate implements Callable<Integer> {
        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--to", required = true, paramLabel = "URL",
                description = "The empty target database: jdbc:postgresql://HOST:PORT/DATABASE (becomes db.url).")
        String url;

        @Option(names = "--user", defaultValue = "scepca", paramLabel = "ROLE",
                description = "PostgreSQL role that owns the database (becomes db.user). Default: ${DEFAULT-VALUE}")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "File whose first line is the role's password (becomes db.password-file). Else $"
                        + DatabaseConfig.PASSWORD_ENV + ".")
        Path passwordFile;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            CaDirectory dir = data.directory();
            // The same rules as the server's db.* keys, so what is printed at the end is what the server accepts.
            Properties p = new Properties();
            p.setProperty("db.url", url.strip());
            p.setProperty("db.user", user);
            if (passwordFile != null) {
                p.setProperty("db.password-file", passwordFile.toAbsolutePath().toString());
            }
            DatabaseConfig target = DatabaseConfig.from(p, Path.of("").toAbsolutePath(), System.getenv()).withPoolSize(2);
            // The H2 store first: while the server holds it, nothing is done to the target either.
            StoreCopy.Report report;
            try (Database h2 = Database.openH2Exclusive(dir.databaseDir(), dir.secretsDir().resolve("db-password"));
                    Database pg = Database.openPostgres(target)) {
                out.println("copying " + dir.databaseDir() + " to " + DatabaseConfig.redact(target.url().orElseThrow())
                        + " as " + target.user());
                report = StoreCopy.copy(h2, pg, out::println);
            }
            printTable(out, report);
            if (!report.verified()) {
                spec.commandLine().getErr().println("scepca: the copy differs from the H2 store in "
                        + String.join(", ", report.mismatched()) + ": nothing was committed, the PostgreSQL database is"
                        + " still empty; the H2 store is unchanged and the server can go on using it");
                return Errors.INTERNAL_ERROR;
            }
            printNextStep(out, dir, target);
            return 0;
        }

        private static void printTable(PrintWriter out, StoreCopy.Report report) {
            out.printf("%n%-20s %12s %12s  %-16s  %-16s  %s%n", "table", "H2 rows", "PG rows", "H2 SHA-256",
                    "PG SHA-256", "result");
            for (StoreCopy.TableCheck t : report.tables()) {
                out.printf("%-20s %,12d %,12d  %-16s  %-16s  %s%n", t.table(), t.sourceRows(), t.targetRows(),
                        t.sourceSha256().substring(0, 16), t.targetSha256().substring(0, 16),
                        t.matches() ? "ok" : "DIFFERS");
            }
            out.printf("%,d rows in %d tables, schema V%s (checksums compared in full, shown shortened)%n%n",
                    report.rows(), report.tables().size(), report.schemaVersion());
        }

        private void printNextStep(PrintWriter out, CaDirectory dir, DatabaseConfig target) {
            out.println("verified: every table matches. Next, with the server still stopped, add to " + dir.configFile()
                    + ":");
            out.println();
            out.println("  db.url=" + target.url().orElseThrow());
            out.println("  db.user=" + target.user());
            if (passwordFile != null) {
                Path file = passwordFile.toAbsolutePath().normalize();
                Path base = dir.configFile().toAbsolutePath().normalize().getParent();
                out.println("  db.password-file=" + (file.startsWith(base) ? base.relativize(file) : file));
            } else {
                out.println("  db.password-file=FILE   (or keep " + DatabaseConfig.PASSWORD_ENV
                        + " in the server's environment)");
            }
            out.println();
            out.println("then start the server: it uses PostgreSQL from then on. The H2 store in " + dir.databaseDir()
                    + " is left untouched: keep it as a backup of the state at the copy, and do not start a server on"
                    + " it again (certificates issued since would be missing from it).");
        }
    }
}
