package org.scepca.server.batch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.profiles.SubjectTemplate;
import org.scepca.server.profiles.GeneratedProfile;
import org.scepca.server.profiles.ProfileOptionException;
import org.scepca.server.profiles.ProfileOptions;
import org.scepca.server.profiles.ProfileService;
import org.scepca.server.profiles.SigningIdentity;

/**
 * One profile per device, each with its own one-time challenge bound to that device's names: subject
 * {@code CN=<serial, else name, else UDID>,O=<organization>}, SAN URI {@code urn:udid:<UDID>} when the UDID is known
 * (the name the jamf preset asks for), SAN e-mail when the user is. The challenge is minted durably before the
 * profile goes to the {@link Sink}; a profile the sink could not take has its challenge deleted again.
 *
 * <p>Re-running does not make a second challenge for a device silently: a device whose file the sink already holds is
 * skipped, unless {@code overwrite} (then the earlier file's challenge stays valid until it expires or is deleted
 * with {@code scepca challenge delete}; its note names the device).
 */
public final class ProfileBatch {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProfileBatch.class);
    public static final String EXTENSION = ".mobileconfig";

    /** Where the profiles go: a folder (CLI) or a ZIP (admin API). */
    public interface Sink {
        boolean exists(String fileName) throws IOException;

        void write(String fileName, byte[] body) throws IOException;
    }

    /** Hears about each device as it is done (progress bars, logs). */
    public interface Listener {
        void done(int index, int total, Outcome outcome);
    }

    public enum Status { WRITTEN, SKIPPED, FAILED }

    /** What happened to one device; {@code detail} is the reason when skipped or failed. */
    public record Outcome(Device device, Status status, String fileName, Optional<String> challengeId,
            Optional<String> detail) {
        public Outcome {
            Objects.requireNonNull(device, "device is null");
            Objects.requireNonNull(status, "status is null");
            Objects.requireNonNull(fileName, "fileName is null");
            Objects.requireNonNull(challengeId, "challengeId is null");
            Objects.requireNonNull(detail, "detail is null");
        }
    }

    /** Counts and the outcome of each device, in list order. */
    public record Summary(List<Outcome> outcomes) {
        public Summary {
            outcomes = List.copyOf(outcomes);
        }

        public long count(Status status) {
            return outcomes.stream().filter(o -> o.status() == status).count();
        }
    }

    private final ProfileService profiles;
    private final ProfileOptions template;
    private final Optional<SigningIdentity> signer;
    private final String actor;

    /**
     * @param template the options every profile shares (URL, key size, identifier prefix, signing, challenge TTL);
     *                 subject, SANs and challenge kind are set per device
     * @param signer   an imported signing identity, else {@code template.sign()} decides
     */
    public ProfileBatch(ProfileService profiles, ProfileOptions template, Optional<SigningIdentity> signer,
            String actor) {
        this.profiles = Objects.requireNonNull(profiles, "profiles is null");
        this.template = Objects.requireNonNull(template, "template is null");
        this.signer = Objects.requireNonNull(signer, "signer is null");
        this.actor = Objects.requireNonNull(actor, "actor is null");
    }

    /** The options for one device. */
    public ProfileOptions optionsFor(Device d) {
        String subject = SubjectTemplate.of("CN", d.commonName(), "O", profiles.organization(template)).toString();
        return template.forDevice(subject, d.udid().map(u -> "urn:udid:" + u), d.user());
    }

    /**
     * Makes the profiles.
     *
     * @param overwrite  replace files the sink already holds
     * @param stopOnFail stop at the first device that fails (the rest are not attempted)
     */
    public Summary run(List<Device> devices, Sink sink, boolean overwrite, boolean stopOnFail, Listener listener) {
        List<Outcome> outcomes = new ArrayList<>();
        int total = devices.size();
        for (int i = 0; i < total; i++) {
            Outcome o = one(devices.get(i), sink, overwrite);
            outcomes.add(o);
            listener.done(i + 1, total, o);
            if (o.status() == Status.FAILED && stopOnFail) {
                break;
            }
        }
        return new Summary(outcomes);
    }

    private Outcome one(Device d, Sink sink, boolean overwrite) {
        String fileName = d.fileStem() + EXTENSION;
        try {
            if (!overwrite && sink.exists(fileName)) {
                return new Outcome(d, Status.SKIPPED, fileName, Optional.empty(),
                        Optional.of(fileName + " exists (made earlier; --force replaces it)"));
            }
        } catch (IOException e) {
            return failed(d, fileName, "cannot check " + fileName + ": " + e.getClass().getSimpleName());
        }
        GeneratedProfile profile;
        try {
            profile = profiles.generateForDevice(optionsFor(d), signer, d.label(), actor);
        } catch (ProfileOptionException e) {
            return failed(d, fileName, e.getMessage());
        }
        try {
            sink.write(fileName, profile.mobileconfig());
        } catch (IOException | RuntimeException e) {
            profiles.discard(profile);
            // The reason goes to the log only: the outcome reaches API clients (summary.json), and an I/O or runtime
            // error's message is internal detail (paths, library text) that a client must not see.
            LOG.warn("cannot write {} for device {}: {}", fileName, d.label(), String.valueOf(e.getMessage()));
            return failed(d, fileName, "cannot write " + fileName + " (" + e.getClass().getSimpleName()
                    + "; the log has the reason)");
        }
        return new Outcome(d, Status.WRITTEN, fileName, profile.challenge().id(), Optional.empty());
    }

    private static Outcome failed(Device d, String fileName, String why) {
        return new Outcome(d, Status.FAILED, fileName, Optional.empty(), Optional.of(why));
    }
}
