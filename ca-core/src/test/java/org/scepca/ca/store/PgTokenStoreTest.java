package org.scepca.ca.store;

import org.scepca.ca.testing.PgCluster;

/** The token store contract on a real PostgreSQL server. */
class PgTokenStoreTest extends TokenStoreContractTest {
    @Override
    protected Database openDatabase() {
        return Database.open(PgCluster.shared().newDatabase(), PgCluster.USER, PgCluster.PASSWORD, 2);
    }
}
