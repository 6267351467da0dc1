package org.scepca.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar bench/target/scepca-bench.jar load|store-scale|jmh ...}; bench/run.sh wraps it. */
@Command(name = "scepca-bench", mixinStandardHelpOptions = true,
        description = "scepca benchmarks (see docs/performance.md)",
        subcommands = {LoadTest.class, StoreScale.class, BenchMain.Jmh.class})
public final class BenchMain implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "jmh", description = "JMH micro-benchmarks of the hot path; arguments go to JMH (e.g. -f 1 -wi 3 -i 5).")
    static final class Jmh implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Parameters(arity = "0..*") java.util.List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(args.toArray(new String[0]));
            return 0;
        }
    }
}
