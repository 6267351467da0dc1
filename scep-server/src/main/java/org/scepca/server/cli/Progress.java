package org.scepca.server.cli;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * Progress of a batch: on a terminal one bar redrawn in place on stderr ({@code \r}); otherwise (a pipe, a log, a
 * cron job) one plain line per item on stdout, which greps and diffs well.
 */
final class Progress {
    private static final int WIDTH = 30;
    private final boolean terminal;
    private final PrintWriter out;
    private final PrintWriter err;

    Progress(boolean terminal, PrintWriter out, PrintWriter err) {
        this.terminal = terminal;
        this.out = Objects.requireNonNull(out, "out is null");
        this.err = Objects.requireNonNull(err, "err is null");
    }

    /** A terminal when both ends of the console are one (System.console() is null when piped). */
    static Progress of(picocli.CommandLine.Model.CommandSpec spec) {
        return new Progress(System.console() != null, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Item {@code index} of {@code total} is done; {@code line} says how (shown as is when not a terminal). */
    void step(int index, int total, String line) {
        if (!terminal) {
            out.println("[" + index + "/" + total + "] " + line);
            out.flush();
            return;
        }
        err.print("\r" + bar(index, total));
        if (index == total) {
            err.println();
        }
        err.flush();
    }

    /** A line that must stay visible above the bar (a failure). */
    void note(String line) {
        if (terminal) {
            err.print("\r\033[K");
        }
        err.println(line);
        err.flush();
    }

    static String bar(int index, int total) {
        int filled = total == 0 ? WIDTH : (int) ((long) index * WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + index + "/" + total
                + " (" + (total == 0 ? 100 : index * 100L / total) + " %)";
    }
}
