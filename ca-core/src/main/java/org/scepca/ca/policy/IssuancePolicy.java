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
 * @param minRemaining       least lifetime an issued certificate may have: when the issuing CA expires sooner, the
 *                           request is refused (roll the CA over) instead of getting a certificate that dies in minutes
 * @param minRsaBits         smallest RSA modulus accepted
 * @param maxRsaBits         largest RSA modulus accepted (bounds the verification cost an attacker can impose)
 * @param allowedCurves      named EC curves accepted (JCA names: secp256r1, secp384r1, secp521r1); RFC 5480 §2.1.1
 *                           forbids explicit curve parameters, which are always refused
 * @param subjectAttributes  subject attribute short names a CSR may use (CN, O, OU, ...)
 * @param sanTypes           subjectAltName types a CSR may request
 * @param sanPatterns        per type, the pattern every requested value must match in full
 * @param allowIntuneSid     whether Intune's {@value #INTUNE_SID_PREFIX} URIs are allowed
 * @param limits             sizes and counts a request may not exceed (inside what the store holds)
 * @param serverAuthAllowed  whether a SERVER profile may be issued (the CLI's issue-server; never over SCEP)
 * @param crlUrl             CRL distribution point put in certificates, if any
 * @param ocspUrl            OCSP responder URL put in AIA, if any
 * @param caIssuersUrl       issuing CA certificate URL put in AIA, if any
 * @param clientEkus         the extended key usages (OIDs) of device certificates (the CLIENT profile); never
 *                           anyExtendedKeyUsage or a usage that would let a device sign code, time stamps or OCSP
 */
public record IssuancePolicy(Duration validity, Duration backdate, Duration minRemaining, int minRsaBits, int maxRsaBits,
        Set<String> allowedCurves, Set<String> subjectAttributes, Set<SanType> sanTypes,
        Map<SanType, Pattern> sanPatterns, boolean allowIntuneSid, RequestLimits limits, boolean serverAuthAllowed,
        Optional<URI> crlUrl, Optional<URI> ocspUrl, Optional<URI> caIssuersUrl, List<String> clientEkus) {

    public static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** Usages a device certificate may carry, by the names configuration uses (RFC 5280 §4.2.1.12, RFC 4945). */
    public static final Map<String, String> EKU_NAMES = Map.of("client-auth", CLIENT_AUTH,
            "server-auth", "1.3.6.1.5.5.7.3.1", "email-protection", "1.3.6.1.5.5.7.3.4",
            "ipsec-ike", "1.3.6.1.5.5.7.3.17", "smartcard-logon", "1.3.6.1.4.1.311.20.2.2");
    /** anyExtendedKeyUsage, codeSigning, timeStamping, OCSPSigning: powers no enrolled device may hold. */
    public static final Set<String> FORBIDDEN_EKUS = Set.of("2.5.29.37.0", "1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.8",
            "1.3.6.1.5.5.7.3.9");

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
        Objects.requireNonNull(minRemaining, "minRemaining is null");
        if (minRemaining.isNegative() || minRemaining.compareTo(validity) > 0) {
            throw new IllegalArgumentException("minRemaining must be between 0 and the validity");
        }
        Objects.requireNonNull(limits, "limits is null");
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
        clientEkus = List.copyOf(clientEkus);
        if (clientEkus.isEmpty()) {
            throw new IllegalArgumentException("a device certificate needs at least one extended key usage");
        }
        for (String oid : clientEkus) {
            if (FORBIDDEN_EKUS.contains(oid) || !oid.matches("[0-2](\\.(0|[1-9][0-9]{0,9})){1,20}")) {
                throw new IllegalArgumentException("extended key usage " + oid + " is not allowed");
            }
        }
    }

    /** DNS label rules (RFC 1123), optionally with one leading wildcard label. */
    public static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    /**
     * An addr-spec as RFC 5280 §4.2.1.6 requires of an rfc822Name: a dot-atom local part (RFC 5322 §3.4.1; no quoted
     * strings, no display name or angle brackets) of at most 64 characters, at a host name.
     */
    public static final Pattern EMAIL = Pattern.compile("(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
            + "(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?=.{1,253}$)"
            + "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    /** An absolute URI with a scheme (urn:uuid:…, IntuneDeviceId://…, https://…); no spaces. */
    public static final Pattern ABSOLUTE_URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s]{1,1000}");
    public static final Pattern UPN = Pattern.compile("[^@\\s]{1,256}@[^@\\s]{1,253}");

    public static IssuancePolicy defaults() {
        return new IssuancePolicy(Duration.ofDays(365), Duration.ofMinutes(5), Duration.ofDays(1), 2048, 8192,
                Set.of("secp256r1", "secp384r1", "secp521r1"),
                Set.of("CN", "O", "OU", "C", "ST", "L", "E", "SERIALNUMBER", "UID", "DC"),
                EnumSet.of(SanType.DNS, SanType.EMAIL, SanType.URI, SanType.UPN),
                Map.of(SanType.DNS, DNS_NAME, SanType.EMAIL, EMAIL, SanType.URI, ABSOLUTE_URI, SanType.UPN, UPN),
                false, RequestLimits.defaults(), true, Optional.empty(), Optional.empty(), Optional.empty(), List.of(CLIENT_AUTH));
    }

    public IssuancePolicy withValidity(Duration v) {
        // A validity shorter than the minimum remaining lifetime lowers that minimum with it (tests, short-lived CAs).
        return new IssuancePolicy(v, backdate, minRemaining.compareTo(v) > 0 ? v : minRemaining, minRsaBits, maxRsaBits,
                allowedCurves, subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl,
                ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withIntuneSid(boolean allow) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, sanPatterns, allow, limits, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withSanTypes(Set<SanType> types) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, types, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withSanPattern(SanType type, Pattern pattern) {
        var m = new java.util.HashMap<>(sanPatterns);
        m.put(type, pattern);
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, m, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withUrls(Optional<URI> crl, Optional<URI> ocsp, Optional<URI> caIssuers) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crl, ocsp, caIssuers, clientEkus);
    }

    public IssuancePolicy withLimits(RequestLimits l) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, l, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withMinRemaining(Duration d) {
        return new IssuancePolicy(validity, backdate, d, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withRsaBits(int min, int max) {
        return new IssuancePolicy(validity, backdate, minRemaining, min, max, allowedCurves, subjectAttributes,
                sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl, caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withClientEkus(List<String> ekus) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl,
                caIssuersUrl, ekus);
    }

    public IssuancePolicy withCurves(Set<String> curves) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, curves,
                subjectAttributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl,
                caIssuersUrl, clientEkus);
    }

    public IssuancePolicy withSubjectAttributes(Set<String> attributes) {
        return new IssuancePolicy(validity, backdate, minRemaining, minRsaBits, maxRsaBits, allowedCurves,
                attributes, sanTypes, sanPatterns, allowIntuneSid, limits, serverAuthAllowed, crlUrl, ocspUrl,
                caIssuersUrl, clientEkus);
    }

    /** Short description for start-up logs. */
    public List<String> describe() {
        return List.of("validity " + validity.toDays() + "d", "RSA " + minRsaBits + ".." + maxRsaBits,
                "EC " + allowedCurves, "SAN " + sanTypes + (allowIntuneSid ? " + Intune SID" : ""));
    }
}
