package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.OnPostgres;
import org.scepca.ca.testing.TestStores;

/**
 * {@link EstCurlIT} on a real PostgreSQL database: the one-time challenge spent exactly once under 20 concurrent
 * enrollments, the renewal link and supersession, and the parked request an operator approves, all in PostgreSQL.
 */
@OnPostgres
class EstCurlOnPostgresIT extends EstCurlIT {
    @Test
    @Order(0)
    void theStoreIsPostgresql() {
        assertThat(TestStores.product(server.ca().database())).isEqualTo("PostgreSQL");
    }
}
