package org.scepca.ca.endpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PolicyViolationException;

/**
 * An endpoint's rules for subject and SANs, beyond the attributes and SAN types its policy allows.
 *
 * <ul>
 *   <li>{@code subject-template}: the subject must have exactly these attributes (in any order), literal values equal
 *       (case-insensitive) and each {@code $VARIABLE} a non-empty value. {@code $SERIALNUMBER} and {@code $UDID} must
 *       equal the device a Jamf challenge was minted for, when it names one: that is what makes a dynamic challenge
 *       good for its own device only. The variables are those Jamf Pro and Apple profiles use.</li>
 *   <li>{@code subject-pattern}: a regular expression the whole subject (RFC 4514 string, as listings show it) must
 *       match.</li>
 *   <li>{@code subject-required}: attribute=value pairs the subject must contain.</li>
 *   <li>{@code san-templates}: every requested SAN must match one of them ("type:value", variables as above); with
 *       {@code san-required}, every template must be matched by a requested SAN.</li>
 * </ul>
 */
public record NameTemplate(List<Rdn> subjectTemplate, Optional<Pattern> subjectPattern, List<Rdn> subjectRequired,
        List<String> sanTemplates, boolean sanRequired) {

    /** One attribute=value of a template; the value may contain {@code $VARIABLES}. */
    public record Rdn(String attribute, String value) {
        public Rdn {
            Objects.requireNonNull(attribute, "attribute is null");
            Objects.requireNonNull(value, "value is null");
        }
    }

    public static final NameTemplate NONE = new NameTemplate(List.of(), Optional.empty(), List.of(), List.of(), false);

    private static final Pattern VARIABLE = Pattern.compile("\\$([A-Z][A-Z0-9_]*)");
    /** Where a variable's value ends: values never span attributes or SANs, and never contain control characters. */
    private static final String VARIABLE_VALUE = "([^\\p{Cntrl}]{1,256}?)";

    public NameTemplate {
        subjectTemplate = List.copyOf(subjectTemplate);
        Objects.requireNonNull(subjectPattern, "subjectPattern is null");
        subjectRequired = List.copyOf(subjectRequired);
        sanTemplates = List.copyOf(sanTemplates);
        if (sanRequired && sanTemplates.isEmpty()) {
            throw new IllegalArgumentException("san-required needs san-templates");
        }
    }

    public boolean isEmpty() {
        return subjectTemplate.isEmpty() && subjectPattern.isEmpty() && subjectRequired.isEmpty() && sanTemplates.isEmpty();
    }

    /**
     * "CN=$SERIALNUMBER,O=Example Corp" as a list of attribute=value pairs. Commas inside a value are written
     * {@code \,} (as in Apple's and Jamf's subject fields); {@code +} is not supported in templates.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static List<Rdn> parseRdns(String text) {
        List<Rdn> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cur.append(text.charAt(++i));
            } else if (c == ',') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not attribute=value");
            }
            String attr = part.substring(0, eq).strip().toUpperCase(Locale.ROOT);
            String value = part.substring(eq + 1).strip();
            if (value.isEmpty()) {
                throw new IllegalArgumentException("attribute " + attr + " has no value");
            }
            oid(attr); // validates the name
            out.add(new Rdn(attr, value));
        }
        return out;
    }

    /** The object identifier of a subject attribute short name (CN, O, OU, C, ST, L, E, SERIALNUMBER, UID, DC). */
    static ASN1ObjectIdentifier oid(String attribute) {
        try {
            return BCStyle.INSTANCE.attrNameToOID(attribute);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown subject attribute " + attribute);
        }
    }

    /**
     * The rule for one request: {@code serial} and {@code udid} are the device a Jamf challenge was minted for
     * (empty: the variables take any value).
     */
    public NameRule rule(Optional<String> serial, Optional<String> udid) {
        if (isEmpty()) {
            return NameRule.any();
        }
        Map<String, String> bound = new HashMap<>();
        serial.ifPresent(s -> bound.put("SERIALNUMBER", s));
        udid.ifPresent(u -> bound.put("UDID", u));
        return (subject, der, sans) -> {
            List<Rdn> actual = attributes(der);
            if (!subjectTemplate.isEmpty()) {
                checkTemplate(actual, bound);
            }
            if (subjectPattern.isPresent() && !subjectPattern.get().matcher(subject).matches()) {
                throw new PolicyViolationException("the subject does not match this endpoint's subject-pattern");
            }
            for (Rdn r : subjectRequired) {
                if (actual.stream().noneMatch(a -> a.attribute().equals(r.attribute()) && a.value().equalsIgnoreCase(r.value()))) {
                    throw new PolicyViolationException("the subject must contain " + r.attribute() + "=" + r.value());
                }
            }
            if (!sanTemplates.isEmpty()) {
                checkSans(sans, bound);
            }
        };
    }

    private void checkTemplate(List<Rdn> actual, Map<String, String> bound) {
        List<Rdn> remaining = new ArrayList<>(actual);
        for (Rdn t : subjectTemplate) {
            Rdn match = null;
            for (Rdn a : remaining) {
                if (a.attribute().equals(t.attribute()) && matches(t.value(), a.value(), bound)) {
                    match = a;
                    break;
                }
            }
            if (match == null) {
                throw new PolicyViolationException("the subject does not fit this endpoint's template: "
                        + t.attribute() + "=" + describe(t.value(), bound) + " is missing");
            }
            remaining.remove(match);
        }
        if (!remaining.isEmpty()) {
            throw new PolicyViolationException("the subject has " + remaining.get(0).attribute()
                    + " that this endpoint's template does not have");
        }
    }

    private void checkSans(List<String> sans, Map<String, String> bound) {
        boolean[] used = new boolean[sanTemplates.size()];
        for (String san : sans) {
            boolean ok = false;
            for (int i = 0; i < sanTemplates.size(); i++) {
                String t = sanTemplates.get(i);
                int colon = t.indexOf(':');
                String type = t.substring(0, colon);
                if (san.startsWith(type + ":") && matches(t.substring(colon + 1), san.substring(colon + 1), bound)) {
                    used[i] = true;
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                throw new PolicyViolationException("the name " + san + " does not fit this endpoint's san-templates");
            }
        }
        if (sanRequired) {
            for (int i = 0; i < used.length; i++) {
                if (!used[i]) {
                    throw new PolicyViolationException("this endpoint requires a name like " + describe(sanTemplates.get(i), bound));
                }
            }
        }
    }

    /** A template value with bound variables filled in, for refusal messages. */
    private static String describe(String template, Map<String, String> bound) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(bound.getOrDefault(m.group(1), m.group())));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** Literal parts compare case-insensitively; bound variables must equal their value, others any non-empty value. */
    static boolean matches(String template, String value, Map<String, String> bound) {
        StringBuilder regex = new StringBuilder();
        Matcher m = VARIABLE.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            String v = bound.get(m.group(1));
            regex.append(v != null ? Pattern.quote(v) : VARIABLE_VALUE);
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(value).matches();
    }

    /** The subject's attributes as short name and string value. */
    private static List<Rdn> attributes(byte[] der) {
        List<Rdn> out = new ArrayList<>();
        X500Name name = X500Name.getInstance(der);
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                String attr = BCStyle.INSTANCE.oidToDisplayName(atv.getType());
                String value = atv.getValue() instanceof ASN1String s ? s.getString() : atv.getValue().toString();
                out.add(new Rdn(attr == null ? atv.getType().getId() : attr.toUpperCase(Locale.ROOT), value));
            }
        }
        return out;
    }

    static byte[] encode(X500Name n) {
        try {
            return n.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
