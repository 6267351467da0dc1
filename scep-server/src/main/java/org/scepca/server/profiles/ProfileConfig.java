package org.scepca.server.profiles;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.profiles.IdentifierPrefix;

/**
 * The {@code profile.*} keys of scepca.properties, a family {@link CaConfig} leaves to this model
 * ({@link CaConfig#DELEGATED_PREFIXES}): an unknown {@code profile.} key is an error here, naming the key.
 *
 * @param identifierPrefix {@code profile.identifier-prefix}: the reverse-DNS prefix of every profile's
 *                         {@code PayloadIdentifier}; empty: {@link IdentifierPrefix#forRoot derived from the root}
 */
public record ProfileConfig(Optional<IdentifierPrefix> identifierPrefix) {
    public static final String PREFIX = "profile.";
    public static final String IDENTIFIER_PREFIX = "profile.identifier-prefix";
    public static final Set<String> KEYS = CaConfig.PROFILE_KEYS;

    public ProfileConfig {
        Objects.requireNonNull(identifierPrefix, "identifierPrefix is null");
    }

    /** The {@code profile.*} keys of a CA's configuration, validated. */
    public static ProfileConfig of(CaConfig config) {
        return from(config.delegatedProperties());
    }

    /** @throws InvalidConfigException naming the key that is unknown or invalid */
    public static ProfileConfig from(Properties p) {
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith(PREFIX) && !KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known " + PREFIX + " keys: "
                        + KEYS.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
        Optional<String> prefix = Optional.ofNullable(p.getProperty(IDENTIFIER_PREFIX)).map(String::strip)
                .filter(v -> !v.isEmpty());
        if (prefix.isPresent() && !IdentifierPrefix.isValid(prefix.get())) {
            throw new InvalidConfigException(IDENTIFIER_PREFIX + " must be reverse-DNS like com.example.staging"
                    + " (letters, digits, inner hyphens, at least two labels, at most " + IdentifierPrefix.MAX_LENGTH
                    + " characters)");
        }
        return new ProfileConfig(prefix.map(IdentifierPrefix::new));
    }

    /** The configured prefix, else the one derived from this CA's root. */
    public IdentifierPrefix identifierPrefixFor(X509Certificate root) {
        return identifierPrefix.orElseGet(() -> IdentifierPrefix.forRoot(root));
    }
}
