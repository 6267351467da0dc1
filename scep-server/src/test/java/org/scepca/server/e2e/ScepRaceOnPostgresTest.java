package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.OnPostgres;
import org.scepca.ca.testing.TestStores;

/**
 * The races of {@link ScepRaceTest} on PostgreSQL, whose READ COMMITTED isolation differs from H2's: a one-time
 * challenge still issues one certificate however many requests race for it, a certificate is renewed once, and
 * copies of one message get the same certificate.
 */
@OnPostgres
class ScepRaceOnPostgresTest extends ScepRaceTest {
    @Test
    void theStoreIsPostgresql() {
        assertThat(TestStores.product(server.ca().database())).isEqualTo("PostgreSQL");
    }
}
