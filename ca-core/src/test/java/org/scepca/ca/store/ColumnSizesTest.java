package org.scepca.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.scepca.ca.policy.RequestLimits;

/** The policy's ceilings are derived from ColumnSizes; this keeps ColumnSizes equal to what the migrations create. */
class ColumnSizesTest {
    private static String v1() throws IOException {
        try (InputStream in = ColumnSizesTest.class.getResourceAsStream("/db/migration/V1__initial_schema.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int size(String sql, String table, String column) {
        int start = sql.indexOf("CREATE TABLE " + table + " (");
        int end = sql.indexOf(");", start);
        Matcher m = Pattern.compile("\\b" + column + "\\s+VARCHAR\\((\\d+)\\)").matcher(sql.substring(start, end));
        assertThat(m.find()).as(table + "." + column).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void matchTheSchema() throws IOException {
        String sql = v1();
        assertThat(size(sql, "certificates", "subject_dn")).isEqualTo(ColumnSizes.SUBJECT_DN);
        assertThat(size(sql, "requests", "subject_dn")).isEqualTo(ColumnSizes.SUBJECT_DN);
        assertThat(size(sql, "certificates", "sans")).isEqualTo(ColumnSizes.SANS);
        assertThat(size(sql, "certificates", "search_text")).isEqualTo(ColumnSizes.SEARCH_TEXT);
    }

    @Test
    void policyCeilingsAreStrictlyInside() {
        assertThat(RequestLimits.SUBJECT_LENGTH_CEILING).isLessThan(ColumnSizes.SUBJECT_DN);
        assertThat(RequestLimits.SANS_LENGTH_CEILING).isLessThan(ColumnSizes.SANS);
        assertThat(RequestLimits.SUBJECT_LENGTH_CEILING + 1 + RequestLimits.SANS_LENGTH_CEILING)
                .isLessThan(ColumnSizes.SEARCH_TEXT);
    }
}
