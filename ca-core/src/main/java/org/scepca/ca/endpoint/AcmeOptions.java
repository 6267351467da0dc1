package org.scepca.ca.endpoint;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What makes an endpoint an ACME (RFC 8555) endpoint ({@code endpoint.NAME.protocol=acme}), served at
 * {@code <base>/acme/NAME/directory}. The issuance policy (key sizes, curves, SAN types and patterns, validity) is the
 * endpoint's as for SCEP; these are the protocol's own settings.
 *
 * @param baseUrl             the public base URL the directory's absolute URLs are built on (clients sign them into
 *                            every request, so they come from configuration, never from a Host header)
 * @param challenges          the challenge types offered: {@code http-01}, {@code dns-01}, {@code device-attest-01}
 * @param allowPrivateTargets http-01 and dns-01 may reach loopback, private and link-local addresses (labs, tests);
 *                            off by default, so a client cannot point the CA at the operator's own network
 * @param httpPort            the port http-01 validation connects to (RFC 8555 section 8.3: 80)
 * @param dnsResolver         the DNS server dns-01 asks (host or host:port); empty: the system's resolvers
 * @param termsOfService      a terms-of-service URL named in the directory
 * @param devicePolicy        which attested devices device-attest-01 admits: {@code allow-list} (the default: only
 *                            serials/UDIDs added with {@code scepca acme devices add}; Apple attests every managed
 *                            device, including those of another organisation's MDM) or {@code any}
 * @param deviceListFromJamf  the allow-list also holds every serial number and UDID in Jamf Pro's inventory, kept in
 *                            step by the Jamf device sync ({@code acme-device-list-from=jamf}); entries added by hand
 *                            stay as they are
 */
public record AcmeOptions(URI baseUrl, Set<String> challenges, boolean allowPrivateTargets, int httpPort,
        Optional<String> dnsResolver, Optional<URI> termsOfService, String devicePolicy, boolean deviceListFromJamf) {
    /** Every challenge type the configuration may name. */
    public static final Set<String> CHALLENGE_TYPES = Set.of("http-01", "dns-01", "device-attest-01");
    /** The values of {@code acme-device-policy}. */
    public static final Set<String> DEVICE_POLICIES = Set.of("allow-list", "any");

    /** The options without a device list fed from Jamf Pro. */
    public AcmeOptions(URI baseUrl, Set<String> challenges, boolean allowPrivateTargets, int httpPort,
            Optional<String> dnsResolver, Optional<URI> termsOfService, String devicePolicy) {
        this(baseUrl, challenges, allowPrivateTargets, httpPort, dnsResolver, termsOfService, devicePolicy, false);
    }

    /** The options without device-attest-01's device policy (its safe default applies). */
    public AcmeOptions(URI baseUrl, Set<String> challenges, boolean allowPrivateTargets, int httpPort,
            Optional<String> dnsResolver, Optional<URI> termsOfService) {
        this(baseUrl, challenges, allowPrivateTargets, httpPort, dnsResolver, termsOfService, "allow-list");
    }

    public AcmeOptions {
        Objects.requireNonNull(baseUrl, "baseUrl is null");
        challenges = Set.copyOf(challenges);
        if (challenges.isEmpty() || !CHALLENGE_TYPES.containsAll(challenges)) {
            throw new IllegalArgumentException("challenges must be some of " + CHALLENGE_TYPES);
        }
        if (httpPort < 1 || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort out of range");
        }
        Objects.requireNonNull(dnsResolver, "dnsResolver is null");
        Objects.requireNonNull(termsOfService, "termsOfService is null");
        if (!DEVICE_POLICIES.contains(devicePolicy)) {
            throw new IllegalArgumentException("devicePolicy must be one of " + DEVICE_POLICIES);
        }
        if (deviceListFromJamf && !(devicePolicy.equals("allow-list") && challenges.contains("device-attest-01"))) {
            throw new IllegalArgumentException("a device list from Jamf Pro needs device-attest-01 and the allow-list");
        }
    }

    /** The endpoint's ACME base, {@code <base URL>/acme/NAME}, without a trailing slash. */
    public String base(String endpointName) {
        String b = baseUrl.toString();
        return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/acme/" + endpointName;
    }
}
