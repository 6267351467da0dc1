package org.scepca.ca.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.flywaydb.core.api.MigrationVersion;

/**
 * The tables of a store as JDBC metadata describes them, so that {@link StoreCopy} copies whatever the migrations
 * have created (tables and columns added by later migrations included) without a list of its own to keep up to date.
 */
final class StoreSchema {
    /** Flyway's own bookkeeping: each database keeps its own, written by its own migrations. */
    static final String FLYWAY_HISTORY = "flyway_schema_history";

    /** The value types a column's content is read, written and checksummed as. */
    enum Kind {
        TEXT, INTEGER, BOOLEAN, DECIMAL, FLOAT, TIMESTAMP_TZ, TIMESTAMP, DATE, TIME, BINARY, OTHER
    }

    record Column(String name, int jdbcType, String typeName, Kind kind) {
        Column {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(typeName, "typeName is null");
            Objects.requireNonNull(kind, "kind is null");
        }
    }

    /**
     * @param primaryKey the key's columns in key order; empty when the table has none (then rows are ordered by all
     *                   columns for the checksum)
     * @param parents    the tables its foreign keys reference (itself excluded)
     */
    record Table(String name, List<Column> columns, List<String> primaryKey, Set<String> parents) {
        Table {
            Objects.requireNonNull(name, "name is null");
            columns = List.copyOf(columns);
            primaryKey = List.copyOf(primaryKey);
            parents = Set.copyOf(parents);
        }

        Optional<Column> column(String columnName) {
            return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
        }

        /** The columns rows are ordered by: the primary key, or every column. */
        List<Column> orderColumns() {
            return primaryKey.isEmpty() ? columns : primaryKey.stream().map(k -> column(k).orElseThrow()).toList();
        }
    }

    private final boolean postgres;
    private final String quote;
    private final Map<String, Table> tables;

    private StoreSchema(boolean postgres, String quote, Map<String, Table> tables) {
        this.postgres = postgres;
        this.quote = quote;
        this.tables = tables;
    }

    /** Reads every table of the connection's current schema except Flyway's history. */
    static StoreSchema read(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        boolean postgres = md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        String schema = c.getSchema();
        String esc = md.getSearchStringEscape();
        Map<String, Table> tables = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, schema, "%", null)) {
            while (rs.next()) {
                String type = rs.getString("TABLE_TYPE");
                String name = rs.getString("TABLE_NAME");
                // H2 2.x says BASE TABLE, PostgreSQL TABLE; views, indexes and sequences are not data to copy.
                if (("TABLE".equals(type) || "BASE TABLE".equals(type)) && !name.equalsIgnoreCase(FLYWAY_HISTORY)) {
                    names.add(name);
                }
            }
        }
        for (String name : names) {
            String pattern = escape(name, esc);
            List<Column> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, schema, pattern, "%")) {
                TreeMap<Integer, Column> byPosition = new TreeMap<>();
                while (rs.next()) {
                    if (!name.equals(rs.getString("TABLE_NAME"))) {
                        continue;
                    }
                    int type = rs.getInt("DATA_TYPE");
                    String typeName = Objects.requireNonNullElse(rs.getString("TYPE_NAME"), "");
                    byPosition.put(rs.getInt("ORDINAL_POSITION"), new Column(rs.getString("COLUMN_NAME"), type, typeName,
                            kind(type, typeName)));
                }
                columns.addAll(byPosition.values());
            }
            TreeMap<Integer, String> key = new TreeMap<>();
            try (ResultSet rs = md.getPrimaryKeys(null, schema, name)) {
                while (rs.next()) {
                    key.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                }
            }
            Set<String> parents = new TreeSet<>();
            try (ResultSet rs = md.getImportedKeys(null, schema, name)) {
                while (rs.next()) {
                    String parent = rs.getString("PKTABLE_NAME");
                    if (!parent.equals(name)) {
                        parents.add(parent);
                    }
                }
            }
            tables.put(name, new Table(name, columns, List.copyOf(key.values()), parents));
        }
        return new StoreSchema(postgres, md.getIdentifierQuoteString().strip(), tables);
    }

    private static String escape(String name, String esc) {
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }

    static Kind kind(int jdbcType, String typeName) {
        String t = typeName.toLowerCase(Locale.ROOT);
        return switch (jdbcType) {
            case java.sql.Types.CHAR, java.sql.Types.VARCHAR, java.sql.Types.LONGVARCHAR, java.sql.Types.NCHAR,
                    java.sql.Types.NVARCHAR, java.sql.Types.LONGNVARCHAR, java.sql.Types.CLOB, java.sql.Types.NCLOB -> Kind.TEXT;
            case java.sql.Types.TINYINT, java.sql.Types.SMALLINT, java.sql.Types.INTEGER, java.sql.Types.BIGINT -> Kind.INTEGER;
            // PostgreSQL's driver reports boolean as BIT
            case java.sql.Types.BOOLEAN, java.sql.Types.BIT -> Kind.BOOLEAN;
            case java.sql.Types.NUMERIC, java.sql.Types.DECIMAL -> Kind.DECIMAL;
            case java.sql.Types.REAL, java.sql.Types.FLOAT, java.sql.Types.DOUBLE -> Kind.FLOAT;
            case java.sql.Types.TIMESTAMP_WITH_TIMEZONE -> Kind.TIMESTAMP_TZ;
            // PostgreSQL's driver reports timestamptz as TIMESTAMP; only the type name tells them apart
            case java.sql.Types.TIMESTAMP -> t.contains("tz") || t.contains("time zone") ? Kind.TIMESTAMP_TZ : Kind.TIMESTAMP;
            case java.sql.Types.DATE -> Kind.DATE;
            case java.sql.Types.TIME -> Kind.TIME;
            case java.sql.Types.BINARY, java.sql.Types.VARBINARY, java.sql.Types.LONGVARBINARY, java.sql.Types.BLOB -> Kind.BINARY;
            default -> Kind.OTHER;
        };
    }

    boolean isPostgres() {
        return postgres;
    }

    Optional<Table> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }

    Set<String> tableNames() {
        return tables.keySet();
    }

    String quote(String identifier) {
        return quote.isEmpty() ? identifier : quote + identifier.replace(quote, quote + quote) + quote;
    }

    /**
     * The tables with every table after the tables its foreign keys reference (certificates before revocations,
     * admin_certificates and mdm_reports), alphabetical where the keys leave a choice, so runs are repeatable.
     */
    List<Table> inDependencyOrder() {
        List<Table> ordered = new ArrayList<>();
        Set<String> placed = new TreeSet<>();
        Map<String, Table> left = new LinkedHashMap<>(tables);
        while (!left.isEmpty()) {
            Optional<Table> next = left.values().stream()
                    .filter(t -> t.parents().stream().allMatch(p -> placed.contains(p) || !tables.containsKey(p)))
                    .findFirst();
            if (next.isEmpty()) {
                throw new StoreException("the foreign keys of tables " + left.keySet() + " form a cycle: no order copies"
                        + " parents before children");
            }
            ordered.add(next.get());
            placed.add(next.get().name());
            left.remove(next.get().name());
        }
        return ordered;
    }

    /** The newest successfully applied Flyway migration, or empty for a database without Flyway's history. */
    static Optional<MigrationVersion> schemaVersion(Connection c) throws SQLException {
        MigrationVersion newest = null;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM " + FLYWAY_HISTORY
                        + " WHERE success = TRUE AND version IS NOT NULL")) {
            while (rs.next()) {
                MigrationVersion v = MigrationVersion.fromVersion(rs.getString(1));
                if (newest == null || v.compareTo(newest) > 0) {
                    newest = v;
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || e.getErrorCode() == 42102) { // no such table: PostgreSQL, H2
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(newest);
    }
}
