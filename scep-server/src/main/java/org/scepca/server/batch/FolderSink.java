package org.scepca.server.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.scepca.ca.pem.SecureFiles;

/**
 * Writes batch files into one folder, owner-only (they hold challenges or keys), each atomically: an interrupted run
 * leaves whole files or none. A name that would resolve outside the folder is refused here as well as by {@link
 * Device#fileStem()}, which never makes one.
 */
public final class FolderSink implements ProfileBatch.Sink {
    private final Path dir;

    public FolderSink(Path dir) throws IOException {
        SecureFiles.createPrivateDirectories(Objects.requireNonNull(dir, "dir is null"));
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The file {@code fileName} names in the folder. */
    public Path resolve(String fileName) {
        Path p = dir.resolve(fileName).normalize();
        if (fileName.isEmpty() || fileName.startsWith(".") || !dir.equals(p.getParent())) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        return p;
    }

    @Override
    public boolean exists(String fileName) {
        return Files.exists(resolve(fileName));
    }

    @Override
    public void write(String fileName, byte[] body) throws IOException {
        SecureFiles.writeOwnerOnly(resolve(fileName), body);
    }

    public Path dir() {
        return dir;
    }
}
