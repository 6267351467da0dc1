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
                CommandLine.HelpCommand.class})
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
        Providers.register();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors(org.scepca.ca.config.ConfigEnvironment.system()));
        try {
            return cl.execute(args);
        } finally {
            // An auto-flushing PrintWriter flushes on println only: output a command ends with print (a PEM) would
            // otherwise stay in the buffer when main calls System.exit ('cert show --pem' printed nothing).
            out.flush();
            err.flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"scepca " + (v == null ? "dev" : v)};
        }
    }
}
