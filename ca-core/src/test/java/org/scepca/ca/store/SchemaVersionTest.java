package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only path skips Flyway only for a store at this build's newest migration, and migrates any other. */
class SchemaVersionTest {
    @Test
    void newestMigrationIsTheHighestVersionedFileOnTheClassPath() throws Exception {
        Path dir = Path.of(SchemaVersion.class.getClassLoader().getResource("db/migration").toURI());
        int highest;
        try (Stream<Path> files = Files.list(dir)) {
            highest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertThat(SchemaVersion.newestOnClassPath()).hasValue(highest);
    }

    @Test
    void aNewStoreIsNotCurrentAndTheReaderMigratesIt(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("db");
        Path pw = tmp.resolve("secrets/db-password");
        Files.createDirectories(pw.getParent());
        // An empty database (no flyway_schema_history): not current, so the reader runs Flyway like any open.
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:mem:schema-version-test;DB_CLOSE_DELAY=-1");
                Statement s = c.createStatement()) {
            var ds = new org.h2.jdbcx.JdbcDataSource();
            ds.setURL("jdbc:h2:mem:schema-version-test");
            assertThat(SchemaVersion.isCurrent(ds)).isFalse();
            s.execute("CREATE TABLE flyway_schema_history (version VARCHAR(50), success BOOLEAN)");
            s.execute("INSERT INTO flyway_schema_history VALUES (NULL, TRUE), ('1', TRUE), ('2', FALSE)");
            assertThat(SchemaVersion.isCurrent(ds)).as("only V1 applied").isFalse();
        }
        try (Database d = Database.openH2ForReading(db, pw)) {
            assertThat(SchemaVersion.isCurrent(d.dataSource())).isTrue();
            try (var c = d.connection(); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM certificates")) {
                assertThat(rs.next()).isTrue();
            }
        }
        // Opened again: current now, so Flyway is skipped and the store reads the same.
        try (Database d = Database.openH2ForReading(db, pw)) {
            assertThat(SchemaVersion.isCurrent(d.dataSource())).isTrue();
        }
    }
}
