package org.scepca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

class HttpDatesTest {
    /** RFC 9110 §5.6.7's own example, and a single-digit day of the month, which IMF-fixdate writes with two. */
    @Test
    void writesImfFixdate() {
        assertThat(HttpDates.format(Instant.parse("1994-11-06T08:49:37Z"))).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDates.format(Instant.parse("2026-12-02T05:45:07.900Z"))).isEqualTo("Wed, 02 Dec 2026 05:45:07 GMT");
        // What readers parse it with gives the same instant back.
        assertThat(ZonedDateTime.parse(HttpDates.format(Instant.parse("2026-12-02T05:45:07Z")),
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).isEqualTo(Instant.parse("2026-12-02T05:45:07Z"));
    }
}
