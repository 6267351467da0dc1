package org.scepca.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The endpoint label is one of a fixed set of areas, never the raw path: ACME's order and account ids included. */
class HttpMetricsAreaTest {
    @Test
    void pathsMapToAreas() {
        assertThat(HttpMetricsFilter.endpoint("/acme/web/directory")).isEqualTo("acme");
        assertThat(HttpMetricsFilter.endpoint("/acme/web/order/f09xl2qrknb8_SZ4KMFq6g/finalize")).isEqualTo("acme");
        assertThat(HttpMetricsFilter.endpoint("/scep/devices")).isEqualTo("scep");
        assertThat(HttpMetricsFilter.endpoint("/acmeish")).isEqualTo("other");
    }
}
