package org.scepca.ca.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import javax.security.auth.x500.X500Principal;

/**
 * The names a one-time challenge is bound to at creation. A CSR may use the challenge only if its subject matches
 * {@code subject} (any subject when absent) and every SAN it asks for matches one of {@code sans} (no SAN at all when
 * none is listed). A CSR may carry fewer SANs than listed.
 *
 * <p>Each pattern is either an exact value or {@code regex:} followed by a Java regular expression that must match
 * the whole value (it is anchored). At most {@value #MAX_PATTERN_LENGTH} characters per pattern and
 * {@value #MAX_SAN_PATTERNS} SAN patterns; every pattern is checked when the challenge is created.
 * <ul>
 * <li>Subject, exact: a DN such as {@code CN=alice,O=Example}; it matches as an X.500 name (case and spacing do not
 * matter) in either RDN order, because tools disagree on which end comes first.</li>
 * <li>Subject, regex: matched against the RFC 4514 string that listings show, last RDN first (a device asking for
 * CN=alice,O=Example is listed as {@code O=Example,CN=alice}): {@code regex:O=Example,CN=[a-z]+}.</li>
 * <li>SAN: {@code type:value} with type dns, email, uri, ip or upn: {@code dns:mac-17.example.com},
 * {@code regex:email:[a-z.]+@example\.com}. Exact dns and email values compare without regard to case.</li>
 * </ul>
 */
public record NameBinding(Optional<String> subject, List<String> sans) implements NameRule {
    public static final int MAX_PATTERN_LENGTH = 512;
    public static final int MAX_SAN_PATTERNS = 16;
    static final String REGEX = "regex:";
    private static final List<String> SAN_TYPES = List.of("dns", "email", "uri", "ip", "upn");
    /** Steps a regular expression may take over one value: bounds a catastrophic pattern an admin typed by mistake. */
    private static final int MATCH_BUDGET = 200_000;

    public NameBinding {
        Objects.requireNonNull(subject, "subject is null");
        sans = List.copyOf(sans);
        if (subject.isEmpty() && sans.isEmpty()) {
            throw new IllegalArgumentException("a binding names a subject, SANs or both");
        }
        if (sans.size() > MAX_SAN_PATTERNS) {
            throw new IllegalArgumentException("at most " + MAX_SAN_PATTERNS + " SAN patterns");
        }
        subject.ifPresent(NameBinding::checkSubjectPattern);
        sans.forEach(NameBinding::checkSanPattern);
    }

    /** Builds a binding from optional CLI/API values; empty if nothing is bound. */
    public static Optional<NameBinding> of(Optional<String> subject, List<String> sans) {
        Optional<String> s = subject.map(String::strip).filter(v -> !v.isEmpty());
        List<String> list = new ArrayList<>();
        for (String san : sans) {
            String v = san.strip();
            if (!v.isEmpty()) {
                list.add(v);
            }
        }
        return s.isEmpty() && list.isEmpty() ? Optional.empty() : Optional.of(new NameBinding(s, list));
    }

    @Override
    public void check(String subjectString, byte[] subjectDer, List<String> requestedSans) {
        if (subject.isPresent() && !subjectMatches(subject.get(), subjectString, subjectDer)) {
            throw new PolicyViolationException("the subject is not the one this challenge is bound to");
        }
        // A subject the binding names vouches for its own emailAddress, which the CA also writes as an email SAN.
        Set<String> vouched = subject.isPresent() ? X500Match.subjectEmailSans(subjectDer) : Set.of();
        for (String san : requestedSans) {
            if (!vouched.contains(san) && sans.stream().noneMatch(p -> sanMatches(p, san))) {
                throw new PolicyViolationException("the challenge is not bound to the name " + san);
            }
        }
    }

    private static boolean subjectMatches(String pattern, String subjectString, byte[] der) {
        if (pattern.startsWith(REGEX)) {
            return regexMatches(pattern, subjectString);
        }
        String actual = X500Match.key(der);
        return subjectForms(pattern).stream().anyMatch(p -> X500Match.key(p.getEncoded()).equals(actual));
    }

    private static boolean sanMatches(String pattern, String san) {
        if (pattern.startsWith(REGEX)) {
            return regexMatches(pattern, san);
        }
        int colon = pattern.indexOf(':');
        String type = pattern.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = pattern.substring(colon + 1);
        if (!san.startsWith(type + ":")) {
            return false;
        }
        String actual = san.substring(type.length() + 1);
        return type.equals("dns") || type.equals("email") ? actual.equalsIgnoreCase(value) : actual.equals(value);
    }

    private static boolean regexMatches(String pattern, String value) {
        try {
            return Pattern.compile(pattern.substring(REGEX.length())).matcher(new Budgeted(value)).matches();
        } catch (Budgeted.Exhausted e) {
            return false;
        }
    }

    /** The DN as written (RFC 4514, last RDN first) and in encoding order, as {@code MtlsGrant} used to accept. */
    private static List<X500Principal> subjectForms(String dn) {
        X500Principal rfc4514 = new X500Principal(dn);
        try {
            X500Principal asWritten = new X500Principal(new org.bouncycastle.asn1.x500.X500Name(dn).getEncoded());
            return List.of(rfc4514, asWritten);
        } catch (java.io.IOException | RuntimeException e) {
            return List.of(rfc4514);
        }
    }

    private static void checkLength(String what, String p) {
        if (p.isEmpty() || p.length() > MAX_PATTERN_LENGTH) {
            throw new IllegalArgumentException(what + " pattern must have 1 to " + MAX_PATTERN_LENGTH + " characters");
        }
        if (p.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new IllegalArgumentException(what + " pattern contains a control character");
        }
    }

    private static void checkSubjectPattern(String p) {
        checkLength("subject", p);
        if (p.startsWith(REGEX)) {
            compile("subject", p);
            return;
        }
        try {
            subjectForms(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subject '" + p + "' is not a distinguished name (CN=...,O=...)"
                    + " nor 'regex:' and a regular expression");
        }
    }

    private static void checkSanPattern(String p) {
        checkLength("SAN", p);
        if (p.startsWith(REGEX)) {
            compile("SAN", p);
            return;
        }
        int colon = p.indexOf(':');
        if (colon <= 0 || !SAN_TYPES.contains(p.substring(0, colon).toLowerCase(Locale.ROOT)) || colon == p.length() - 1) {
            throw new IllegalArgumentException("SAN '" + p + "' must be type:value with type dns, email, uri, ip or upn,"
                    + " or 'regex:' and a regular expression over type:value");
        }
    }

    private static void compile(String what, String p) {
        try {
            Pattern.compile(p.substring(REGEX.length()));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " pattern is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** Human-readable, for listings: {@code subject=...; san=...; san=...}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        subject.ifPresent(s -> parts.add("subject=" + s));
        sans.forEach(s -> parts.add("san=" + s));
        return String.join("; ", parts);
    }

    /** A value that stops a runaway regular expression: every character read costs one step of a fixed budget. */
    private static final class Budgeted implements CharSequence {
        private final String value;
        private final int[] left;

        Budgeted(String value) {
            this(value, new int[] {MATCH_BUDGET});
        }

        private Budgeted(String value, int[] left) {
            this.value = value;
            this.left = left;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new Exhausted();
            }
            return value.charAt(index);
        }

        @Override
        public int length() {
            return value.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(value.substring(start, end), left);
        }

        @Override
        public String toString() {
            return value;
        }

        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super("regular expression budget exhausted", null, false, false);
            }
        }
    }
}
