package org.scepca.ca.store;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

/**
 * Whether a store's schema is at the newest migration this build carries, found without Flyway: the highest
 * {@code V<n>__*.sql} under {@code db/migration} on the class path against the highest successful version in
 * {@code flyway_schema_history}. Loading and running Flyway to learn that nothing is pending cost a read-only CLI
 * command over a second; this is a directory listing and one query. Anything it cannot tell for sure (no history, a
 * repeatable or Java migration, an unreadable class path) answers "not current", and the caller runs Flyway as always.
 */
final class SchemaVersion {
    private static final String LOCATION = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__[^/]*\\.sql");

    private SchemaVersion() {
    }

    static boolean isCurrent(DataSource ds) {
        OptionalInt newest = newestOnClassPath();
        if (newest.isEmpty()) {
            return false;
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success = TRUE"
                        + " AND version IS NOT NULL")) {
            int applied = -1;
            while (rs.next()) {
                String v = rs.getString(1);
                if (!v.matches("\\d+")) {
                    return false; // a version scheme this check does not know
                }
                applied = Math.max(applied, Integer.parseInt(v));
            }
            return applied == newest.getAsInt();
        } catch (SQLException | RuntimeException e) {
            return false; // no history table yet (a new store), or anything odd: let Flyway decide
        }
    }

    /** The highest versioned migration on the class path; empty when that cannot be told for sure. */
    static OptionalInt newestOnClassPath() {
        URL url = SchemaVersion.class.getClassLoader().getResource(LOCATION);
        if (url == null) {
            return OptionalInt.empty();
        }
        try {
            Stream<String> names;
            if (url.getProtocol().equals("jar")) {
                JarURLConnection jar = (JarURLConnection) url.openConnection();
                jar.setUseCaches(true); // the class loader's open JarFile: no second read of the central directory
                names = jar.getJarFile().stream().map(e -> e.getName())
                        .filter(n -> n.startsWith(LOCATION + "/") && n.length() > LOCATION.length() + 1)
                        .map(n -> n.substring(LOCATION.length() + 1));
            } else if (url.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    names = files.map(p -> p.getFileName().toString()).toList().stream();
                }
            } else {
                return OptionalInt.empty();
            }
            int newest = -1;
            for (String n : names.toList()) {
                Matcher m = VERSIONED.matcher(n);
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                } else if (!n.isEmpty() && !n.endsWith("/")) {
                    return OptionalInt.empty(); // R__ or anything else Flyway might apply
                }
            }
            return newest < 0 ? OptionalInt.empty() : OptionalInt.of(newest);
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
