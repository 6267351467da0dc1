package org.scepca.ca.store;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on a real H2 file database, as the server runs it. */
class H2StoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Database openDatabase() {
        return Database.openH2(dir.resolve("db"), dir.resolve("secrets/db-password"), 4);
    }

    @Test
    void dataSurvivesReopeningTheFile() {
        challenges.insert(new ChallengeRecord("id-1", "persisted", java.time.Instant.now(),
                java.time.Instant.now().plusSeconds(60), java.util.Optional.empty(), java.util.Optional.empty()));
        db.close();
        db = openDatabase();
        assertThat(new JdbcChallengeStore(db).findBySecretHash("persisted")).isPresent();
    }
}
