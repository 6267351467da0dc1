package org.scepca.ca.material;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What an operator must hear about the issuing CA's lifetime: from {@value #WARN_DAYS} days before it ends (log at
 * start-up and daily, readiness detail, dashboard), and once it has ended (enrollments are refused; CRL, OCSP and
 * GetCACert still work).
 */
public final class CaLifetime {
    public static final int WARN_DAYS = 90;

    private CaLifetime() {
    }

    public static boolean expired(X509Certificate issuing, Instant now) {
        return !issuing.getNotAfter().toInstant().isAfter(now);
    }

    /** The warning for the issuing CA at {@code now}, if one is due. */
    public static Optional<String> warning(X509Certificate issuing, Instant now) {
        Instant end = issuing.getNotAfter().toInstant();
        String date = end.truncatedTo(ChronoUnit.SECONDS).toString();
        if (!end.isAfter(now)) {
            return Optional.of("issuing CA expired on " + date + ": enrollments are refused until a new issuing CA is in"
                    + " place (scepca ca stage-next); CRL, OCSP and GetCACert still work");
        }
        long days = Duration.between(now, end).toDays();
        if (days < WARN_DAYS) {
            return Optional.of("issuing CA expires on " + date + " (in " + days + " days): stage its successor"
                    + " (scepca ca stage-next) so devices can renew before then");
        }
        return Optional.empty();
    }
}
