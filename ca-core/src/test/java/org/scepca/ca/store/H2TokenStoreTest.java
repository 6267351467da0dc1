package org.scepca.ca.store;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** The token store contract on a real H2 file database. */
class H2TokenStoreTest extends TokenStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Database openDatabase() {
        return Database.openH2(dir.resolve("db"), dir.resolve("secrets/db-password"), 2);
    }
}
