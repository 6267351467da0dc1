package org.scepca.ca.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the key passphrase comes from, in order: an explicit file, the environment variable
 * {@value #ENV}, the environment variable {@value #ENV_FILE} naming a file, then the data folder's own
 * generated passphrase file (written by first start of the server, owner-only).
 */
public final class PassphraseSource {
    public static final String ENV = "SCEPCA_PASSPHRASE";
    public static final String ENV_FILE = "SCEPCA_PASSPHRASE_FILE";

    private final Map<String, String> env;

    public PassphraseSource(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static PassphraseSource fromEnvironment() {
        return new PassphraseSource(System.getenv());
    }

    /** Resolves the passphrase or says, in one line, how to provide one. */
    public Passphrase resolve(Optional<Path> explicitFile, Path dataDirDefaultFile) {
        return find(explicitFile, dataDirDefaultFile).orElseThrow(() -> new KeyAccessException(
                "no passphrase: set " + ENV + ", or " + ENV_FILE + "=FILE, or pass --passphrase-file FILE"));
    }

    public Optional<Passphrase> find(Optional<Path> explicitFile, Path dataDirDefaultFile) {
        if (explicitFile.isPresent()) {
            return Optional.of(readFile(explicitFile.get()));
        }
        String value = env.get(ENV);
        if (value != null && !value.isEmpty()) {
            return Optional.of(Passphrase.of(value));
        }
        String file = env.get(ENV_FILE);
        if (file != null && !file.isEmpty()) {
            return Optional.of(readFile(Path.of(file)));
        }
        if (Files.isRegularFile(dataDirDefaultFile)) {
            return Optional.of(readFile(dataDirDefaultFile));
        }
        return Optional.empty();
    }

    static Passphrase readFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new KeyAccessException("passphrase file is empty: " + file);
            }
            return Passphrase.of(text);
        } catch (IOException e) {
            throw new KeyAccessException("cannot read passphrase file " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
