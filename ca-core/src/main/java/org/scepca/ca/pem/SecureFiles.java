package org.scepca.ca.pem;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files written so that a reader never sees half of one, and secrets with owner-only permissions. */
public final class SecureFiles {
    private SecureFiles() {
    }

    /** Writes to a temporary sibling, forces it to disk, then renames over the target: readers see old or new, never half. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        write(target, content, false);
    }

    /** Like {@link #writeAtomically} with permissions rw------- from the moment the file exists. */
    public static void writeOwnerOnly(Path target, byte[] content) throws IOException {
        write(target, content, true);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (ownerOnly) {
            createPrivateDirectories(dir);
        } else {
            Files.createDirectories(dir);
        }
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        Files.deleteIfExists(tmp);
        if (ownerOnly && supportsPosix(dir)) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(dir);
    }

    /** The rename itself is a change to the folder: without this a power loss can bring the old file back. */
    private static void syncDirectory(Path dir) {
        try (var ch = java.nio.channels.FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform lets a folder be opened (Windows); the file itself was forced above.
        }
    }

    /** Creates a new owner-only file; refuses to overwrite one that exists. */
    public static void createOwnerOnly(Path target, byte[] content) throws IOException {
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        writeOwnerOnly(target, content);
    }

    /** Creates a folder (and parents) whose last element is rwx------ when it is new. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (supportsPosix(parent == null ? dir : parent)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }

    /**
     * Makes an existing file readable by its owner only (rw-------): a data folder from an earlier release may hold
     * secrets (a static challenge in {@code scepca.properties}) with the umask's permissions.
     */
    public static void restrictToOwner(Path file) throws IOException {
        if (Files.isRegularFile(file) && supportsPosix(file.toAbsolutePath().getParent())) {
            var perms = Files.getPosixFilePermissions(file);
            // Already owner-only (rw------- or r--------, as on a read-only mount): nothing to change, nothing to write.
            if (PosixFilePermissions.fromString("rw-------").containsAll(perms)) {
                return;
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static boolean supportsPosix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
