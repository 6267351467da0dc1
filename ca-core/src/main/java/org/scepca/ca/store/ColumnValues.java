package org.scepca.ca.store;

import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.scepca.ca.store.StoreSchema.Column;
import org.scepca.ca.store.StoreSchema.Kind;

/**
 * Reads a column's value the same way from H2 and PostgreSQL, writes it to the other, and encodes it canonically for
 * {@link StoreCopy}'s checksums: what the two databases store must compare equal however their drivers represent it
 * (timestamps as microseconds since the epoch in UTC, binary as its bytes, text as UTF-8, null marked).
 */
final class ColumnValues {
    private ColumnValues() {
    }

    /** The value of column {@code i} as the Java type of its kind, or null. */
    static Object read(ResultSet rs, int i, Kind kind) throws SQLException {
        Object v = switch (kind) {
            case TEXT, OTHER -> rs.getString(i);
            case INTEGER -> rs.getLong(i);
            case BOOLEAN -> rs.getBoolean(i);
            case DECIMAL -> rs.getBigDecimal(i);
            case FLOAT -> rs.getDouble(i);
            case TIMESTAMP_TZ -> rs.getObject(i, OffsetDateTime.class);
            case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
            case DATE -> rs.getObject(i, LocalDate.class);
            case TIME -> rs.getObject(i, LocalTime.class);
            case BINARY -> rs.getBytes(i);
        };
        return rs.wasNull() ? null : v;
    }

    /** Binds {@code value} (from {@link #read}) to parameter {@code i}, a column of {@code target}'s type. */
    static void bind(PreparedStatement ps, int i, Object value, Kind kind, Column target) throws SQLException {
        if (value == null) {
            ps.setNull(i, target.jdbcType());
            return;
        }
        switch (kind) {
            case TEXT -> ps.setString(i, (String) value);
            case INTEGER -> {
                long v = (Long) value;
                if (target.jdbcType() == Types.BIGINT) {
                    ps.setLong(i, v);
                } else {
                    ps.setInt(i, Math.toIntExact(v));
                }
            }
            case BOOLEAN -> ps.setBoolean(i, (Boolean) value);
            case DECIMAL -> ps.setBigDecimal(i, (BigDecimal) value);
            case FLOAT -> ps.setDouble(i, (Double) value);
            case TIMESTAMP_TZ, TIMESTAMP, DATE, TIME -> ps.setObject(i, value);
            case BINARY -> ps.setBytes(i, (byte[]) value);
            // The database converts the text form to the column's type (both read it back as that text).
            case OTHER -> ps.setObject(i, value, Types.OTHER);
        }
    }

    /** Writes the canonical encoding of {@code value}: a null mark, or a present mark and the value. */
    static void encode(DataOutputStream out, Object value, Kind kind) throws IOException {
        if (value == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(1);
        switch (kind) {
            case TEXT, OTHER -> bytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
            case INTEGER -> out.writeLong((Long) value);
            case BOOLEAN -> out.writeBoolean((Boolean) value);
            // 1.50 and 1.5 are the same number: the scale a driver reports is not part of the value
            case DECIMAL -> bytes(out, ((BigDecimal) value).stripTrailingZeros().toPlainString()
                    .getBytes(StandardCharsets.US_ASCII));
            case FLOAT -> out.writeLong(Double.doubleToLongBits((Double) value));
            case TIMESTAMP_TZ -> out.writeLong(epochMicros(((OffsetDateTime) value).toInstant()));
            case TIMESTAMP -> out.writeLong(epochMicros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
            case DATE -> out.writeLong(((LocalDate) value).toEpochDay());
            case TIME -> out.writeLong(((LocalTime) value).toNanoOfDay() / 1000);
            case BINARY -> bytes(out, (byte[]) value);
        }
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** Both databases keep microseconds; nanoseconds are floored (a value with more would not survive either). */
    static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }
}
