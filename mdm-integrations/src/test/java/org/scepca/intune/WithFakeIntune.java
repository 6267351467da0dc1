package org.scepca.intune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.intune.fake.FakeIntune;

/**
 * A fresh {@link FakeIntune} per test, closed afterwards with its client; a test passes only if the fake saw no
 * contract violation (unless it provokes one on purpose).
 */
abstract class WithFakeIntune {
    static final String CALLER = "scepca/test endpoint=intune";
    static final byte[] CSR = TestCerts.csr("device");

    @TempDir
    Path dir;
    FakeIntune fake;
    IntuneClient client;
    /** Set by a test that shows the fake catching a misbehaving client. */
    boolean violationsExpected;

    @BeforeEach
    void startFake() {
        fake = FakeIntune.start();
    }

    @AfterEach
    void stopFake() {
        if (client != null) {
            client.close();
        }
        fake.close();
        if (!violationsExpected) {
            assertThat(fake.violations()).as(fake.toString()).isEmpty();
        }
    }

    /** The IntuneUnavailableException {@code call} throws. */
    static IntuneUnavailableException unavailable(Runnable call) {
        try {
            call.run();
        } catch (IntuneUnavailableException e) {
            return e;
        }
        throw new AssertionError("expected IntuneUnavailableException");
    }
}
