package org.scepca.server.profiles;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x500.style.BCStyle;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.challenge.ChallengeService.MintedChallenge;
import org.scepca.ca.keys.Passphrase;
import org.scepca.profiles.AcmeProfileRequest;
import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.IntuneSheet;
import org.scepca.profiles.InvalidProfileOptionException;
import org.scepca.profiles.Preset;
import org.scepca.profiles.ProfileGenerator;
import org.scepca.profiles.ProfileRequest;
import org.scepca.profiles.ProfileSigner;
import org.scepca.profiles.SubjectAltNames;
import org.scepca.scep.ScepService;
import org.scepca.server.profiles.GeneratedProfile.ChallengeUse;

/**
 * Makes enrollment profiles for this CA: the root (and by default the issuing CA) as trust payloads, a SCEP payload
 * whose {@code CAFingerprint} is the certificate Apple devices check in our GetCACert reply (see {@link
 * CaFingerprint}), a challenge, and optionally a signature. Thread-safe; the CLI, the HTTP download and the admin API
 * share it.
 *
 * <p>Options are validated completely before anything happens, so a bad option never leaves a minted challenge or a
 * new signing certificate behind. Every profile made is one audit line (without the secret).
 */
public final class ProfileService {
    /** The endpoint whose profiles this service makes. */
    public EnrollmentEndpoint endpoint() {
        return endpoint;
    }

    /** Stands in for the challenge while options are validated, before a real one is minted. */
    private static final String VALIDATION_PLACEHOLDER = "challenge-not-yet-minted";
    private static final int DEFAULT_RENEWAL_DAYS = 30;

    /** Which option a message from mdm-profiles is about; its messages start with the option's Java name. */
    private static final List<Map.Entry<String, String>> FIELDS = List.of(
            Map.entry("subjectAltName dNSName", "san-dns"),
            Map.entry("subjectAltName rfc822Name", "san-email"),
            Map.entry("subjectAltName uniformResourceIdentifier", "san-uri"),
            Map.entry("malformed subject template", "subject"),
            Map.entry("subject", "subject"),
            Map.entry("url", "url"),
            Map.entry("preset", "preset"),
            Map.entry("keySize", "key-size"),
            Map.entry("keyUsage", "key-usage"),
            Map.entry("retryDelay", "retry-delay"),
            Map.entry("retries", "retries"),
            Map.entry("displayName", "display-name"),
            Map.entry("organization", "organization"),
            Map.entry("renewalDaysBeforeExpiry", "renewal-days"),
            Map.entry("certificateValidityDays", "policy.validity-days"),
            Map.entry("challengeMode", "jamf-challenge"),
            Map.entry("challenge must not be set with challengeMode", "jamf-challenge"),
            Map.entry("challenge", "static-challenge"),
            Map.entry("includeIntermediate", "intermediate"),
            Map.entry("identifierPrefix", "identifier-prefix"),
            Map.entry("signer", "signing-p12"),
            Map.entry("profile signing key", "signing-p12"));

    /** ACME options first: an ACME payload's {@code keySize} is not the SCEP {@code key-size}. */
    private static final List<Map.Entry<String, String>> ACME_FIELDS = Stream.concat(Stream.of(
            Map.entry("directoryUrl", "directory-url"),
            Map.entry("clientIdentifier", "client-identifier"),
            Map.entry("keyType", "acme-key-type"),
            Map.entry("keySize", "acme-key-size"),
            Map.entry("hardwareBound", "hardware-bound"),
            Map.entry("attest", "attest"),
            Map.entry("usageFlags", "usage-flags"),
            Map.entry("extendedKeyUsage", "eku"),
            Map.entry("keyIsExtractable", "hardware-bound")), FIELDS.stream()).toList();

    private final CertificateAuthority ca;
    private final List<X509Certificate> getCaCert;
    private final X509Certificate fingerprintCertificate;
    private final ProfileSigningIdentityStore signingIdentities;
    private final ProfileGenerator generator = new ProfileGenerator();
    private final ProfileSigner signer;
    private final EnrollmentEndpoint endpoint;
    private final IdentifierPrefix defaultIdentifierPrefix;

    /**
     * @param ca                the CA
     * @param getCaCert         the certificates our GetCACert reply carries
     * @param signingIdentities the CA's own profile-signing identity
     */
    public ProfileService(CertificateAuthority ca, List<X509Certificate> getCaCert,
            ProfileSigningIdentityStore signingIdentities) {
        this(ca, getCaCert, signingIdentities, ca.endpoints().defaultEndpoint());
    }

    /** Profiles for one enrollment endpoint: its challenges, its static challenge, its GetCACert. */
    public ProfileService(CertificateAuthority ca, List<X509Certificate> getCaCert,
            ProfileSigningIdentityStore signingIdentities, EnrollmentEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.getCaCert = List.copyOf(getCaCert);
        this.fingerprintCertificate = CaFingerprint.certificate(this.getCaCert);
        this.signingIdentities = Objects.requireNonNull(signingIdentities, "signingIdentities is null");
        this.signer = new ProfileSigner(ca.clock());
        // Validated here, at start-up (the server makes its ProfileService when it starts): errors name the key.
        this.defaultIdentifierPrefix = ProfileConfig.of(ca.config()).identifierPrefixFor(ca.material().root());
    }

    /** The {@code PayloadIdentifier} prefix of profiles made without one: configured, else derived from the root. */
    public IdentifierPrefix defaultIdentifierPrefix() {
        return defaultIdentifierPrefix;
    }

    /** The service for a CA and the SCEP service in front of it; the passphrase protects the signing key at rest. */
    public static ProfileService create(CertificateAuthority ca, ScepService scep, Passphrase passphrase) {
        return new ProfileService(ca, CaFingerprint.certificatesOf(scep.getCaCert()),
                new ProfileSigningIdentityStore(ca, passphrase), scep.endpoint());
    }

    /**
     * Makes a profile, signed with the CA's profile-signing identity when {@code options.sign()}.
     *
     * @param actor who asks, for the audit line and the challenge note ({@code cli}, {@code http:127.0.0.1}, a token name)
     * @throws ProfileOptionException naming the option when an option is unusable
     */
    public GeneratedProfile generate(ProfileOptions options, String actor) {
        Objects.requireNonNull(options, "options is null");
        return generate(options, () -> options.sign() ? Optional.of(signingIdentities.current()) : Optional.empty(),
                actor, Optional.empty());
    }

    /**
     * A profile for one named device (the batch tools): its one-time challenge's note and the audit line name the
     * device, and it is signed with {@code signingIdentity} when given, else as {@code options.sign()} says.
     */
    public GeneratedProfile generateForDevice(ProfileOptions options, Optional<SigningIdentity> signingIdentity,
            String device, String actor) {
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(signingIdentity, "signingIdentity is null");
        Objects.requireNonNull(device, "device is null");
        return generate(options, () -> signingIdentity.isPresent() ? signingIdentity
                : options.sign() ? Optional.of(signingIdentities.current()) : Optional.empty(), actor, Optional.of(device));
    }

    /**
     * Deletes the one-time challenge a profile carries, when the profile will never reach anyone (its file could not
     * be written): a challenge nobody can see must not stay usable.
     */
    public void discard(GeneratedProfile profile) {
        profile.challenge().id().ifPresent(id -> ca.challenges().delete(id));
    }

    /** The organization a profile made with {@code options} shows: the option, else the root's O (or CN). */
    public String organization(ProfileOptions options) {
        return options.organization().orElseGet(() -> defaultOrganization(ca.material().root()));
    }

    /**
     * Makes a profile signed with the given identity (e.g. an imported PKCS#12), whatever {@code options.sign()} says.
     *
     * @throws ProfileOptionException naming the option when an option is unusable, or {@code signing-p12} when the
     *                                identity cannot sign (expired, key and certificate do not match)
     */
    public GeneratedProfile generate(ProfileOptions options, SigningIdentity signingIdentity, String actor) {
        Objects.requireNonNull(signingIdentity, "signingIdentity is null");
        return generate(options, () -> Optional.of(signingIdentity), actor, Optional.empty());
    }

    /**
     * Makes an ACME enrollment profile ({@code com.apple.security.acme}): root, by default the issuing CA, and the
     * ACME payload; signed with the CA's profile-signing identity when {@code options.sign()}. It carries no secret
     * (device-attest-01 needs none), so nothing is minted. Of {@code options}, the SCEP-only values (URL, key size,
     * key usage, retries, challenge) are not used.
     *
     * @throws ProfileOptionException naming the option when an option is unusable
     */
    public GeneratedProfile generateAcme(ProfileOptions options, AcmeOptions acme, String actor) {
        Objects.requireNonNull(options, "options is null");
        return generateAcme(options, acme,
                () -> options.sign() ? Optional.of(signingIdentities.current()) : Optional.empty(), actor);
    }

    /** An ACME profile signed with the given identity, whatever {@code options.sign()} says. */
    public GeneratedProfile generateAcme(ProfileOptions options, AcmeOptions acme, SigningIdentity signingIdentity,
            String actor) {
        Objects.requireNonNull(signingIdentity, "signingIdentity is null");
        return generateAcme(options, acme, () -> Optional.of(signingIdentity), actor);
    }

    /**
     * The ACME directory of this service's endpoint under {@code public-base-url}: {@code
     * <base>/acme/<endpoint>/directory}, the URL the ACME server serves (decided for issue 15).
     */
    public Optional<String> defaultAcmeDirectoryUrl() {
        return ca.config().publicBaseUrl().map(base -> base + "/acme/" + endpoint.name() + "/directory");
    }

    private GeneratedProfile generateAcme(ProfileOptions options, AcmeOptions acme,
            Supplier<Optional<SigningIdentity>> signerSource, String actor) {
        Objects.requireNonNull(acme, "acme is null");
        Objects.requireNonNull(actor, "actor is null");
        AcmeProfileRequest request = mapped(ACME_FIELDS, () -> acmeRequest(options, acme).build());
        Optional<SigningIdentity> signingIdentity = signerSource.get();
        byte[] body = signed(generator.mobileconfig(request), signingIdentity);
        audit(options, GeneratedProfile.Protocol.ACME, signingIdentity.isPresent(), ChallengeUse.of(ChallengeUse.Kind.NONE),
                actor, Optional.empty());
        return new GeneratedProfile(options.preset(), body, signingIdentity.map(SigningIdentity::certificate),
                ChallengeUse.of(ChallengeUse.Kind.NONE), fingerprintCertificate, Optional.empty(),
                GeneratedProfile.Protocol.ACME);
    }

    private AcmeProfileRequest.Builder acmeRequest(ProfileOptions options, AcmeOptions acme) {
        var m = ca.material();
        String directory = acme.directoryUrl().or(this::defaultAcmeDirectoryUrl).orElseThrow(() ->
                new ProfileOptionException("directory-url", "directoryUrl is required when public-base-url is not set"
                        + " in scepca.properties (https://<host>/acme/" + endpoint.name() + "/directory)"));
        AcmeProfileRequest.Builder b = AcmeProfileRequest.builder()
                .preset(options.preset())
                .directoryUrl(directory)
                .rootCertificate(m.root())
                .organization(options.organization().orElseGet(() -> defaultOrganization(m.root())))
                .identifierPrefix(options.identifierPrefix().orElse(defaultIdentifierPrefix.value()))
                .extendedKeyUsage(acme.extendedKeyUsage());
        if (options.includeIntermediate()) {
            b.intermediateCertificate(m.intermediateCertificate());
        }
        acme.clientIdentifier().ifPresent(b::clientIdentifier);
        acme.keyType().ifPresent(b::keyType);
        acme.keySize().ifPresent(b::keySize);
        acme.hardwareBound().ifPresent(b::hardwareBound);
        acme.attest().ifPresent(b::attest);
        acme.usageFlags().ifPresent(b::usageFlags);
        options.subject().ifPresent(b::subject);
        options.displayName().ifPresent(b::displayName);
        subjectAltNames(options).ifPresent(b::subjectAltNames);
        return b;
    }

    /** Any SAN option replaces the preset's default SANs, so what is asked for is exactly what is requested. */
    private static Optional<SubjectAltNames> subjectAltNames(ProfileOptions options) {
        if (options.sanDns().isEmpty() && options.sanUri().isEmpty() && options.sanEmail().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SubjectAltNames(options.sanDns().orElse(null), options.sanEmail().orElse(null),
                options.sanUri().orElse(null), null));
    }

    private byte[] signed(byte[] plist, Optional<SigningIdentity> signingIdentity) {
        return signingIdentity.isEmpty() ? plist : mapped(() -> signer.sign(plist, signingIdentity.get().key(),
                signingIdentity.get().certificate(), signingIdentity.get().chain()));
    }

    private void audit(ProfileOptions options, GeneratedProfile.Protocol protocol, boolean signed, ChallengeUse use,
            String actor, Optional<String> device) {
        AuditLine.op("profile-create").token("preset", options.preset().id()).token("protocol", protocol.id())
                .token("signed", signed)
                .token("challenge", use.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .token("challenge_id", use.id().orElse("-")).token("actor", actor).token("outcome", "created")
                .token("endpoint", AuditLine.endpointOf(actor)).token("scep_endpoint", endpoint.name())
                .token("txid", "-").text("subject", "-").token("device", device.orElse("-")).token("serial", "-")
                .log();
    }

    /**
     * The values for Intune's own Trusted certificate and SCEP certificate profiles, and our root as DER. Needs no
     * challenge (Intune sends its own), so nothing is minted.
     *
     * @throws ProfileOptionException when the preset is not intune or an option is unusable
     */
    public IntuneSheet intuneSheet(ProfileOptions options) {
        Objects.requireNonNull(options, "options is null");
        if (options.preset() != Preset.INTUNE) {
            throw new ProfileOptionException("preset", "the Intune sheet is made for the intune preset, not "
                    + options.preset().id());
        }
        return mapped(() -> generator.intuneSheet(requestBuilder(options, ChallengeUse.Kind.STATIC).build()));
    }

    /** The CA's profile-signing identity, made and recorded on first use. */
    public SigningIdentity signingIdentity() {
        return signingIdentities.current();
    }

    /** The certificate whose SHA-1 every profile carries as {@code CAFingerprint}. */
    public X509Certificate fingerprintCertificate() {
        return fingerprintCertificate;
    }

    /** Our root as DER ({@code .cer}): what Intune's Trusted certificate profile takes. */
    public byte[] rootCertificateDer() {
        try {
            return ca.material().root().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("root certificate cannot be encoded", e);
        }
    }

    /** The certificates our GetCACert reply carries. */
    public List<X509Certificate> getCaCertCertificates() {
        return getCaCert;
    }

    private GeneratedProfile generate(ProfileOptions options, Supplier<Optional<SigningIdentity>> signerSource,
            String actor, Optional<String> device) {
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(actor, "actor is null");
        ChallengeUse.Kind kind = challengeKind(options);
        ProfileRequest.Builder builder = mapped(() -> requestBuilder(options, kind));
        if (kind != ChallengeUse.Kind.DYNAMIC) {
            builder.challenge(VALIDATION_PLACEHOLDER);
        }
        ProfileRequest draft = mapped(builder::build);

        Optional<SigningIdentity> signingIdentity = signerSource.get();
        MintedChallenge minted = null;
        ChallengeUse use;
        switch (kind) {
            case ONE_TIME -> {
                // The challenge is good only for the names this profile asks for (issue 11): whoever reads it out of
                // the profile cannot use it for another identity.
                minted = ca.challenges().mint(options.challengeTtl(), Optional.of(note(options, actor, device)),
                        ProfileBinding.of(draft.subject(), draft.subjectAltNames()), ChallengeOrigin.admin(endpoint.name()));
                builder.challenge(minted.secret());
                use = ChallengeUse.oneTime(minted.id(), minted.expiresAt());
            }
            case STATIC -> {
                builder.challenge(endpoint.staticChallenge().orElseThrow());
                use = ChallengeUse.of(kind);
            }
            default -> use = ChallengeUse.of(kind);
        }
        try {
            ProfileRequest request = mapped(builder::build);
            byte[] plist = generator.mobileconfig(request);
            Optional<IntuneSheet> sheet = options.preset() == Preset.INTUNE
                    ? Optional.of(generator.intuneSheet(request)) : Optional.empty();
            byte[] body = signed(plist, signingIdentity);
            audit(options, GeneratedProfile.Protocol.SCEP, signingIdentity.isPresent(), use, actor, device);
            return new GeneratedProfile(options.preset(), body, signingIdentity.map(SigningIdentity::certificate), use,
                    fingerprintCertificate, sheet, GeneratedProfile.Protocol.SCEP);
        } catch (RuntimeException e) {
            if (minted != null) {
                // No profile carries it: a challenge nobody can see must not stay usable.
                ca.challenges().delete(minted.id());
            }
            throw e;
        }
    }

    private ChallengeUse.Kind challengeKind(ProfileOptions options) {
        boolean staticConfigured = endpoint.staticChallenge().isPresent();
        ChallengeUse.Kind kind = switch (options.challenge()) {
            case AUTO -> switch (options.preset()) {
                case GENERIC -> ChallengeUse.Kind.ONE_TIME;
                case JAMF -> {
                    if (!staticConfigured) {
                        throw new ProfileOptionException("jamf-challenge", "Jamf Pro pushes one profile to many"
                                + " devices, so it needs the static challenge (set scep.static-challenge in"
                                + " scepca.properties) or a dynamic one (jamf-challenge dynamic)");
                    }
                    yield ChallengeUse.Kind.STATIC;
                }
                case INTUNE -> staticConfigured ? ChallengeUse.Kind.STATIC : ChallengeUse.Kind.ONE_TIME;
            };
            case ONE_TIME -> ChallengeUse.Kind.ONE_TIME;
            case STATIC -> {
                if (!staticConfigured) {
                    throw new ProfileOptionException(options.preset() == Preset.JAMF ? "jamf-challenge" : "static-challenge",
                            "no static challenge is configured: set scep.static-challenge in scepca.properties");
                }
                yield ChallengeUse.Kind.STATIC;
            }
            case DYNAMIC -> {
                if (options.preset() != Preset.JAMF) {
                    throw new ProfileOptionException("jamf-challenge",
                            "a dynamic challenge is for the jamf preset only, not " + options.preset().id());
                }
                yield ChallengeUse.Kind.DYNAMIC;
            }
        };
        if (kind == ChallengeUse.Kind.ONE_TIME && !endpoint.allows(Authorization.ONE_TIME)
                || kind == ChallengeUse.Kind.DYNAMIC && !endpoint.allows(Authorization.JAMF)) {
            throw new ProfileOptionException("endpoint", "endpoint '" + endpoint.name() + "' does not accept "
                    + (kind == ChallengeUse.Kind.DYNAMIC ? "Jamf's dynamic" : "one-time") + " challenges");
        }
        Duration ttl = options.challengeTtl();
        if (kind == ChallengeUse.Kind.ONE_TIME
                && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(ChallengeService.MAX_TTL) > 0)) {
            throw new ProfileOptionException("challenge-ttl", "must be between 1 second and "
                    + ChallengeService.MAX_TTL.toDays() + " days: " + ttl);
        }
        return kind;
    }

    /** Everything but the challenge secret. */
    private ProfileRequest.Builder requestBuilder(ProfileOptions options, ChallengeUse.Kind kind) {
        var m = ca.material();
        int validityDays = (int) Math.min(Integer.MAX_VALUE, ca.config().policy().validity().toDays());
        ProfileRequest.Builder b = ProfileRequest.builder()
                .preset(options.preset())
                .scepUrl(options.scepUrl())
                .rootCertificate(m.root())
                .caCertificate(fingerprintCertificate)
                .organization(options.organization().orElseGet(() -> defaultOrganization(m.root())))
                .keySize(options.keySize())
                .keyUsage(options.keyUsage())
                .retries(options.retries())
                .retryDelaySeconds(options.retryDelaySeconds())
                .certificateValidityDays(validityDays)
                .identifierPrefix(options.identifierPrefix().orElse(defaultIdentifierPrefix.value()))
                .renewalDaysBeforeExpiry(options.renewalDays()
                        .orElse(Math.max(1, Math.min(DEFAULT_RENEWAL_DAYS, validityDays - 1))));
        if (options.includeIntermediate()) {
            b.intermediateCertificate(m.intermediateCertificate());
        }
        options.subject().ifPresent(b::subject);
        options.displayName().ifPresent(b::displayName);
        subjectAltNames(options).ifPresent(b::subjectAltNames);
        if (kind == ChallengeUse.Kind.DYNAMIC) {
            b.challengeMode(ProfileRequest.ChallengeMode.DYNAMIC);
        }
        return b;
    }

    private static String defaultOrganization(X509Certificate root) {
        return ProfileSigningIdentityStore.organizationOf(root);
    }

    private static String note(ProfileOptions options, String actor, Optional<String> device) {
        String note = "profile " + options.preset().id() + device.map(d -> " for device " + d + " by ").orElse(" for ")
                + actor;
        return note.length() <= 256 ? note : note.substring(0, 256);
    }

    /** Runs a step of mdm-profiles and names the option its exception is about. */
    private static <T> T mapped(Supplier<T> step) {
        return mapped(FIELDS, step);
    }

    private static <T> T mapped(List<Map.Entry<String, String>> fields, Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidProfileOptionException invalid) {
            String detail = invalid.getMessage();
            String field = fields.stream().filter(f -> detail.startsWith(f.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse("options");
            throw new ProfileOptionException(field, detail);
        }
    }
}
