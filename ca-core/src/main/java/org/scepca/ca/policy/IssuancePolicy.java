package org.scepca.ca.policy;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a requester may ask for and what the CA always sets. Explicit data: nothing in a CSR reaches a certificate
 * unless a field here allows it.
 *
 * @param validity           lifetime of device certificates; capped at the issuer's notAfter
 * @param backdate           notBefore is this much before issuance, for devices with a slow clock
 * @param minRsaBits         smallest RSA modulus accepted
 * @param maxRsaBits         largest RSA modulus accepted (bounds the verification cost an attacker can impose)
 * @param allowedCurves      EC curves accepted (JCA names: secp256r1, secp384r1)
 * @param subjectAttributes  subject attribute short names a CSR may use (CN, O, OU, ...)
 * @param sanTypes           subjectAltName types a CSR may request
 * @param sanPatterns        per type, the pattern every requested value must match in full
 * @param allowIntuneSid     whether Intune's {@value #INTUNE_SID_PREFIX} URIs are allowed
 * @param maxSans            most subjectAltName entries in one request
 * @param serverAuthAllowed  whether a SERVER profile may be issued (the CLI's issue-server; never over SCEP)
 * @param crlUrl             CRL distribution point put in certificates, if any
 * @param ocspUrl            OCSP responder URL put in AIA, if any
 * @param caIssuersUrl       issuing CA certificate URL put in AIA, if any
 */
public record IssuancePolicy(Duration validity, Duration backdate, int minRsaBits, int maxRsaBits,
        Set<String> allowedCurves, Set<String> subjectAttributes, Set<SanType> sanTypes,
        Map<SanType, Pattern> sanPatterns, boolean allowIntuneSid, int maxSans, boolean serverAuthAllowed,
        Optional<URI> crlUrl, Optional<URI> ocspUrl, Optional<URI> caIssuersUrl) {

    public static final String INTUNE_SID_PREFIX = "tag:microsoft.com,2022-09-14:sid:";

    public IssuancePolicy {
        Objects.requireNonNull(validity, "validity is null");
        Objects.requireNonNull(backdate, "backdate is null");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        if (backdate.isNegative() || backdate.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("backdate must be between 0 and 24 hours");
        }
        if (minRsaBits < 2048) {
            throw new IllegalArgumentException("minRsaBits below 2048 is not allowed");
        }
        if (maxRsaBits < minRsaBits) {
            throw new IllegalArgumentException("maxRsaBits < minRsaBits");
        }
        allowedCurves = Set.copyOf(allowedCurves);
        subjectAttributes = Set.copyOf(subjectAttributes);
        sanTypes = sanTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(sanTypes));
        sanPatterns = Map.copyOf(sanPatterns);
        Objects.requireNonNull(crlUrl, "crlUrl is null");
        Objects.requireNonNull(ocspUrl, "ocspUrl is null");
        Objects.requireNonNull(caIssuersUrl, "caIssuersUrl is null");
    }

    /** DNS label rules (RFC 1123), optionally with one leading wildcard label. */
    public static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    public static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[A-Za-z0-9.-]{1,253}");
    /** An absolute URI with a scheme (urn:uuid:…, IntuneDeviceId://…, https://…); no spaces. */
    public static final Pattern ABSOLUTE_URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s]{1,1000}");
    public static final Pattern UPN = Pattern.compile("[^@\\s]{1,256}@[^@\\s]{1,253}");

    public static IssuancePolicy defaults() {
        return new IssuancePolicy(Duration.ofDays(365), Duration.ofMinutes(5), 2048, 8192,
                Set.of("secp256r1", "secp384r1"),
                Set.of("CN", "O", "OU", "C", "ST", "L", "E", "SERIALNUMBER", "UID", "DC"),
                EnumSet.of(SanType.DNS, SanType.EMAIL, SanType.URI, SanType.UPN),
                Map.of(SanType.DNS, DNS_NAME, SanType.EMAIL, EMAIL, SanType.URI, ABSOLUTE_URI, SanType.UPN, UPN),
                false, 20, true, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public IssuancePolicy withValidity(Duration v) {
        return new IssuancePolicy(v, backdate, minRsaBits, maxRsaBits, allowedCurves, subjectAttributes, sanTypes,
                sanPatterns, allowIntuneSid, maxSans, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl);
    }

    public IssuancePolicy withIntuneSid(boolean allow) {
        return new IssuancePolicy(validity, backdate, minRsaBits, maxRsaBits, allowedCurves, subjectAttributes, sanTypes,
                sanPatterns, allow, maxSans, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl);
    }

    public IssuancePolicy withSanTypes(Set<SanType> types) {
        return new IssuancePolicy(validity, backdate, minRsaBits, maxRsaBits, allowedCurves, subjectAttributes, types,
                sanPatterns, allowIntuneSid, maxSans, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl);
    }

    public IssuancePolicy withSanPattern(SanType type, Pattern pattern) {
        var m = new java.util.HashMap<>(sanPatterns);
        m.put(type, pattern);
        return new IssuancePolicy(validity, backdate, minRsaBits, maxRsaBits, allowedCurves, subjectAttributes, sanTypes,
                m, allowIntuneSid, maxSans, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl);
    }

    public IssuancePolicy withUrls(Optional<URI> crl, Optional<URI> ocsp, Optional<URI> caIssuers) {
        return new IssuancePolicy(validity, backdate, minRsaBits, maxRsaBits, allowedCurves, subjectAttributes, sanTypes,
                sanPatterns, allowIntuneSid, maxSans, serverAuthAllowed, crl, ocsp, caIssuers);
    }

    /** Short description for start-up logs. */
    public List<String> describe() {
        return List.of("validity " + validity.toDays() + "d", "RSA " + minRsaBits + ".." + maxRsaBits,
                "EC " + allowedCurves, "SAN " + sanTypes + (allowIntuneSid ? " + Intune SID" : ""));
    }
}
