package org.scepca.acme;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

import org.scepca.acme.AcmeProblem.Type;

/**
 * dns-01 (RFC 8555 section 8.4): a TXT record at {@code _acme-challenge.NAME} must hold base64url(SHA-256(key
 * authorization)). The only validation that can prove control of a wildcard name. The look-up goes to the configured
 * resolver (or the system's) through the JDK's own DNS client (JNDI {@code dns:}), with bounded timeouts; the
 * client names no host we connect to, so no private-target rule is needed here.
 */
public final class Dns01Validator implements ChallengeValidator {
    /** The TXT strings at a name: empty when the name has none (or does not exist). */
    @FunctionalInterface
    public interface TxtLookup {
        /** @throws AcmeProblem (dns) when the resolver cannot answer */
        List<String> txt(String name);
    }

    private final TxtLookup lookup;

    public Dns01Validator(TxtLookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup is null");
    }

    @Override
    public String type() {
        return "dns-01";
    }

    @Override
    public boolean supports(Identifier identifier) {
        return identifier.isDns();
    }

    @Override
    public Outcome validate(Attempt attempt) {
        String name = "_acme-challenge." + attempt.identifier().base().value();
        String expected = digest(attempt.keyAuthorization());
        List<String> records;
        try {
            records = lookup.txt(name);
        } catch (AcmeProblem p) {
            return Outcome.invalid(p);
        }
        if (records.contains(expected)) {
            return Outcome.valid();
        }
        return Outcome.invalid(Type.INCORRECT_RESPONSE, records.isEmpty() ? "no TXT record at " + name
                : "no TXT record at " + name + " holds the expected digest of the key authorization");
    }

    /** base64url(SHA-256(key authorization)), the TXT value (section 8.4). */
    public static String digest(String keyAuthorization) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * TXT look-ups with the JDK's DNS provider.
     *
     * @param server  host or host:port of the resolver to ask; empty: the system's resolvers
     * @param timeout the first attempt's timeout (the provider doubles it for each of 2 retries)
     */
    public static TxtLookup jndi(Optional<String> server, Duration timeout) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", server.map(s -> "dns://" + s).orElse("dns:"));
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(timeout.toMillis()));
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        return name -> {
            DirContext ctx = null;
            try {
                ctx = new InitialDirContext(env);
                Attributes attrs = ctx.getAttributes(name, new String[] {"TXT"});
                Attribute txt = attrs.get("TXT");
                List<String> out = new ArrayList<>();
                if (txt != null) {
                    NamingEnumeration<?> values = txt.getAll();
                    while (values.hasMore() && out.size() < 32) {
                        out.add(joinStrings(String.valueOf(values.next())));
                    }
                }
                return out;
            } catch (NameNotFoundException e) {
                return List.of();
            } catch (NamingException e) {
                throw new AcmeProblem(Type.DNS, "the TXT look-up of " + name + " failed ("
                        + e.getClass().getSimpleName() + ")");
            } finally {
                if (ctx != null) {
                    try {
                        ctx.close();
                    } catch (NamingException ignored) {
                        // nothing held open
                    }
                }
            }
        };
    }

    /** JNDI renders a TXT record of several character-strings as {@code "a" "b"}; RFC 8555 values are one string. */
    static String joinStrings(String v) {
        if (!v.startsWith("\"")) {
            return v;
        }
        StringBuilder b = new StringBuilder();
        for (String part : v.split("\"\\s+\"")) {
            b.append(part.replace("\"", ""));
        }
        return b.toString();
    }
}
