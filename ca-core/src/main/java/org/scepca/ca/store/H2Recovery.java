package org.scepca.ca.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an embedded H2 file after an unclean shutdown so that no chunk that reached the file is dropped.
 *
 * <p>The defect this works around (H2 2.x MVStore, present in 2.5.252 and on H2's master as of November 2026):
 * {@code FileStore.storeBuffer} writes a chunk and, when the chunk did not land where the previous chunk predicted
 * ({@code next}), rewrites the store header — but the header is filled from {@code lastChunk}, which is only set to
 * the new chunk after the write. The header therefore names the previous chunk, whose {@code next} pointer does not
 * lead to the new one. After a crash, MVStore's quick recovery follows header → {@code next} chain → tail chunk and
 * never sees the new chunk; it opens the older version and later overwrites the lost chunk's blocks. In a
 * fragmented file (one that has seen deletes, compaction and restarts, like {@code crash-prone-data}) nearly every
 * chunk misses its prediction, so the last transaction before a kill was lost every time, and it stayed lost for
 * as long as no further chunk was written (the 65-second case).
 *
 * <p>The fix uses H2's own full-scan recovery: when the store header carries no clean-shutdown mark, the file is
 * opened once in recovery mode, which reads every block, keeps the newest chunk whose chunk set is complete and
 * valid (a torn chunk after a power loss fails its checksums and is skipped), and on close writes a clean header that
 * names it. Only then does the database open normally. A clean store is not scanned.
 */
final class H2Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(H2Recovery.class);

    private H2Recovery() {
    }

    /** What recovery found. */
    record Result(boolean clean, long quickVersion, long scannedVersion) {
        boolean recoveredMore() {
            return scannedVersion > quickVersion;
        }
    }

    /**
     * Checks {@code file} and, after an unclean shutdown, lets H2's full scan choose the newest complete version.
     *
     * @param encryptionKey the MVStore encryption key, when the file is encrypted
     * @return empty when the file does not exist or is held open by another process (then it is not ours to recover)
     */
    static Optional<Result> recoverIfUnclean(Path file, Optional<char[]> encryptionKey) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        // The header is read directly, not by opening the store: on a store left by SIGKILL, H2's own quick open can
        // recurse without end (its chunk lookup reads a layout page whose chunk it is looking up: StackOverflowError,
        // seen in the 200-round crash soak) and an open that fails that way leaves the file locked in this JVM, so
        // the full scan below could not run. The scan itself opened that store fine.
        Header header;
        try {
            header = readHeader(file, encryptionKey);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot read the database header of " + file + ": " + e.getMessage(), e);
        }
        if (header.locked()) {
            return Optional.empty(); // the server (or another command) has it open: it is live, not crashed
        }
        if (header.clean()) {
            return Optional.of(new Result(true, header.version(), header.version()));
        }
        long quickVersion = header.version();
        long start = System.nanoTime();
        long scannedVersion;
        try {
            MVStore full = builder(file, encryptionKey).recoveryMode().autoCommitDisabled().open();
            scannedVersion = full.getCurrentVersion();
            // close(0): no compaction, just the clean-shutdown header naming the chunk the scan chose.
            full.close(0);
        } catch (MVStoreException | StackOverflowError e) {
            throw new StoreException("crash recovery of " + file + " failed: " + e + "; the file is unchanged, keep a"
                    + " copy and restore the newest backup (backups/) if this repeats", e);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        Result r = new Result(false, quickVersion, scannedVersion);
        if (r.recoveredMore()) {
            LOG.warn("database was not shut down cleanly: the full scan recovered version {} where H2's quick recovery"
                    + " would have opened {} ({} MiB scanned in {} ms)", scannedVersion,
                    quickVersion < 0 ? "nothing (unreadable header)" : "version " + quickVersion, sizeMiB(file), ms);
        } else {
            LOG.info("database was not shut down cleanly: checked every chunk, nothing missing (version {}, {} ms)",
                    scannedVersion, ms);
        }
        return Optional.of(r);
    }

    /**
     * The store header as H2 decides cleanliness from it: both copies (blocks 0 and 1) parse with their checksums,
     * name the same version and carry the clean-shutdown mark. {@code version} is the newest copy's, or -1.
     */
    record Header(boolean locked, boolean clean, long version) {
    }

    /** H2's block size: the store header is blocks 0 and 1. */
    private static final int BLOCK_SIZE = 4096;

    /**
     * One header block as H2 writes it: {@code key:value,...,fletcher:xxxxxxxx} and padding; null unless its Fletcher-32
     * checksum (over everything before ",fletcher") holds. H2's own parser is not public.
     */
    static java.util.Map<String, String> checksummedMap(byte[] bytes) {
        int start = 0;
        int end = bytes.length;
        while (start < end && (bytes[start] & 0xff) <= ' ') {
            start++;
        }
        while (start < end && (bytes[end - 1] & 0xff) <= ' ') {
            end--;
        }
        String s = new String(bytes, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
        int k = s.lastIndexOf(",fletcher:");
        if (k < 0) {
            return null;
        }
        int check = (int) Long.parseLong(s.substring(k + ",fletcher:".length()).strip(), 16);
        if (check != org.h2.mvstore.DataUtils.getFletcher32(bytes, start, k)) {
            return null;
        }
        return org.h2.mvstore.DataUtils.parseMap(s.substring(0, k));
    }

    static Header readHeader(Path file, Optional<char[]> key) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock;
            try {
                // The lock H2 takes on the same file (an OS lock): held by a live server or command.
                lock = ch.tryLock(0L, Long.MAX_VALUE, false);
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                return new Header(true, false, -1);
            }
            try {
                java.nio.channels.FileChannel f = key.isPresent() ? new org.h2.store.fs.encrypt.FileEncrypt(
                        file.toString(), org.h2.store.fs.encrypt.FilePathEncrypt.getPasswordBytes(key.get().clone()), ch) : ch;
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(2 * BLOCK_SIZE);
                while (buf.hasRemaining() && f.read(buf, buf.position()) > 0) {
                    // read both header blocks
                }
                boolean clean = buf.position() == buf.capacity();
                long newest = -1;
                Long first = null;
                for (int i = 0; i < 2 && buf.position() == buf.capacity(); i++) {
                    byte[] block = java.util.Arrays.copyOfRange(buf.array(), i * BLOCK_SIZE,
                            (i + 1) * BLOCK_SIZE);
                    java.util.Map<String, String> m;
                    try {
                        m = checksummedMap(block);
                    } catch (RuntimeException e) {
                        m = null;
                    }
                    if (m == null) {
                        clean = false;
                        continue;
                    }
                    long version = org.h2.mvstore.DataUtils.readHexLong(m, "version", 0);
                    newest = Math.max(newest, version);
                    clean = clean && (first == null || first == version)
                            && org.h2.mvstore.DataUtils.readHexLong(m, "clean", 0) != 0;
                    first = first == null ? version : first;
                }
                return new Header(false, clean && first != null, newest);
            } finally {
                if (lock.isValid()) {
                    lock.release();
                }
            }
        }
    }

    private static MVStore.Builder builder(Path file, Optional<char[]> key) {
        MVStore.Builder b = new MVStore.Builder().fileName(file.toString());
        key.ifPresent(k -> b.encryptionKey(k.clone()));
        return b;
    }

    private static long sizeMiB(Path file) {
        try {
            return Files.size(file) >> 20;
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
