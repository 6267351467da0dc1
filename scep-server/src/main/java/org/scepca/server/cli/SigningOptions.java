package org.scepca.server.cli;

import java.nio.file.Path;
import java.util.Optional;

import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.PassphraseSource;
import org.scepca.server.profiles.SigningIdentity;

import picocli.CommandLine.Option;

/** How {@code profile} and {@code profile batch} sign: the CA's own profile signer, or an imported PKCS#12. */
final class SigningOptions {
    @Option(names = "--sign", description = "Sign with the CA's profile-signing certificate (made on first use)")
    boolean sign;
    @Option(names = "--signing-p12", paramLabel = "FILE", description = "Sign with this PKCS#12 instead (key + certificate chaining to a trusted root)")
    Path signingP12;
    @Option(names = "--signing-p12-passphrase-file", paramLabel = "FILE", description = "Passphrase of --signing-p12 (default: the CA passphrase)")
    Path signingP12PassphraseFile;

    /** The imported identity of {@code --signing-p12}, if given; its passphrase defaults to the CA passphrase. */
    Optional<SigningIdentity> identity(DataOptions data, Passphrase caPassphrase) {
        if (signingP12 == null) {
            return Optional.empty();
        }
        Passphrase p12Passphrase = signingP12PassphraseFile == null ? caPassphrase
                : PassphraseSource.fromEnvironment().resolve(Optional.of(signingP12PassphraseFile),
                        data.directory().generatedPassphrase());
        return Optional.of(SigningIdentity.fromPkcs12(signingP12, p12Passphrase));
    }
}
