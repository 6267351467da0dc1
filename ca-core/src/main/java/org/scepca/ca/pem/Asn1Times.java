package org.scepca.ca.pem;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.x509.Time;

/**
 * ASN.1 times for certificates, CRLs and CMS signingTime, built without {@code java.text.SimpleDateFormat}: Bouncy
 * Castle's {@code new Time(Date)} creates one to format and a second one to re-parse what it formatted, which costs
 * more than the rest of building a certificate's validity. RFC 5280 §4.1.2.5 and RFC 5652 §11.3: UTCTime through
 * 2049, GeneralizedTime from 2050, always in UTC ("Z") with whole seconds.
 */
public final class Asn1Times {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Instant YEAR_2050 = Instant.parse("2050-01-01T00:00:00Z");
    private static final Instant YEAR_1950 = Instant.parse("1950-01-01T00:00:00Z");

    private Asn1Times() {
    }

    /** The time truncated to whole seconds, as it will be encoded. */
    public static Time of(Instant t) {
        Instant s = t.truncatedTo(ChronoUnit.SECONDS);
        boolean utc = !s.isBefore(YEAR_1950) && s.isBefore(YEAR_2050);
        byte[] text = (utc ? UTC_TIME : GENERALIZED_TIME).format(s).getBytes(StandardCharsets.US_ASCII);
        byte[] der = new byte[2 + text.length];
        der[0] = (byte) (utc ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        der[1] = (byte) text.length;
        System.arraycopy(text, 0, der, 2, text.length);
        // Parsing the DER encoding goes straight to the contents; the String and Date constructors do not.
        return new Time(utc ? ASN1UTCTime.getInstance(der) : ASN1GeneralizedTime.getInstance(der));
    }
}
