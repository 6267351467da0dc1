package org.scepca.server.profiles;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.scepca.profiles.IntuneSheet;
import org.scepca.profiles.Preset;

/**
 * A profile ready to hand out, with what the admin should know about it. The bytes hold the challenge (when there
 * is one), so they are a secret; {@link #toString()} leaves them out.
 *
 * @param preset                 the preset it was made for
 * @param mobileconfig           the plist, or CMS SignedData wrapping it when signed
 * @param signer                 the signing certificate, when signed
 * @param challenge              which challenge the profile carries
 * @param fingerprintCertificate the certificate whose SHA-1 is the SCEP profile's CAFingerprint
 * @param intuneSheet            for a SCEP profile of the intune preset: the values for Intune's own forms and the root
 * @param protocol               whether the profile enrolls over SCEP or ACME
 */
public record GeneratedProfile(Preset preset, byte[] mobileconfig, Optional<X509Certificate> signer,
        ChallengeUse challenge, X509Certificate fingerprintCertificate, Optional<IntuneSheet> intuneSheet,
        Protocol protocol) {

    /** The enrollment protocol a profile's payload uses. */
    public enum Protocol {
        SCEP, ACME;

        /** Lower case, as the CLI, the API and the audit line spell it. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The one media type Apple devices open as a configuration profile. */
    public static final String CONTENT_TYPE = "application/x-apple-aspen-config";

    public GeneratedProfile {
        Objects.requireNonNull(preset, "preset is null");
        mobileconfig = Objects.requireNonNull(mobileconfig, "mobileconfig is null").clone();
        Objects.requireNonNull(signer, "signer is null");
        Objects.requireNonNull(challenge, "challenge is null");
        Objects.requireNonNull(fingerprintCertificate, "fingerprintCertificate is null");
        Objects.requireNonNull(intuneSheet, "intuneSheet is null");
        Objects.requireNonNull(protocol, "protocol is null");
    }

    /** A copy of the profile bytes. */
    @Override
    public byte[] mobileconfig() {
        return mobileconfig.clone();
    }

    public boolean signed() {
        return signer.isPresent();
    }

    /** The download name: {@code scepca-<preset>.mobileconfig}, for ACME {@code scepca-<preset>-acme.mobileconfig}. */
    public String fileName() {
        return "scepca-" + preset.id() + (protocol == Protocol.ACME ? "-acme" : "") + ".mobileconfig";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedProfile g && preset == g.preset && Arrays.equals(mobileconfig, g.mobileconfig)
                && signer.equals(g.signer) && challenge.equals(g.challenge)
                && fingerprintCertificate.equals(g.fingerprintCertificate) && intuneSheet.equals(g.intuneSheet)
                && protocol == g.protocol;
    }

    @Override
    public int hashCode() {
        return Objects.hash(preset, Arrays.hashCode(mobileconfig), signer, challenge, fingerprintCertificate, intuneSheet,
                protocol);
    }

    @Override
    public String toString() {
        return "GeneratedProfile[" + preset.id() + ", " + protocol.id() + ", " + mobileconfig.length + " bytes, "
                + (signed() ? "signed" : "unsigned") + ", " + challenge + "]";
    }

    /**
     * Which challenge a profile carries. Never the secret itself: a one-time challenge is known by its id (listed by
     * {@code scepca challenge list}, deleted by {@code scepca challenge delete ID}).
     *
     * @param kind      one-time, the configured static one, none (Jamf dynamic), or none at all (ACME: the device
     *                  proves itself with Apple's attestation)
     * @param id        the one-time challenge's id
     * @param expiresAt when the one-time challenge stops working
     */
    public record ChallengeUse(Kind kind, Optional<String> id, Optional<Instant> expiresAt) {
        public enum Kind { ONE_TIME, STATIC, DYNAMIC, NONE }

        public ChallengeUse {
            Objects.requireNonNull(kind, "kind is null");
            Objects.requireNonNull(id, "id is null");
            Objects.requireNonNull(expiresAt, "expiresAt is null");
        }

        static ChallengeUse oneTime(String id, Instant expiresAt) {
            return new ChallengeUse(Kind.ONE_TIME, Optional.of(id), Optional.of(expiresAt));
        }

        static ChallengeUse of(Kind kind) {
            return new ChallengeUse(kind, Optional.empty(), Optional.empty());
        }
    }
}
