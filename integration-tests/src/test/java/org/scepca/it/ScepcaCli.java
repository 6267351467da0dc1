package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.scepca.server.cli.Main;

/** The operator's side of a scenario: {@code scepca} commands in this process. */
final class ScepcaCli {
    private ScepcaCli() {
    }

    /** Runs {@code scepca args...}, asserts it succeeded, and returns what it printed. */
    static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("scepca %s: %s", String.join(" ", args), err).isZero();
        return out.toString();
    }
}
