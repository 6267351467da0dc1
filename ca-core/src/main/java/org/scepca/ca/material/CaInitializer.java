package org.scepca.ca.material;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.scepca.ca.issuance.SerialNumbers;
import org.scepca.ca.keys.KeyAccessException;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.pem.SecureFiles;

/** Creates or imports the CA material under a data folder. Never overwrites an existing CA. */
public final class CaInitializer {
    /** CA certificates are backdated a little so that clients with a slow clock accept them at once. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Clock clock;
    private final SecureRandom random;
    private final SerialNumbers serials;

    public CaInitializer(Clock clock, SecureRandom random) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.serials = new SerialNumbers(random);
    }

    /** Creates root, intermediate and RA. The root key goes to {@code options.rootKeyOut()} if given, else into the folder. */
    public void create(CaDirectory dir, InitOptions options, Passphrase passphrase) {
        refuseExisting(dir);
        Instant now = clock.instant();
        KeyPair rootKeys = KeyPairs.rsa(options.rootKeyBits(), random);
        X509Certificate root = CertificateMaker.selfSignedRoot(options.rootSubject(), rootKeys, serials.next(),
                now.minus(BACKDATE), now.plus(options.rootValidity()));
        KeyPair intKeys = KeyPairs.rsa(options.intermediateKeyBits(), random);
        X509Certificate intermediate = CertificateMaker.intermediate(options.intermediateSubject(), intKeys.getPublic(),
                root, rootKeys.getPrivate(), serials.next(), now.minus(BACKDATE),
                capped(now.plus(options.intermediateValidity()), root), options.publicBaseUrl());
        try {
            Files.createDirectories(dir.caDir());
            if (options.rootKeyOut().isPresent()) {
                Path out = options.rootKeyOut().get();
                if (out.toAbsolutePath().normalize().startsWith(dir.root())) {
                    throw new IllegalArgumentException("--root-key-out must be outside the data folder " + dir.root());
                }
                if (Files.exists(out)) {
                    throw new IllegalArgumentException("refusing to overwrite " + out);
                }
                Pkcs12Files.write(out, rootKeys.getPrivate(), List.of(root), passphrase);
            } else {
                Pkcs12Files.write(dir.rootKey(), rootKeys.getPrivate(), List.of(root), passphrase);
            }
            writeCa(dir, root, intermediate, intKeys.getPrivate(), passphrase, options.raSubject(), options.raKeyBits(),
                    options.raValidity());
        } catch (IOException e) {
            throw new KeyAccessException("cannot write CA files in " + dir.caDir() + ": " + e.getMessage());
        }
    }

    /**
     * Imports an intermediate made elsewhere (for example with OpenSSL) and its root certificate; the root key is
     * never needed. Creates the RA below the intermediate.
     */
    public void importIntermediate(CaDirectory dir, Path intermediateFile, Passphrase importPassphrase, Path rootFile,
            Passphrase passphrase, InitOptions options) {
        refuseExisting(dir);
        PrivateKey key;
        List<X509Certificate> certs;
        try {
            String name = intermediateFile.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".p12") || name.endsWith(".pfx")) {
                var kc = Pkcs12Files.read(intermediateFile, importPassphrase);
                key = kc.key();
                certs = kc.chain();
            } else {
                var imported = Pem.readKeyAndCertificates(intermediateFile, importPassphrase);
                key = imported.key();
                certs = imported.certificates();
            }
        } catch (IOException e) {
            throw new KeyAccessException("cannot read " + intermediateFile + ": " + e.getClass().getSimpleName());
        }
        if (key == null) {
            throw new IllegalArgumentException("no private key in " + intermediateFile);
        }
        X509Certificate intermediate = certs.stream().filter(c -> Keys.matches(c.getPublicKey(), key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no certificate in " + intermediateFile + " matches its private key"));
        X509Certificate root;
        try {
            root = Pem.readCertificates(rootFile).get(0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read root certificate " + rootFile);
        }
        CaChecks.requireIssuingCa(intermediate, root, clock.instant());
        try {
            Files.createDirectories(dir.caDir());
            writeCa(dir, root, intermediate, key, passphrase, options.raSubject(), options.raKeyBits(), options.raValidity());
        } catch (IOException e) {
            throw new KeyAccessException("cannot write CA files in " + dir.caDir() + ": " + e.getMessage());
        }
    }

    /**
     * Stages a successor intermediate and RA signed by the root (RFC 8894 §3.5.2 GetNextCACert), for a CA rollover
     * that devices learn about before the current intermediate expires.
     */
    public void stageNext(CaDirectory dir, PrivateKey rootKey, X509Certificate root, X500Name subject, int bits,
            Duration validity, X500Name raSubject, Passphrase passphrase, java.util.Optional<java.net.URI> publicBaseUrl) {
        if (Files.exists(dir.nextIntermediateKey())) {
            throw new IllegalArgumentException("a next CA is already staged in " + dir.nextDir());
        }
        Instant now = clock.instant();
        KeyPair keys = KeyPairs.rsa(bits, random);
        X509Certificate next = CertificateMaker.intermediate(subject, keys.getPublic(), root, rootKey, serials.next(),
                now.minus(BACKDATE), capped(now.plus(validity), root), publicBaseUrl);
        KeyPair raKeys = KeyPairs.rsa(2048, random);
        X509Certificate ra = CertificateMaker.registrationAuthority(raSubject, raKeys.getPublic(), next, keys.getPrivate(),
                serials.next(), now.minus(BACKDATE), next.getNotAfter().toInstant());
        try {
            Files.createDirectories(dir.nextDir());
            Pkcs12Files.write(dir.nextIntermediateKey(), keys.getPrivate(), List.of(next, root), passphrase);
            Pkcs12Files.write(dir.nextRaKey(), raKeys.getPrivate(), List.of(ra, next, root), passphrase);
            SecureFiles.writeAtomically(dir.nextIntermediateCert(), Pem.encode(next).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            SecureFiles.writeAtomically(dir.nextRaCert(), Pem.encode(ra).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new KeyAccessException("cannot write next CA in " + dir.nextDir() + ": " + e.getMessage());
        }
    }

    private void writeCa(CaDirectory dir, X509Certificate root, X509Certificate intermediate, PrivateKey intermediateKey,
            Passphrase passphrase, X500Name raSubject, int raBits, Duration raValidity) throws IOException {
        Instant now = clock.instant();
        KeyPair raKeys = KeyPairs.rsa(raBits, random);
        X509Certificate ra = CertificateMaker.registrationAuthority(raSubject, raKeys.getPublic(), intermediate,
                intermediateKey, serials.next(), now.minus(BACKDATE), capped(now.plus(raValidity), intermediate));
        Pkcs12Files.write(dir.intermediateKey(), intermediateKey, List.of(intermediate, root), passphrase);
        Pkcs12Files.write(dir.raKey(), raKeys.getPrivate(), List.of(ra, intermediate, root), passphrase);
        SecureFiles.writeAtomically(dir.rootCert(), Pem.encodeAll(List.of(root)));
        SecureFiles.writeAtomically(dir.intermediateCert(), Pem.encodeAll(List.of(intermediate)));
        SecureFiles.writeAtomically(dir.raCert(), Pem.encodeAll(List.of(ra)));
        SecureFiles.writeAtomically(dir.chain(), Pem.encodeAll(List.of(intermediate, root)));
    }

    private static Instant capped(Instant wanted, X509Certificate issuer) {
        Instant limit = issuer.getNotAfter().toInstant();
        return wanted.isAfter(limit) ? limit : wanted;
    }

    private static void refuseExisting(CaDirectory dir) {
        if (dir.caExists()) {
            throw new IllegalStateException("a CA already exists in " + dir.root() + "; refusing to overwrite it");
        }
    }
}
