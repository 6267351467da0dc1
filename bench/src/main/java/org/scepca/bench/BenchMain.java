package org.scepca.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar bench/target/scepca-bench.jar load|store-scale|jmh ...}; bench/run.sh wraps it. */
@Command(name = "scepca-bench", mixinStandardHelpOptions = true,
        description = "scepca benchmarks (see docs/performance.md)",
        subcommands = {LoadTest.class, StoreScale.class, BenchMain.Jmh.class})
public final class BenchMain implements Runnable {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            // JMH parses its own options (-f, -wi, -i, regexps); picocli would reject them.
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Listed for --help only: main() hands "jmh ..." to JMH before picocli sees it. */
    @Command(name = "jmh", description = "JMH micro-benchmarks of the hot path (HotPathBenchmark); arguments go to JMH,"
            + " e.g. jmh -f 1 -wi 3 -i 5 HotPath, or jmh -h")
    static final class Jmh implements Runnable {
        @Override
        public void run() {
            // never reached
        }
    }
}
