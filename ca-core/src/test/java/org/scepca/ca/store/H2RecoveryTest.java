package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Optional;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How crash recovery reads the store header: directly from the (encrypted) file, never by opening an MVStore, so that
 * a store whose quick open fails (a StackOverflowError in H2's chunk lookup after SIGKILL, found by the crash soak)
 * cannot leave the file locked before the full scan runs.
 */
class H2RecoveryTest {
    private static final char[] KEY = "0123456789abcdef0123456789abcdef".toCharArray();

    @TempDir
    Path dir;

    private Path store(boolean close) {
        Path file = dir.resolve("t.mv.db");
        MVStore s = new MVStore.Builder().fileName(file.toString()).encryptionKey(KEY.clone()).open();
        MVMap<Integer, String> m = s.openMap("data");
        for (int i = 0; i < 100; i++) {
            m.put(i, "value " + i);
            s.commit();
        }
        if (close) {
            s.close();
        } else {
            s.closeImmediately(); // as after a SIGKILL: no clean-shutdown header
        }
        return file;
    }

    @Test
    void aCleanlyClosedStoreReadsAsClean_andIsNotScanned() throws Exception {
        Path file = store(true);
        H2Recovery.Header h = H2Recovery.readHeader(file, Optional.of(KEY.clone()));
        assertThat(h.locked()).isFalse();
        assertThat(h.clean()).isTrue();
        assertThat(H2Recovery.recoverIfUnclean(file, Optional.of(KEY.clone())).orElseThrow().clean()).isTrue();
    }

    @Test
    void anUncleanStoreIsScanned_andMarkedCleanAfterwards() throws Exception {
        Path file = store(false);
        assertThat(H2Recovery.readHeader(file, Optional.of(KEY.clone())).clean()).isFalse();
        H2Recovery.Result r = H2Recovery.recoverIfUnclean(file, Optional.of(KEY.clone())).orElseThrow();
        assertThat(r.clean()).isFalse();
        assertThat(H2Recovery.readHeader(file, Optional.of(KEY.clone())).clean()).isTrue();
        MVStore s = new MVStore.Builder().fileName(file.toString()).encryptionKey(KEY.clone()).readOnly().open();
        assertThat(s.<Integer, String>openMap("data").get(99)).isEqualTo("value 99");
        s.close();
    }

    @Test
    void aStoreOpenElsewhereIsLocked_andLeftAlone() throws Exception {
        Path file = store(true);
        MVStore live = new MVStore.Builder().fileName(file.toString()).encryptionKey(KEY.clone()).open();
        try {
            assertThat(H2Recovery.readHeader(file, Optional.of(KEY.clone())).locked()).isTrue();
            assertThat(H2Recovery.recoverIfUnclean(file, Optional.of(KEY.clone()))).isEmpty();
        } finally {
            live.close();
        }
    }

    @Test
    void damagedHeaderCopiesReadAsUnclean_neverAsClean() throws Exception {
        Path file = store(true);
        // Flip bytes inside both header blocks of the encrypted file (after the encryption header): neither copy's
        // checksum holds any more.
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (long pos : new long[] {4096 + 100, 4096 + 4096 + 100}) {
                raf.seek(pos);
                int b = raf.read();
                raf.seek(pos);
                raf.write(b ^ 0x55);
            }
        }
        assertThat(H2Recovery.readHeader(file, Optional.of(KEY.clone())).clean()).isFalse();
        assertThat(H2Recovery.checksummedMap("H:2,block:2,fletcher:00000000\n".getBytes())).isNull();
    }
}
