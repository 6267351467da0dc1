package org.scepca.ca.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Set;

import org.h2.mvstore.MVStore;
import org.scepca.ca.pem.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an embedded store folder to what this release expects before H2 opens it: owner-only permissions, no
 * trace file, and encryption at rest. A store made by an earlier release (plain file, world-readable, a trace file
 * holding refused subjects) is upgraded in place on first start, after a copy of the original is kept under
 * {@code backups/} next to the {@code db} folder.
 *
 * <p>Encryption is H2's own ({@code CIPHER=AES}: XTS-AES over the file), with a random 256-bit key in
 * {@code secrets/db-key}. It protects a copied or stolen database file (a backup, a disk image) that is taken
 * without the secrets folder; it does not protect against someone who can read {@code secrets/}, which is why that
 * folder is owner-only.
 */
final class H2Upgrade {
    private static final Logger LOG = LoggerFactory.getLogger(H2Upgrade.class);
    static final String KEY_FILE = "db-key";
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final byte[] PLAIN_HEADER = "H:2,".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private H2Upgrade() {
    }

    /**
     * Prepares {@code dir} and returns the file encryption key (creating it for a new store).
     *
     * @throws StoreException if the store is encrypted and its key is missing, or a step fails
     */
    static String prepare(Path dir, Path keyFile, String name, String password) {
        try {
            SecureFiles.createPrivateDirectories(dir);
            restrict(dir, OWNER_DIR);
            Path db = dir.resolve(name + ".mv.db");
            restrictFiles(dir, name);
            // H2's trace file logs failed statements with their values (refused subjects, challenge hashes).
            Files.deleteIfExists(dir.resolve(name + ".trace.db"));
            Files.deleteIfExists(dir.resolve(name + ".trace.db.old"));

            boolean exists = Files.isRegularFile(db) && Files.size(db) > 0;
            if (!Files.isRegularFile(keyFile)) {
                if (exists && !isPlain(db)) {
                    throw new StoreException("the database " + db + " is encrypted but its key " + keyFile
                            + " is missing; restore it from your backup of the secrets folder");
                }
                byte[] k = new byte[32];
                new SecureRandom().nextBytes(k);
                SecureFiles.createOwnerOnly(keyFile, HexFormat.of().formatHex(k).getBytes(StandardCharsets.US_ASCII));
            }
            restrict(keyFile, OWNER_FILE);
            String key = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
            if (key.isEmpty() || key.indexOf(' ') >= 0) {
                throw new StoreException("the database key file " + keyFile + " is empty or malformed");
            }
            if (exists && isPlain(db)) {
                encryptInPlace(dir, db, name, key);
            }
            return key;
        } catch (IOException e) {
            throw new StoreException("cannot prepare the database folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Owner-only permissions on the store's files (the folder is owner-only too: this is the second fence). */
    static void restrictFiles(Path dir, String name) {
        try {
            for (String suffix : new String[] {".mv.db", ".lock.db"}) {
                restrict(dir.resolve(name + suffix), OWNER_FILE);
            }
        } catch (IOException e) {
            throw new StoreException("cannot restrict the database files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The folder where upgrades keep a copy of what they changed: {@code backups/} beside {@code db/}. */
    static Path backupsDir(Path dir) {
        return dir.toAbsolutePath().getParent().resolve("backups");
    }

    static Path newBackupDir(Path dir, String why) throws IOException {
        Path b = backupsDir(dir).resolve(STAMP.format(Instant.now()) + "-" + why);
        SecureFiles.createPrivateDirectories(backupsDir(dir));
        restrict(backupsDir(dir), OWNER_DIR);
        Files.createDirectories(b);
        restrict(b, OWNER_DIR);
        return b;
    }

    private static void encryptInPlace(Path dir, Path db, String name, String key) throws IOException {
        // Recover first, on the plain file: the copy below is block for block, so it would carry a bad header over.
        H2Recovery.recoverIfUnclean(db, java.util.Optional.empty());
        Path backup = newBackupDir(dir, "before-encryption").resolve(db.getFileName());
        Files.copy(db, backup, StandardCopyOption.COPY_ATTRIBUTES);
        restrict(backup, OWNER_FILE);
        try (var ch = java.nio.channels.FileChannel.open(backup, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        LOG.warn("encrypting the database {} at rest (key in secrets/{}); the unencrypted original is kept in {}:"
                + " delete it once the server runs as it should", db, KEY_FILE, backup.getParent());
        try {
            // H2's tool: copies the file through its encrypting file system, then replaces the original.
            org.h2.tools.ChangeFileEncryption.execute(dir.toString(), name, "AES", null, key.toCharArray(), true);
        } catch (SQLException e) {
            throw new StoreException("encrypting the database failed (the original is in " + backup + "): "
                    + e.getMessage(), e);
        }
        restrict(db, OWNER_FILE);
        // Proof that the encrypted file opens with the key before anything else touches it.
        MVStore check = new MVStore.Builder().fileName(db.toString()).encryptionKey(key.toCharArray()).readOnly().open();
        check.closeImmediately();
    }

    private static boolean isPlain(Path db) throws IOException {
        byte[] head = new byte[PLAIN_HEADER.length];
        try (InputStream in = Files.newInputStream(db)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return false;
            }
        }
        return java.util.Arrays.equals(head, PLAIN_HEADER);
    }

    static void restrict(Path p, Set<PosixFilePermission> perms) throws IOException {
        if (Files.exists(p) && p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, perms);
        }
    }
}
