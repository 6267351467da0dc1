package org.scepca.server.batch;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A device list: CSV as RFC 4180 writes it, read once and checked line by line.
 *
 * <ul>
 * <li>UTF-8 (a byte order mark is skipped), at most {@value #MAX_BYTES} bytes and {@value #MAX_DEVICES} devices;
 * lines end in CRLF or LF; blank lines are skipped.</li>
 * <li>The first line is a header naming the columns, in any order and case: {@code name} (or {@code device}),
 * {@code serial} (or {@code serialnumber}), {@code udid}, {@code user} (or {@code email}). A column it does not know
 * is an error for the whole list, so that a misspelt {@code serail} is not silently ignored.</li>
 * <li>Fields may be quoted ({@code "Anna's iPad, 2nd"}), with {@code ""} for a quote; a quoted field may span
 * lines. Values are trimmed, at most {@value #MAX_FIELD} characters, without control characters and without MDM
 * variables ({@code $}, <code>{{</code>): the profile is for one known device, and a variable would leave its
 * challenge unbound.</li>
 * <li>Each device needs a name, serial or UDID; a serial is letters and digits, a UDID hex digits and hyphens
 * (both forms Apple uses), a user an e-mail address. Two lines for the same device are an error on the second.</li>
 * </ul>
 *
 * A bad line is reported with its number and the others are still read: {@link Parsed#errors()}.
 */
public final class DeviceList {
    public static final int MAX_BYTES = 1024 * 1024;
    public static final int MAX_DEVICES = 10_000;
    public static final int MAX_FIELD = 128;

    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9]{4,32}");
    private static final Pattern UDID = Pattern.compile("[0-9A-Fa-f][0-9A-Fa-f-]{22,62}[0-9A-Fa-f]");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Map<String, String> COLUMNS = Map.of("name", "name", "device", "name", "device name", "name",
            "serial", "serial", "serialnumber", "serial", "serial number", "serial", "udid", "udid", "user", "user",
            "email", "user");

    private DeviceList() {
    }

    /** A problem with one line; line 0 is the list as a whole. */
    public record LineError(int line, String message) {
        public LineError {
            Objects.requireNonNull(message, "message is null");
        }

        @Override
        public String toString() {
            return (line == 0 ? "device list" : "line " + line) + ": " + message;
        }
    }

    /** The devices of the good lines and an error for each bad one, in file order. */
    public record Parsed(List<Device> devices, List<LineError> errors) {
        public Parsed {
            devices = List.copyOf(devices);
            errors = List.copyOf(errors);
        }

        /** True when the list as a whole is unusable (no header, too big, not UTF-8): nothing should be made. */
        public boolean unusable() {
            return errors.stream().anyMatch(e -> e.line() == 0);
        }
    }

    /** Reads a device list; never throws for bad content (see {@link Parsed#errors()}). */
    public static Parsed parse(byte[] csv) {
        Objects.requireNonNull(csv, "csv is null");
        if (csv.length > MAX_BYTES) {
            return whole("larger than " + MAX_BYTES / 1024 + " KiB; split it into several lists");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(csv)).toString();
        } catch (CharacterCodingException e) {
            return whole("not UTF-8 text (save the spreadsheet as \"CSV UTF-8\")");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Record> records = new ArrayList<>();
        Optional<LineError> syntax = records(text, records);
        List<LineError> errors = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        if (records.isEmpty()) {
            errors.add(new LineError(0, "empty: the first line must be a header such as name,serial,udid,user"));
            syntax.ifPresent(errors::add);
            return new Parsed(devices, errors);
        }
        Record header = records.get(0);
        List<String> columns = new ArrayList<>();
        for (String h : header.fields()) {
            String column = COLUMNS.get(h.strip().toLowerCase(Locale.ROOT).replace('_', ' '));
            if (column == null) {
                return whole("line " + header.line() + ": unknown column '" + shown(h.strip())
                        + "' (columns: name, serial, udid, user)");
            }
            if (columns.contains(column)) {
                return whole("line " + header.line() + ": column " + column + " appears twice");
            }
            columns.add(column);
        }
        if (!columns.contains("name") && !columns.contains("serial") && !columns.contains("udid")) {
            return whole("line " + header.line() + ": the header needs a name, serial or udid column");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (Record r : records.subList(1, records.size())) {
            if (r.fields().stream().allMatch(String::isBlank)) {
                continue; // a line of blanks or bare commas, as spreadsheets leave at the end
            }
            if (devices.size() + errors.size() >= MAX_DEVICES) {
                errors.add(new LineError(0, "more than " + MAX_DEVICES + " devices; split the list"));
                break;
            }
            try {
                Device d = device(r, columns);
                for (String key : keys(d)) {
                    Integer first = seen.putIfAbsent(key, r.line());
                    if (first != null) {
                        throw new IllegalArgumentException("the same device as line " + first + " ("
                                + key.substring(0, key.indexOf(':')) + ")");
                    }
                }
                devices.add(d);
            } catch (IllegalArgumentException e) {
                errors.add(new LineError(r.line(), e.getMessage()));
            }
        }
        syntax.ifPresent(errors::add);
        return new Parsed(devices, errors);
    }

    private static Parsed whole(String message) {
        return new Parsed(List.of(), List.of(new LineError(0, message)));
    }

    /** Serial, UDID and file name each identify a device: a second line with one of them is a duplicate. */
    private static List<String> keys(Device d) {
        List<String> keys = new ArrayList<>();
        d.serial().ifPresent(s -> keys.add("serial:" + s.toUpperCase(Locale.ROOT)));
        d.udid().ifPresent(u -> keys.add("udid:" + u.toUpperCase(Locale.ROOT)));
        keys.add("file name:" + d.fileKey());
        return keys;
    }

    private static Device device(Record r, List<String> columns) {
        if (r.fields().size() != columns.size()) {
            throw new IllegalArgumentException(r.fields().size() + " fields, the header has " + columns.size());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            String v = r.fields().get(i).strip();
            if (v.isEmpty()) {
                continue;
            }
            if (v.length() > MAX_FIELD) {
                throw new IllegalArgumentException(column + " is longer than " + MAX_FIELD + " characters");
            }
            if (v.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT)) {
                throw new IllegalArgumentException(column + " contains a control character");
            }
            if (v.contains("$") || v.contains("{{")) {
                throw new IllegalArgumentException(column + " contains an MDM variable ($ or {{): each line is one"
                        + " known device");
            }
            values.put(column, v);
        }
        Optional<String> serial = Optional.ofNullable(values.get("serial"));
        Optional<String> udid = Optional.ofNullable(values.get("udid"));
        Optional<String> user = Optional.ofNullable(values.get("user"));
        if (serial.isPresent() && !SERIAL.matcher(serial.get()).matches()) {
            throw new IllegalArgumentException("serial must be 4 to 32 letters and digits: " + shown(serial.get()));
        }
        if (udid.isPresent() && !UDID.matcher(udid.get()).matches()) {
            throw new IllegalArgumentException("udid must be hex digits and hyphens (25 or 40 characters on Apple"
                    + " devices): " + shown(udid.get()));
        }
        if (user.isPresent() && !EMAIL.matcher(user.get()).matches()) {
            throw new IllegalArgumentException("user must be an e-mail address: " + shown(user.get()));
        }
        Optional<String> name = Optional.ofNullable(values.get("name"));
        if (name.isEmpty() && serial.isEmpty() && udid.isEmpty()) {
            throw new IllegalArgumentException("needs a name, serial or udid");
        }
        return new Device(r.line(), name, serial, udid, user);
    }

    private static String shown(String v) {
        return v.length() <= 40 ? v : v.substring(0, 40) + "...";
    }

    /** One CSV record and the line it starts on. */
    private record Record(int line, List<String> fields) {
    }

    /**
     * Splits RFC 4180 records. A quote inside an unquoted field, or text after a closing quote, is taken literally
     * (spreadsheets write neither; being lenient there loses nothing). An unterminated quote is an error on the line
     * it opened.
     */
    private static Optional<LineError> records(String text, List<Record> out) {
        int line = 1;
        int start = 1;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                continue;
            }
            if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
                any = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldStart = true;
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    fields.add(field.toString());
                    out.add(new Record(start, List.copyOf(fields)));
                }
                fields.clear();
                field.setLength(0);
                fieldStart = true;
                any = false;
                line++;
                start = line;
            } else {
                field.append(c);
                fieldStart = false;
                any = true;
            }
        }
        if (quoted) {
            return Optional.of(new LineError(start, "a quoted field is not closed"));
        }
        if (any || field.length() > 0) {
            fields.add(field.toString());
            out.add(new Record(start, List.copyOf(fields)));
        }
        return Optional.empty();
    }
}
