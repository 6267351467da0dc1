package org.scepca.ca.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

class DatabaseConfigTest {
    @TempDir
    Path dir;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void withoutUrlTheStoreIsTheEmbeddedH2() {
        DatabaseConfig c = DatabaseConfig.from(props("db.pool-size", "7"), dir, Map.of());
        assertThat(c.isPostgres()).isFalse();
        assertThat(c.poolSize()).isEqualTo(7);
        assertThat(CaConfig.from(props(), dir).database().isPostgres()).isFalse();
    }

    @Test
    void postgresWithThePasswordFromAFileRelativeToTheConfiguration() throws Exception {
        Files.writeString(dir.resolve("db.pw"), "s3cret\nignored second line\n");
        DatabaseConfig c = DatabaseConfig.from(props("db.url", "jdbc:postgresql://db1:5432,db2:5432/ca?targetServerType=primary",
                "db.user", "ca_app", "db.password-file", "db.pw"), dir, Map.of(DatabaseConfig.PASSWORD_ENV, "not-this"));
        assertThat(c.isPostgres()).isTrue();
        assertThat(c.user()).isEqualTo("ca_app");
        assertThat(c.password()).contains("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret").contains("db1:5432,db2:5432/ca?…");
    }

    @Test
    void postgresWithThePasswordFromTheEnvironment() {
        DatabaseConfig c = DatabaseConfig.from(props("db.url", "jdbc:postgresql://127.0.0.1/ca"), dir,
                Map.of(DatabaseConfig.PASSWORD_ENV, "from-env"));
        assertThat(c.user()).isEqualTo("scepca");
        assertThat(c.password()).contains("from-env");
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> DatabaseConfig.from(props("db.url", "jdbc:mysql://x/ca"), dir, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("db.url ");
        assertThatThrownBy(() -> DatabaseConfig.from(props("db.url", "jdbc:postgresql://x/ca?password=oops"), dir, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("db.url must not carry the password")
                .hasMessageNotContaining("oops");
        assertThatThrownBy(() -> DatabaseConfig.from(props("db.url", "jdbc:postgresql://x/ca", "db.password-file", "nope"),
                dir, Map.of())).isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("db.password-file: ");
        assertThatThrownBy(() -> DatabaseConfig.from(props("db.user", "x"), dir, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("db.user is set but db.url is not");
        assertThatThrownBy(() -> DatabaseConfig.from(props("db.url", "jdbc:postgresql://x/ca", "db.user", "a b"), dir,
                Map.of())).isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("db.user ");
    }
}
