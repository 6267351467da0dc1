package org.scepca.acme.attest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.store.Database;

/**
 * The devices each ACME endpoint lets enroll through device-attest-01 when its policy is
 * {@link DevicePolicy#ALLOW_LIST}: serial numbers and UDIDs in {@code acme_device_allowlist} (V13), shared by every
 * replica. Entries are kept upper-case, so a UDID written in either case is one entry. Writes are durable before they
 * return (the CLI's and the API's acknowledgement must survive a crash), and idempotent: adding a listed device or
 * removing an unlisted one changes nothing, also when two replicas do it at the same moment.
 */
public final class DeviceAllowList {
    /** Serials are 10 to 12 characters, UDIDs 25, 36 (UUID form) or 40 (older devices); 64 leaves room. */
    public static final int MAX_DEVICE_ID = 64;
    /** Letters, digits and hyphens: serial numbers (C02XL0GHJGH5), UDIDs (00008030-001A2D3E0C38802E, 40 hex). */
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9-]{1," + MAX_DEVICE_ID + "}");
    static final int MAX_ACTOR = 128;
    /** One CLI call or API request changes at most this many devices (a bound on one transaction). */
    public static final int MAX_PER_CHANGE = 1000;

    /** One listed device. */
    public record Entry(String endpoint, String deviceId, Instant addedAt, String addedBy) {
        public Entry {
            Objects.requireNonNull(endpoint, "endpoint is null");
            Objects.requireNonNull(deviceId, "deviceId is null");
            Objects.requireNonNull(addedAt, "addedAt is null");
            Objects.requireNonNull(addedBy, "addedBy is null");
        }
    }

    private final Database db;
    private final Clock clock;

    public DeviceAllowList(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Whether {@code value} can be a serial number or UDID (what an entry and a permanent-identifier must be). */
    public static boolean isWellFormed(String value) {
        return value != null && DEVICE_ID.matcher(value).matches();
    }

    /** The stored form of a serial number or UDID; {@link IllegalArgumentException} naming the value otherwise. */
    public static String normalize(String deviceId) {
        if (!isWellFormed(deviceId)) {
            throw new IllegalArgumentException("not a serial number or UDID (1 to " + MAX_DEVICE_ID
                    + " letters, digits and hyphens): " + printable(deviceId));
        }
        return deviceId.toUpperCase(Locale.ROOT);
    }

    /** Whether {@code endpoint} is an endpoint name as the endpoint model has them. */
    public static boolean isEndpointName(String endpoint) {
        return endpoint != null && ChallengeOrigin.ENDPOINT_NAME.matcher(endpoint).matches();
    }

    /** An endpoint name as the endpoint model has it; {@link IllegalArgumentException} otherwise. */
    public static String checkEndpoint(String endpoint) {
        if (!isEndpointName(endpoint)) {
            throw new IllegalArgumentException("not an endpoint name ([a-z0-9][a-z0-9-]{0,31}): " + printable(endpoint));
        }
        return endpoint;
    }

    /**
     * Lists {@code deviceIds} for {@code endpoint}, all or none (each is checked first). Returns the devices that
     * were not listed before, in stored form; the others keep their original entry.
     */
    public List<String> add(String endpoint, Collection<String> deviceIds, String actor) {
        checkEndpoint(endpoint);
        Set<String> ids = checked(deviceIds);
        String by = checkActor(actor);
        Timestamp now = Timestamp.from(clock.instant());
        return db.inDurableTransaction(c -> {
            List<String> added = new ArrayList<>();
            // ON CONFLICT DO NOTHING (PostgreSQL, and H2 in MODE=PostgreSQL): a concurrent add of the same device
            // by another replica is not an error, and its row count says which call listed it.
            try (PreparedStatement s = c.prepareStatement("INSERT INTO acme_device_allowlist (endpoint, device_id,"
                    + " added_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (String id : ids) {
                    s.setString(1, endpoint);
                    s.setString(2, id);
                    s.setTimestamp(3, now);
                    s.setString(4, by);
                    if (s.executeUpdate() == 1) {
                        added.add(id);
                    }
                }
            }
            return added;
        });
    }

    /** Takes {@code deviceIds} off {@code endpoint}'s list; returns those that were on it, in stored form. */
    public List<String> remove(String endpoint, Collection<String> deviceIds) {
        checkEndpoint(endpoint);
        Set<String> ids = checked(deviceIds);
        return db.inDurableTransaction(c -> {
            List<String> removed = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM acme_device_allowlist WHERE endpoint = ? AND device_id = ?")) {
                for (String id : ids) {
                    s.setString(1, endpoint);
                    s.setString(2, id);
                    if (s.executeUpdate() == 1) {
                        removed.add(id);
                    }
                }
            }
            return removed;
        });
    }

    /** What {@link #mirror} changed: devices listed, entries taken off, inventory values that were no device id. */
    public record Mirrored(int added, int removed, int skipped) {
        public boolean changed() {
            return added > 0 || removed > 0;
        }
    }

    /**
     * Makes the entries that {@code source} added to {@code endpoint}'s list follow {@code deviceIds} (a Jamf Pro
     * inventory read): lists each device not yet listed, with {@code source} as who added it, and takes off the
     * entries {@code source} added whose device is no longer in {@code deviceIds}. Entries added by anyone else (by
     * hand, through the CLI or the API) are never touched, also when the device is in {@code deviceIds}. Values that
     * cannot be a serial number or UDID are skipped and counted. Written durably, at most {@link #MAX_PER_CHANGE}
     * changes per transaction, so a large inventory never makes one huge transaction; a crash in between leaves
     * every written change in place and the next read completes the rest.
     */
    public Mirrored mirror(String endpoint, Collection<String> deviceIds, String source) {
        checkEndpoint(endpoint);
        String by = checkActor(source);
        Set<String> wanted = new java.util.TreeSet<>();
        int skipped = 0;
        for (String id : deviceIds) {
            if (isWellFormed(id)) {
                wanted.add(normalize(id));
            } else {
                skipped++;
            }
        }
        java.util.Map<String, String> listed = new java.util.HashMap<>();
        for (Entry e : list(endpoint)) {
            listed.put(e.deviceId(), e.addedBy());
        }
        List<String> toAdd = wanted.stream().filter(id -> !listed.containsKey(id)).toList();
        List<String> toRemove = listed.entrySet().stream().filter(e -> e.getValue().equals(by)
                && !wanted.contains(e.getKey())).map(java.util.Map.Entry::getKey).sorted().toList();
        int added = 0;
        for (int i = 0; i < toAdd.size(); i += MAX_PER_CHANGE) {
            added += add(endpoint, toAdd.subList(i, Math.min(toAdd.size(), i + MAX_PER_CHANGE)), by).size();
        }
        int removed = 0;
        for (int i = 0; i < toRemove.size(); i += MAX_PER_CHANGE) {
            removed += removeAddedBy(endpoint, toRemove.subList(i, Math.min(toRemove.size(), i + MAX_PER_CHANGE)), by);
        }
        return new Mirrored(added, removed, skipped);
    }

    /** Takes off those of {@code ids} that {@code by} added (an entry re-added by hand meanwhile stays). */
    private int removeAddedBy(String endpoint, List<String> ids, String by) {
        return db.inDurableTransaction(c -> {
            int n = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM acme_device_allowlist WHERE endpoint = ? AND device_id = ? AND added_by = ?")) {
                for (String id : ids) {
                    s.setString(1, endpoint);
                    s.setString(2, id);
                    s.setString(3, by);
                    n += s.executeUpdate();
                }
            }
            return n;
        });
    }

    /** The endpoint's entries, by device id. */
    public List<Entry> list(String endpoint) {
        checkEndpoint(endpoint);
        return db.inTransaction(c -> {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT device_id, added_at, added_by FROM"
                    + " acme_device_allowlist WHERE endpoint = ? ORDER BY device_id")) {
                s.setString(1, endpoint);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Entry(endpoint, rs.getString(1), rs.getTimestamp(2).toInstant(),
                                rs.getString(3)));
                    }
                }
            }
            return entries;
        });
    }

    /** Whether {@code deviceId} (any case) is on the endpoint's list; false for a value that cannot be one. */
    public boolean contains(String endpoint, String deviceId) {
        return isWellFormed(deviceId) && containsAny(endpoint, List.of(deviceId));
    }

    /** Whether any of {@code deviceIds} is listed (the attested serial number and UDID of one device). */
    public boolean containsAny(String endpoint, Collection<String> deviceIds) {
        checkEndpoint(endpoint);
        List<String> ids = deviceIds.stream().filter(DeviceAllowList::isWellFormed).map(DeviceAllowList::normalize)
                .distinct().toList();
        if (ids.isEmpty()) {
            return false;
        }
        return db.inTransaction(c -> anyListed(c, endpoint, ids));
    }

    private static boolean anyListed(Connection c, String endpoint, List<String> ids) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM acme_device_allowlist WHERE endpoint = ? AND device_id = ?")) {
            for (String id : ids) {
                s.setString(1, endpoint);
                s.setString(2, id);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static Set<String> checked(Collection<String> deviceIds) {
        Objects.requireNonNull(deviceIds, "deviceIds is null");
        if (deviceIds.isEmpty()) {
            throw new IllegalArgumentException("no serial number or UDID given");
        }
        if (deviceIds.size() > MAX_PER_CHANGE) {
            throw new IllegalArgumentException("at most " + MAX_PER_CHANGE + " devices per change");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : deviceIds) {
            ids.add(normalize(id));
        }
        return ids;
    }

    private static String checkActor(String actor) {
        Objects.requireNonNull(actor, "actor is null");
        return actor.length() > MAX_ACTOR ? actor.substring(0, MAX_ACTOR) : actor;
    }

    private static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        String cut = s.length() > 70 ? s.substring(0, 70) + "..." : s;
        return "\"" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
