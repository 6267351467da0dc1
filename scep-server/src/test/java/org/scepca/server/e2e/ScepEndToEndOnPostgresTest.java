package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.OnPostgres;
import org.scepca.ca.testing.TestStores;

/**
 * Every test of {@link ScepEndToEndTest} (enrollment with a one-time challenge, reuse refused, retransmission returns
 * the stored certificate, renewal supersedes, revocation reaches GetCRL and the CRL file) with the server on a real
 * PostgreSQL database instead of the H2 file.
 */
@OnPostgres
class ScepEndToEndOnPostgresTest extends ScepEndToEndTest {
    @Test
    void theStoreIsPostgresql() {
        assertThat(TestStores.product(server.ca().database())).isEqualTo("PostgreSQL");
    }
}
