package org.scepca.intune;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

import org.scepca.intune.fake.FakeIntune;

/** A client configured against a {@link FakeIntune}: fake trust, short backoff, optional overrides. */
final class Fixture {
    private Fixture() {
    }

    /** @param overrides key=value pairs over the fake's own keys */
    static IntuneConfig config(FakeIntune fake, Path dir, String... overrides) throws IOException {
        Properties p = fake.properties(dir);
        p.setProperty("intune.retries", "2");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            p.setProperty(o.substring(0, eq), o.substring(eq + 1));
        }
        return IntuneConfig.from(p, dir).orElseThrow();
    }

    static IntuneClient client(FakeIntune fake, Path dir, Clock clock, String... overrides) throws IOException {
        return IntuneClient.builder(config(fake, dir, overrides)).sslContext(fake.clientSslContext()).clock(clock)
                .retryBackoff(Duration.ofMillis(10)).build();
    }

    static IntuneClient client(FakeIntune fake, Path dir, String... overrides) throws IOException {
        return client(fake, dir, Clock.systemUTC(), overrides);
    }
}
