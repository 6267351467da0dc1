package org.scepca.ca.testing;

import java.util.Properties;

/** Configuration in one line: {@code TestProperties.of("endpoint.x.auth", "one-time", "endpoint.x.est", "true")}. */
public final class TestProperties {
    private TestProperties() {
    }

    /** @param kv keys and values, alternating */
    public static Properties of(String... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }
}
