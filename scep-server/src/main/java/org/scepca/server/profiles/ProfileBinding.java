package org.scepca.server.profiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.DERUTF8String;
import org.scepca.ca.policy.NameBinding;
import org.scepca.profiles.SubjectAltNames;
import org.scepca.profiles.SubjectTemplate;

/**
 * The names a profile's one-time challenge is bound to: the subject and SANs the profile makes the device ask for.
 * A value with an MDM variable ($SERIALNUMBER, {{DeviceId}}) is filled in per device by the MDM, so it cannot be
 * pinned here: such a profile's challenge is bound to the names without variables only, and not at all when the
 * subject has one (a SAN with a variable is then left free too: the binding would refuse it).
 */
final class ProfileBinding {
    private ProfileBinding() {
    }

    static Optional<NameBinding> of(SubjectTemplate subject, SubjectAltNames sans) {
        if (hasVariable(subject)) {
            return Optional.empty();
        }
        List<String> sanList = new ArrayList<>();
        boolean[] variable = {false};
        add(sanList, variable, "dns", sans.dnsName());
        add(sanList, variable, "email", sans.rfc822Name());
        add(sanList, variable, "uri", sans.uniformResourceIdentifier());
        add(sanList, variable, "upn", sans.ntPrincipalName());
        if (variable[0]) {
            return Optional.empty();
        }
        try {
            return NameBinding.of(Optional.of(dn(subject)), sanList);
        } catch (IllegalArgumentException e) {
            // The binding's own limits (pattern length, count): a subject or SAN the device could be sent but that
            // no challenge can be bound to is the request's problem, named (found by fuzzing the admin API's bodies).
            throw new ProfileOptionException("subject", "too long to bind the profile's challenge to (at most 512"
                    + " characters once written as a pattern)");
        }
    }

    private static void add(List<String> out, boolean[] variable, String type, String value) {
        if (value == null) {
            return;
        }
        if (isVariable(value)) {
            variable[0] = true;
        }
        out.add(type + ":" + value);
    }

    private static boolean hasVariable(SubjectTemplate subject) {
        return subject.rdns().stream().flatMap(List::stream).anyMatch(a -> isVariable(a.value()));
    }

    private static boolean isVariable(String value) {
        return value.contains("$") || value.contains("{{");
    }

    /** The subject as the device encodes it (RDNs in the profile's order), as an RFC 4514 string. */
    private static String dn(SubjectTemplate subject) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (List<SubjectTemplate.Attribute> rdn : subject.rdns()) {
            AttributeTypeAndValue[] atvs = new AttributeTypeAndValue[rdn.size()];
            for (int i = 0; i < rdn.size(); i++) {
                atvs[i] = new AttributeTypeAndValue(oid(rdn.get(i).type()), new DERUTF8String(rdn.get(i).value()));
            }
            b.addMultiValuedRDN(atvs);
        }
        try {
            return new X500Principal(b.build().getEncoded()).getName();
        } catch (IOException e) {
            throw new IllegalStateException("subject cannot be encoded", e);
        }
    }

    private static ASN1ObjectIdentifier oid(String type) {
        if (Character.isDigit(type.charAt(0))) {
            return new ASN1ObjectIdentifier(type);
        }
        return BCStyle.INSTANCE.attrNameToOID(type);
    }
}
