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
        long quickVersion;
        try {
            MVStore quick = builder(file, encryptionKey).readOnly().open();
            try {
                if (quick.getFileStore().getStoreHeader().containsKey("clean")) {
                    return Optional.of(new Result(true, quick.getCurrentVersion(), quick.getCurrentVersion()));
                }
                quickVersion = quick.getCurrentVersion();
            } finally {
                quick.closeImmediately();
            }
        } catch (MVStoreException e) {
            if (e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED) {
                return Optional.empty(); // the server (or another command) has it open: it is live, not crashed
            }
            // H2's quick recovery cannot open it at all: its header names a chunk set that is not complete (seen
            // after SIGKILL on the fixture: "Chunk N not found"). The full scan below is what can.
            LOG.warn("H2's quick recovery cannot open {}: {}", file, e.getMessage());
            quickVersion = -1;
        }
        long start = System.nanoTime();
        long scannedVersion;
        try {
            MVStore full = builder(file, encryptionKey).recoveryMode().autoCommitDisabled().open();
            scannedVersion = full.getCurrentVersion();
            // close(0): no compaction, just the clean-shutdown header naming the chunk the scan chose.
            full.close(0);
        } catch (MVStoreException e) {
            throw new StoreException("crash recovery of " + file + " failed: " + e.getMessage(), e);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        Result r = new Result(false, quickVersion, scannedVersion);
        if (r.recoveredMore()) {
            LOG.warn("database was not shut down cleanly: the full scan recovered version {} where H2's quick recovery"
                    + " would have opened {} ({} MiB scanned in {} ms)", scannedVersion,
                    quickVersion < 0 ? "nothing" : "version " + quickVersion, sizeMiB(file), ms);
        } else {
            LOG.info("database was not shut down cleanly: checked every chunk, nothing missing (version {}, {} ms)",
                    scannedVersion, ms);
        }
        return Optional.of(r);
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
