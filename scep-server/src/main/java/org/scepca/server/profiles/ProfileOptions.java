package org.scepca.server.profiles;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.scepca.profiles.Preset;

/**
 * What an admin asks for when making a profile; everything about the CA (root, GetCACert, validity, static
 * challenge) comes from the CA itself. Values are checked by {@link ProfileService}, which names the offending
 * option in a {@link ProfileOptionException}. Build with {@link #builder(Preset, String)}.
 *
 * @param preset              generic, jamf or intune
 * @param scepUrl             the SCEP URL devices use, http or https
 * @param subject             subject template such as {@code CN=$SERIALNUMBER,O=Example}; empty: the preset's default
 * @param sanDns              dNSName to request; may hold MDM variables
 * @param sanUri              uniformResourceIdentifier to request; empty: the preset's default
 * @param sanEmail            rfc822Name to request
 * @param keySize             2048 or 4096
 * @param keyUsage            Apple's bit mask: 1 signing, 4 encryption, 5 both
 * @param retries             polls after a PENDING reply
 * @param retryDelaySeconds   seconds between polls
 * @param displayName         profile name on the device; empty: {@code <organization> device certificate}
 * @param organization        empty: the root certificate's O (or CN)
 * @param challenge           where the challenge comes from
 * @param challengeTtl        lifetime of a one-time challenge (at most 30 days)
 * @param renewalDays         renewal hint in days before expiry; empty: 30, or less for short-lived certificates
 * @param includeIntermediate whether the issuing CA certificate goes into the profile
 * @param sign                sign with the CA's profile-signing identity
 * @param identifierPrefix    reverse-DNS prefix of the {@code PayloadIdentifier}s; empty: {@code
 *                            profile.identifier-prefix}, else one derived from the CA's root ({@link ProfileConfig})
 */
public record ProfileOptions(Preset preset, String scepUrl, Optional<String> subject, Optional<String> sanDns,
        Optional<String> sanUri, Optional<String> sanEmail, int keySize, int keyUsage, int retries,
        int retryDelaySeconds, Optional<String> displayName, Optional<String> organization, ChallengeSource challenge,
        Duration challengeTtl, OptionalInt renewalDays, boolean includeIntermediate, boolean sign,
        Optional<String> identifierPrefix) {

    public static final Duration DEFAULT_CHALLENGE_TTL = Duration.ofDays(7);

    public ProfileOptions {
        Objects.requireNonNull(preset, "preset is null");
        Objects.requireNonNull(scepUrl, "scepUrl is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(sanDns, "sanDns is null");
        Objects.requireNonNull(sanUri, "sanUri is null");
        Objects.requireNonNull(sanEmail, "sanEmail is null");
        Objects.requireNonNull(displayName, "displayName is null");
        Objects.requireNonNull(organization, "organization is null");
        Objects.requireNonNull(challenge, "challenge is null");
        Objects.requireNonNull(challengeTtl, "challengeTtl is null");
        Objects.requireNonNull(renewalDays, "renewalDays is null");
        Objects.requireNonNull(identifierPrefix, "identifierPrefix is null");
    }

    /**
     * These options for one known device (the batch tools): exactly this subject and these SANs, and a one-time
     * challenge, which {@link ProfileService} then binds to them.
     */
    public ProfileOptions forDevice(String deviceSubject, Optional<String> deviceSanUri, Optional<String> deviceSanEmail) {
        return new ProfileOptions(preset, scepUrl, Optional.of(deviceSubject), Optional.empty(), deviceSanUri,
                deviceSanEmail, keySize, keyUsage, retries, retryDelaySeconds, displayName, organization,
                ChallengeSource.ONE_TIME, challengeTtl, renewalDays, includeIntermediate, sign, identifierPrefix);
    }

    /** Defaults: key size 2048, key usage 5, 3 retries 10 s apart, challenge AUTO for 7 days, intermediate included, unsigned. */
    public static Builder builder(Preset preset, String scepUrl) {
        return new Builder(preset, scepUrl);
    }

    /** Collects options; setters take the values as typed by an admin (null means "not given"). */
    public static final class Builder {
        private final Preset preset;
        private final String scepUrl;
        private String subject;
        private String sanDns;
        private String sanUri;
        private String sanEmail;
        private int keySize = 2048;
        private int keyUsage = 5;
        private int retries = 3;
        private int retryDelaySeconds = 10;
        private String displayName;
        private String organization;
        private ChallengeSource challenge = ChallengeSource.AUTO;
        private Duration challengeTtl = DEFAULT_CHALLENGE_TTL;
        private Integer renewalDays;
        private boolean includeIntermediate = true;
        private boolean sign;
        private String identifierPrefix;

        private Builder(Preset preset, String scepUrl) {
            this.preset = preset;
            this.scepUrl = scepUrl;
        }

        public Builder subject(String value) { this.subject = value; return this; }
        public Builder sanDns(String value) { this.sanDns = value; return this; }
        public Builder sanUri(String value) { this.sanUri = value; return this; }
        public Builder sanEmail(String value) { this.sanEmail = value; return this; }
        public Builder keySize(int value) { this.keySize = value; return this; }
        public Builder keyUsage(int value) { this.keyUsage = value; return this; }
        public Builder retries(int value) { this.retries = value; return this; }
        public Builder retryDelaySeconds(int value) { this.retryDelaySeconds = value; return this; }
        public Builder displayName(String value) { this.displayName = value; return this; }
        public Builder organization(String value) { this.organization = value; return this; }
        public Builder challenge(ChallengeSource value) { this.challenge = value; return this; }
        public Builder challengeTtl(Duration value) { this.challengeTtl = value; return this; }
        public Builder renewalDays(Integer value) { this.renewalDays = value; return this; }
        public Builder includeIntermediate(boolean value) { this.includeIntermediate = value; return this; }
        public Builder sign(boolean value) { this.sign = value; return this; }
        public Builder identifierPrefix(String value) { this.identifierPrefix = value; return this; }

        public ProfileOptions build() {
            return new ProfileOptions(preset, scepUrl == null ? "" : scepUrl, Optional.ofNullable(subject),
                    Optional.ofNullable(sanDns), Optional.ofNullable(sanUri), Optional.ofNullable(sanEmail), keySize,
                    keyUsage, retries, retryDelaySeconds, Optional.ofNullable(displayName),
                    Optional.ofNullable(organization), challenge, challengeTtl,
                    renewalDays == null ? OptionalInt.empty() : OptionalInt.of(renewalDays), includeIntermediate, sign,
                    Optional.ofNullable(identifierPrefix));
        }
    }
}
