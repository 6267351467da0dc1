package org.scepca.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.scepca.server.batch.DeviceList;

/** Reads a device list file, bounded: a wrong file (a disk image) is refused after {@link DeviceList#MAX_BYTES}. */
final class DeviceLists {
    private DeviceLists() {
    }

    static DeviceList.Parsed read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(DeviceList.MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new Errors.UserException("no device list at " + file);
        }
        return DeviceList.parse(bytes);
    }
}
