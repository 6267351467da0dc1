package org.scepca.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 11, "Durability": an acknowledgement means the row survives SIGKILL. Runs {@link CrashHarness} against the
 * real server process (10 rounds by default; {@code -Dcrash.rounds=200} for a soak, see bench/crash-soak.sh) and
 * fails on any certificate, revocation, challenge or token the server acknowledged and then lost, on a spent
 * challenge that enrolls again, on a CRL that does not verify or lacks an acknowledged revocation, and on a server
 * that does not start.
 */
class CrashHarnessIT {
    @Test
    void nothingAcknowledgedIsLostToSigkill() throws Exception {
        var root = Scepca.repoRoot();
        var settings = CrashHarness.Settings.fromSystemProperties(root);
        CrashHarness.Totals totals = new CrashHarness(settings, new Scepca(root), System.out).run();
        assertThat(totals.certificatesAcknowledged).as("the load got certificates at all").isPositive();
        assertThat(totals.lossFree()).as("crash rounds (seed %d; rerun with -Dcrash.seed=%d):%n%s", settings.seed(),
                settings.seed(), totals.figures()).isTrue();
    }
}
