package org.scepca.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The diagnosis a hang finding carries (see StallReport); that it tells starvation from a stall is checked by hand. */
class StallReportTest {
    private static final Pattern LINE = Pattern.compile("\\[in the last ([0-9.]+) s this JVM's threads ran ([0-9.]+) s"
            + " on a CPU and waited ([0-9.]+) s runnable in the run queue(?: \\(starved by the machine\\))?; GC ([0-9.]+)"
            + " s\\] \\[heap \\d+ of \\d+ MB\\]");

    @Test
    void describesTheWaitAndTheServerThreadsThatWereNotIdle() throws Exception {
        StallReport.start();
        CountDownLatch never = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scepca-stuck-for-the-test");
        stuck.start();
        try {
            long end = System.nanoTime() + 2_500_000_000L;
            long spin = 0;
            while (System.nanoTime() < end) {
                spin++; // on a CPU for the whole wait
            }
            String report = StallReport.describe(1000);
            Matcher m = LINE.matcher(report);
            assertThat(m.find()).as(report).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as("the window reaches back to a sample from before the wait")
                    .isBetween(1.0, 3.0);
            // Spinning for the whole window, this thread alone is a core's worth when it has one; a machine busy with
            // other test JVMs (or fuzzing lanes) gives it less, so the bound only says that its CPU time is counted.
            assertThat(Double.parseDouble(m.group(2))).as("this thread spun through it").isGreaterThan(0.05);
            assertThat(report).as("a server thread waiting without a timeout is listed with its stack")
                    .contains("\"scepca-stuck-for-the-test\"").contains("WAITING").contains("CountDownLatch.await");
            assertThat(spin).isPositive();
        } finally {
            never.countDown();
            stuck.join();
        }
    }
}
