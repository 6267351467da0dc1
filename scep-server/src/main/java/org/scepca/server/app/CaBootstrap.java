package org.scepca.server.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.PassphraseSource;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.CaInitializer;
import org.scepca.ca.material.InitOptions;
import org.scepca.ca.pem.SecureFiles;

/** First-start work shared by {@code scepca init} and {@code scepca serve} on an empty data folder. */
public final class CaBootstrap {
    private CaBootstrap() {
    }

    /** The passphrase to use for a new CA: the one configured, or a generated one written owner-only into the folder. */
    public static Resolved passphraseForNewCa(CaDirectory dir, Optional<Path> explicitFile) {
        Optional<Passphrase> given = PassphraseSource.fromEnvironment().find(explicitFile, dir.generatedPassphrase());
        if (given.isPresent()) {
            return new Resolved(given.get(), false);
        }
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        try {
            SecureFiles.createOwnerOnly(dir.generatedPassphrase(), (generated + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.generatedPassphrase() + ": " + describe(e));
        }
        return new Resolved(Passphrase.of(generated), true);
    }

    /** The lock file of {@link #createUnlessPresent}, in the data folder. */
    public static final String INIT_LOCK = ".init.lock";
    /** Serialises creators within one process: FileChannel locks are per process, not per thread. */
    private static final Object IN_PROCESS = new Object();

    /**
     * Runs {@code creation} unless the data folder holds a CA, holding an exclusive lock on {@code DIR/.init.lock}
     * meanwhile. Replicas started together on one empty shared folder (docker compose) would otherwise both find no CA
     * and write two over each other, each then serving with keys the other replaced. The loser waits for the winner (a
     * 4096-bit root takes seconds) and then finds its CA. The lock is a POSIX record lock, which processes in
     * containers sharing a volume on one host see too. A folder that holds a CA is not written (it may be read-only).
     *
     * @return what {@code creation} returned, or empty if there was a CA
     */
    public static <T> Optional<T> createUnlessPresent(CaDirectory dir, Supplier<T> creation) {
        if (dir.caExists()) {
            return Optional.empty();
        }
        synchronized (IN_PROCESS) {
            try {
                SecureFiles.createPrivateDirectories(dir.root());
                try (FileChannel lock = FileChannel.open(dir.root().resolve(INIT_LOCK), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock held = lock.lock()) {
                    return dir.caExists() ? Optional.empty() : Optional.of(creation.get());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot lock " + dir.root().resolve(INIT_LOCK) + ": " + describe(e));
            }
        }
    }

    public static void create(CaDirectory dir, InitOptions options, Passphrase passphrase) {
        new CaInitializer(Clock.systemUTC(), new SecureRandom()).create(dir, options, passphrase);
        writeDefaultConfig(dir);
    }

    public static void writeDefaultConfig(CaDirectory dir) {
        writeConfig(dir, Optional.empty());
    }

    /**
     * Writes the commented template if the folder has no scepca.properties yet, with {@code public-base-url} set when
     * given; into an existing file the key is appended, unless the file sets another value (an error: which one is
     * meant cannot be guessed). Called before the CA's certificates are made, which may carry URLs built from it.
     */
    public static void writeConfig(CaDirectory dir, Optional<java.net.URI> publicBaseUrl) {
        Path f = dir.configFile();
        if (Files.exists(f)) {
            publicBaseUrl.ifPresent(url -> addBaseUrl(f, url));
            return;
        }
        String text = TEMPLATE.replace(BASE_URL_EXAMPLE, publicBaseUrl.map(u -> "public-base-url=" + u)
                .orElse(BASE_URL_EXAMPLE));
        try {
            Files.createDirectories(dir.root());
            // Owner-only: it may come to hold a static challenge.
            org.scepca.ca.pem.SecureFiles.writeOwnerOnly(f, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + f + ": " + describe(e));
        }
    }

    private static void addBaseUrl(Path f, java.net.URI url) {
        try {
            java.util.Properties p = new java.util.Properties();
            try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            String set = p.getProperty("public-base-url");
            if (set != null && !set.isBlank()) {
                if (!set.strip().replaceAll("/$", "").equals(url.toString())) {
                    throw new IllegalStateException(f + " sets public-base-url=" + set.strip() + " already; edit it there"
                            + " or leave out --public-base-url");
                }
                return;
            }
            Files.writeString(f, "\n# Set by --public-base-url when the CA was created.\npublic-base-url=" + url + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot update " + f + ": " + describe(e));
        }
    }

    /** An I/O failure in a few words: its message, or its type when it has none (never "null"). */
    static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static final String BASE_URL_EXAMPLE = "#public-base-url=http://ca.example.com";

    private static final String TEMPLATE = """
                # scepca configuration. Every key is optional; unknown keys are an error.
                # Public URL devices and relying parties use to reach this server; enables CRL distribution point
                # and OCSP/CA-issuer URLs in issued certificates. Set it before the first enrollment (certificates
                # keep the URLs they were issued with). Prefer http://: a relying party that fetches a CRL or an
                # OCSP answer over TLS must check that server's certificate first, which is circular (RFC 5280
                # 4.2.1.13); CRLs and OCSP answers are signed, so plain HTTP loses nothing.
                #public-base-url=http://ca.example.com
                # Device certificate lifetime in days (never beyond the issuing CA's own expiry).
                #policy.validity-days=365
                #policy.rsa-min-bits=2048
                # SAN types devices may request: DNS, EMAIL, URI, IP, UPN
                #policy.san-types=DNS,EMAIL,URI,UPN
                #policy.san-dns-pattern=[a-z0-9-]+\\\\.devices\\\\.example\\\\.com
                # Refuse requests when the issuing CA has fewer days left (0: only once it has expired).
                #policy.min-validity-days=1
                # Request limits (refused with badRequest before the store; ceilings are inside the store's columns).
                #policy.max-csr-bytes=16384
                #policy.max-subject-attributes=16
                #policy.max-attribute-length=256
                #policy.max-subject-length=512
                #policy.max-sans=20
                #policy.max-san-length=512
                #policy.max-sans-length=4096
                # CRL lifetime; it is re-signed after half of it, and on every revocation.
                #crl.next-update-hours=168
                #crl.root-next-update-days=365
                # A static challenge (16+ characters) for MDMs that use one (Jamf static mode). One-time challenges
                # from 'scepca challenge create' always work.
                #scep.static-challenge=
                # auto: issue at once; manual: PENDING until 'scepca request approve'.
                #scep.approval=auto
                # Revoke the old certificate (reason superseded) when a device renews.
                #scep.supersede-on-renewal=true
                # Send the root in GetCACert (Apple clients like it; Intune prefers the issuer only).
                #scep.getcacert-include-root=true
                # Accept single-DES requests from very old clients. Leave off.
                #scep.allow-single-des=false
                # GetCACert answers RA + CA (default). false: the issuing CA alone (DER); it then also decrypts requests.
                #scep.use-ra=true
                #db.pool-size=16
                # Keys from another file beside this one (for example the endpoints); a key set in both is an error.
                #include=endpoints.properties
                # More SCEP endpoints beside /scep, each with its own policy, at /scep/NAME (see README "Enrollment
                # endpoints"): auth one-time|static|jamf (comma-separated), intune, or none (manual approval).
                #endpoint.devices.auth=one-time,jamf
                #endpoint.devices.subject-template=CN=$SERIALNUMBER,O=Example
                #endpoint.devices.san-templates=uri:urn:udid:$UDID
                #endpoint.devices.eku=client-auth
                #endpoint.devices.validity-days=365
                #endpoint.intune.auth=intune
                # Microsoft Intune (README "Microsoft Intune"): the Entra app and its secret, for endpoints with auth=intune.
                #intune.tenant-id=
                #intune.client-id=
                #intune.client-secret-file=intune-secret
                #intune.revocation-sync-interval=15
                # Jamf Pro (docs/jamf.md): webhook Basic credential, and the API for revoking deleted devices' certificates.
                #jamf.webhook-username=jamf
                #jamf.webhook-password-file=jamf-webhook-password
                #jamf.url=https://example.jamfcloud.com
                #jamf.client-id=
                #jamf.client-secret-file=jamf-secret
                #jamf.device-sync-interval=60
                # Outbound webhooks (docs/webhooks.md): signed JSON events for issue, renewal, revoke and refusal.
                #webhook.url=https://hooks.example.com/scepca
                #webhook.secret-file=webhook-secret
                # Per-source rate limits on the public port (503 + Retry-After). Loopback is exempt by default; behind a
                # reverse proxy set trust-forwarded-for=true so each client is its own source.
                #limits.enabled=true
                #limits.per-source-rps=100
                #limits.per-source-burst=500
                #limits.pkioperation-per-source-rps=20
                #limits.pkioperation-per-source-burst=100
                #limits.max-concurrent-pkioperations=32
                #limits.exempt-loopback=true
                #limits.trust-forwarded-for=false
                # Admin API and web console: their own connector, loopback only by default (never the SCEP port).
                # Log in with a token from 'scepca admin token create --name NAME [--role admin|viewer|enroller]'.
                #admin.enabled=true
                #admin.host=127.0.0.1
                #admin.port=9090
                # Optional mTLS connector: accepts only admin client certificates, each with its role, from
                # 'scepca admin cert issue --name NAME --role admin|viewer' (device certificates never get a role).
                # Server certificate: 'scepca cert issue-server --dns ... --out tls'.
                #admin.tls-port=9443
                #admin.tls-cert=tls/server-chain.pem
                #admin.tls-key=tls/server.key
                """;

    public record Resolved(Passphrase passphrase, boolean generated) {
    }
}
