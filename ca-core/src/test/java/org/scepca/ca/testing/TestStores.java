package org.scepca.ca.testing;

import java.sql.Connection;
import java.sql.SQLException;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.store.Database;

/** The store a scenario's server runs on: H2 as written, PostgreSQL for a subclass marked {@link OnPostgres}. */
public final class TestStores {
    private TestStores() {
    }

    /** {@code base} as it is, or on a new PostgreSQL database when {@code testClass} is annotated {@link OnPostgres}. */
    public static CaConfig configFor(Class<?> testClass, CaConfig base) {
        if (!testClass.isAnnotationPresent(OnPostgres.class)) {
            return base;
        }
        return base.withDatabase(PgCluster.databaseConfig(PgCluster.shared().newDatabase()));
    }

    /** The product behind {@code db} ("PostgreSQL", "H2"): a scenario marked {@link OnPostgres} checks it really is. */
    public static String product(Database db) {
        try (Connection c = db.connection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("database error: " + e.getSQLState(), e);
        }
    }
}
