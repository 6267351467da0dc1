package org.scepca.ca.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;

/**
 * Which names a request may carry, on top of the issuance policy: who vouched for the request decides. A renewal
 * keeps the names of the certificate it renews ({@link #sameAs}); a challenge bound at creation allows only what its
 * patterns match ({@link NameBinding}); an unbound challenge allows whatever the policy allows ({@link #any}).
 * SANs are compared in the store's "type:value" form (dns:host.example, email:a@b, uri:..., ip:..., upn:...).
 */
@FunctionalInterface
public interface NameRule {
    /**
     * @param subject the subject as RFC 4514 string (what {@code X500Principal.getName()} and the store show)
     * @param subjectDer the subject's DER encoding
     * @param sans    the requested SANs as "type:value"
     * @throws PolicyViolationException (badRequest) naming what is not allowed
     */
    void check(String subject, byte[] subjectDer, List<String> sans);

    /** Both rules must allow the names (a challenge's binding and its endpoint's template, for one). */
    static NameRule all(NameRule a, NameRule b) {
        Objects.requireNonNull(a, "a is null");
        Objects.requireNonNull(b, "b is null");
        return (subject, der, sans) -> {
            a.check(subject, der, sans);
            b.check(subject, der, sans);
        };
    }

    static NameRule any() {
        return (subject, der, sans) -> { };
    }

    /**
     * A renewal (RFC 8894 §3.3.1.2: "the same subject name"): exactly the subject of the certificate it renews, and
     * only SANs that certificate has. Fewer SANs are allowed (a device may drop a name it no longer uses), never
     * another one: renewal is authorised by the old certificate alone, and that certificate vouches for its names only.
     */
    static NameRule sameAs(String subjectDn, List<String> subjectAltNames) {
        Objects.requireNonNull(subjectDn, "subjectDn is null");
        Set<String> allowed = new HashSet<>(subjectAltNames);
        // The email SAN the CA adds for a subject emailAddress (CsrValidator): the renewed certificate vouched for
        // that address in its subject, also when it was issued before the CA added the SAN.
        allowed.addAll(X500Match.subjectEmailSans(new X500Principal(subjectDn).getEncoded()));
        String expected = X500Match.key(new X500Principal(subjectDn).getEncoded());
        return (subject, der, sans) -> {
            if (!expected.equals(X500Match.key(der))) {
                throw new PolicyViolationException("a renewal must keep the subject of the certificate it renews");
            }
            for (String san : sans) {
                if (!allowed.contains(san)) {
                    throw new PolicyViolationException("a renewal may not add the name " + san
                            + " that the renewed certificate does not have");
                }
            }
        };
    }

    /** The subject as the store and listings show it (RFC 4514, last RDN first). */
    static String subjectString(X500Name subject) {
        try {
            return new X500Principal(subject.getEncoded()).getName();
        } catch (java.io.IOException e) {
            throw new PolicyViolationException("the subject cannot be encoded");
        }
    }
}
