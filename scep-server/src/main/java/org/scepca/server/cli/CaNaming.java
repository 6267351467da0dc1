package org.scepca.server.cli;

import java.net.URI;
import java.util.Optional;
import java.util.Properties;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.policy.SubjectAttributeSyntax;

import picocli.CommandLine.Option;

/**
 * What a new CA is called and where it will be reached, shared by {@code init} and the first {@code serve} on an empty
 * data folder: the CAs' names are in every certificate they issue and cannot change later, and so are the CRL and
 * OCSP URLs built from the public base URL.
 */
final class CaNaming {
    static final String DEFAULT = "scepca";

    @Option(names = "--name", paramLabel = "NAME",
            description = "Start of the CAs' common names: NAME Root CA, NAME Issuing CA, NAME SCEP RA. Default: " + DEFAULT)
    String name;
    @Option(names = "--org", paramLabel = "ORG",
            description = "Organization (O=) of the CAs' subjects, any characters. Default: " + DEFAULT)
    String org;
    @Option(names = "--public-base-url", paramLabel = "URL",
            description = {"URL devices and relying parties reach this server at (public-base-url in scepca.properties):"
                    + " the CRL, OCSP and CA-issuer URLs in every certificate are built from it, so set it before the"
                    + " first one. Prefer http:// (RFC 5280 §4.2.1.13: fetching revocation data over TLS is circular)."})
    String publicBaseUrl;

    String name() {
        return name == null ? DEFAULT : name.strip();
    }

    String org() {
        return org == null ? DEFAULT : org.strip();
    }

    boolean given() {
        return name != null || org != null;
    }

    /** The validated URL (the same rules as public-base-url in scepca.properties), if given. */
    Optional<URI> baseUrl() {
        if (publicBaseUrl == null) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.setProperty("public-base-url", publicBaseUrl.strip());
        try {
            return CaConfig.from(p).publicBaseUrl();
        } catch (CaConfig.InvalidConfigException e) {
            throw new Errors.UserException("--public-base-url: " + e.getMessage());
        }
    }

    /**
     * {@code dn} as given (Bouncy Castle keeps the order written), or {@code O=ORG,CN=NAME ROLE} built attribute by
     * attribute (commas in ORG are escaped): O before CN, from the most general attribute to the most specific.
     */
    X500Name subject(String dn, String role) {
        if (dn != null) {
            try {
                // Upper bounds and string types as for any certificate this CA writes (RFC 5280 Appendix A).
                return SubjectAttributeSyntax.encoded(new X500Name(dn));
            } catch (PolicyViolationException | IllegalArgumentException e) {
                throw new Errors.UserException("the " + role + " subject " + dn + ": " + e.getMessage());
            }
        }
        String cn = name() + " " + role;
        // RFC 5280 Appendix A: ub-common-name 64, ub-organization-name 64.
        if (name().isEmpty() || name().length() > 64 - " Issuing CA".length()) {
            throw new Errors.UserException("--name must be 1 to " + (64 - " Issuing CA".length()) + " characters");
        }
        if (org().isEmpty() || org().length() > 64) {
            throw new Errors.UserException("--org must be 1 to 64 characters");
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, org()).addRDN(BCStyle.CN, cn).build();
    }

    /** One line saying what the new CA will be called, for a first start that was not told. */
    String describe() {
        return "O=" + org() + ", CN=" + name() + " Root CA / Issuing CA / SCEP RA";
    }
}
