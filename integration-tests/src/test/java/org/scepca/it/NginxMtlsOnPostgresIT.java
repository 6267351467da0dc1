package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.scepca.ca.testing.OnPostgres;
import org.scepca.ca.testing.TestStores;

/**
 * {@link NginxMtlsIT} with the server and the CLI on a real PostgreSQL database (db.url, db.user, db.password-file in
 * scepca.properties): enrollment over SCEP with a one-time challenge, OCSP good, `scepca cert revoke` reaching the
 * CRL nginx reloads and the OCSP answer, a renewal's superseded certificate on the CRL before the renewal's SUCCESS.
 */
@OnPostgres
class NginxMtlsOnPostgresIT extends NginxMtlsIT {
    @Test
    @Order(0)
    void theStoreIsPostgresql() {
        assertThat(TestStores.product(server.ca().database())).isEqualTo("PostgreSQL");
    }
}
