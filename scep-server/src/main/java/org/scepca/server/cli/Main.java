package org.scepca.server.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scepca}: the one entry point for the server and every admin command. */
@Command(name = "scepca", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "SCEP certificate authority for Apple device fleets.",
        subcommands = {InitCommand.class, ServeCommand.class, CaCommand.class, CertCommand.class,
                ChallengeCommand.class, RequestCommand.class, ProfileCommand.class, NginxConfigCommand.class,
                NginxMapCommand.class, P12Command.class, AdminCommand.class, DbCommand.class, NotifyCommand.class,
                AcmeCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before anything loads H2: its AUTO_SERVER listener (the CLI's way into the server's open store) binds to
        // this address, read once. Loopback only, also when the jar is started without jvm.options.
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line; returns the exit code. Errors print one line, never a stack trace. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors(org.scepca.ca.config.ConfigEnvironment.system()));
        cl.setExecutionStrategy(parsed -> {
            // The crypto providers are registered for commands that sign, decrypt or make keys; a listing, help or the
            // version does without them (loading them is a third of a second of a short command's life).
            if (needsCrypto(parsed)) {
                Providers.register();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cl.execute(args);
        } finally {
            // An auto-flushing PrintWriter flushes on println only: output a command ends with print (a PEM) would
            // otherwise stay in the buffer when main calls System.exit ('cert show --pem' printed nothing).
            out.flush();
            err.flush();
        }
    }

    /** The command tree, without streams or handlers: what completion scripts and the help-text test walk. */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    private static boolean needsCrypto(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            if (leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested()) {
                return false;
            }
            leaf = leaf.subcommand();
        }
        Object command = leaf.commandSpec().userObject();
        return !(leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested() || command instanceof ReadOnly
                || command instanceof Main || command instanceof CommandLine.HelpCommand);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The release and the commit it was built from, from {@code build.properties} that the build writes
     * (scep-server/pom.xml: {@code git describe} at build time; "unknown" when built outside a git checkout).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            java.util.Properties p = new java.util.Properties();
            try (var in = Main.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                // fall through to the defaults: --version never fails
            }
            return new String[] {"scepca " + p.getProperty("version", "dev") + " (commit " + p.getProperty("commit", "unknown")
                    + ", Java " + Runtime.version() + ")"};
        }
    }
}
