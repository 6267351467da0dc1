package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data folder made by the previous release (the crash-prone fixture: plain H2 file, world-readable folder, a trace
 * file) is upgraded in place on first open: backed up, encrypted at rest, owner-only, trace file gone — and every row
 * it held is still there.
 */
class DataFolderUpgradeTest {
    @TempDir
    Path tmp;

    @Test
    void previousReleaseFolderIsBackedUpEncryptedAndRestrictedWithNothingLost() throws Exception {
        Path data = H2CrashRecoveryTest.extractFixture(tmp);
        Path dbDir = data.resolve("db");
        Path pwFile = data.resolve("secrets/db-password");
        Path file = dbDir.resolve("scepca.mv.db");
        String password = Files.readString(pwFile).strip();
        Files.writeString(dbDir.resolve("scepca.trace.db"), "refused subject CN=evil\n");
        assertThat(new String(Files.readAllBytes(file), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("H:2,");

        // What the old release sees, read the old way (plain URL, read-only so nothing changes).
        List<Long> before = counts(DriverManager.getConnection("jdbc:h2:file:" + dbDir.resolve("scepca")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;ACCESS_MODE_DATA=r", "scepca", password));
        assertThat(before.get(0)).isGreaterThan(4000);

        try (Database db = Database.openH2(dbDir, pwFile, 2)) {
            assertThat(counts(db.connection())).isEqualTo(before);
            assertThat(db.ownsStore()).isTrue();
        }
        // Encrypted at rest: H2's encrypting file header, and no plain text of a known row left in the file.
        assertThat(new String(Files.readAllBytes(file), 0, 9, StandardCharsets.US_ASCII)).isEqualTo("H2encrypt");
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain("scepca Issuing CA");
        assertThat(dbDir.resolve("scepca.trace.db")).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dbDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets/db-key"))))
                .isEqualTo("rw-------");
        // The original is kept, owner-only, byte for byte readable by the old URL.
        Path backups = data.resolve("backups");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backups))).isEqualTo("rwx------");
        Path backup;
        try (var s = Files.list(backups)) {
            backup = s.filter(p -> p.getFileName().toString().endsWith("-before-encryption")).findFirst().orElseThrow();
        }
        assertThat(backup.resolve("scepca.mv.db")).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.resolve("scepca.mv.db"))))
                .isEqualTo("rw-------");

        // A second open changes nothing more and still sees everything.
        long backupsAfterUpgrade;
        try (var s = Files.list(backups)) {
            backupsAfterUpgrade = s.count();
        }
        try (Database db = Database.openH2(dbDir, pwFile, 2)) {
            assertThat(counts(db.connection())).isEqualTo(before);
        }
        try (var s = Files.list(backups)) {
            assertThat(s.count()).isEqualTo(backupsAfterUpgrade);
        }
    }

    private static List<Long> counts(Connection c) throws Exception {
        List<Long> out = new ArrayList<>();
        try (c; Statement st = c.createStatement()) {
            for (String t : new String[] {"certificates", "requests", "challenges", "revocations", "admin_tokens"}) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }
}
