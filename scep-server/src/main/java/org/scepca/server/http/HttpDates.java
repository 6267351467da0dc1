package org.scepca.server.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * HTTP dates as RFC 9110 §5.6.7 requires a sender to write them: IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT}.
 * {@code DateTimeFormatter.RFC_1123_DATE_TIME} writes the day of the month with one digit when it can ({@code 6 Nov}),
 * which that grammar ({@code day = 2DIGIT}) does not allow.
 */
final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDates() {
    }

    static String format(Instant t) {
        return IMF_FIXDATE.format(t);
    }
}
