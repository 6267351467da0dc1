package org.scepca.server.batch;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of a batch, as a line of the device list gave it. At least one of name, serial number and UDID is set;
 * values are checked by {@link DeviceList} (no control characters, no MDM variables, bounded length).
 *
 * @param line   the line of the device list it started on (1 is the header), for messages
 * @param name   the device name
 * @param serial the hardware serial number
 * @param udid   Apple's UDID
 * @param user   the user's e-mail address
 */
public record Device(int line, Optional<String> name, Optional<String> serial, Optional<String> udid,
        Optional<String> user) {
    /** Longest file stem {@link #fileStem()} makes (before the extension). */
    static final int MAX_STEM = 64;

    public Device {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(serial, "serial is null");
        Objects.requireNonNull(udid, "udid is null");
        Objects.requireNonNull(user, "user is null");
        if (name.isEmpty() && serial.isEmpty() && udid.isEmpty()) {
            throw new IllegalArgumentException("a device needs a name, serial or udid");
        }
    }

    /** A device named only by its name (the one-column list of {@code p12 batch}). */
    public static Device named(int line, String name) {
        return new Device(line, Optional.of(name), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** What names the device in messages, notes and audit lines: serial, else UDID, else name. */
    public String label() {
        return serial.or(() -> udid).or(() -> name).orElseThrow();
    }

    /** The certificate's CN: the serial number (what Jamf's $SERIALNUMBER gives), else the name, else the UDID. */
    public String commonName() {
        return serial.or(() -> name).or(() -> udid).orElseThrow();
    }

    /**
     * A file name stem made from {@link #label()} that cannot leave the output folder or hide: letters, digits,
     * {@code .}, {@code _} and {@code -} only, anything else {@code _}, no leading dot, at most {@value #MAX_STEM}
     * characters. Two devices whose stems are equal (case-insensitively: macOS and Windows folders) are a
     * duplicate that {@link DeviceList} refuses.
     */
    public String fileStem() {
        String raw = label();
        StringBuilder b = new StringBuilder(Math.min(raw.length(), MAX_STEM));
        raw.codePoints().limit(MAX_STEM).forEach(cp -> b.append(
                cp < 128 && (Character.isLetterOrDigit(cp) || cp == '.' || cp == '_' || cp == '-') ? (char) cp : '_'));
        while (b.length() > 0 && b.charAt(0) == '.') {
            b.setCharAt(0, '_');
        }
        return b.toString();
    }

    String fileKey() {
        return fileStem().toLowerCase(Locale.ROOT);
    }
}
