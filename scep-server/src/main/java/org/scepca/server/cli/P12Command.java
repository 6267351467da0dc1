package org.scepca.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.pem.SecureFiles;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.server.batch.Device;
import org.scepca.server.batch.FolderSink;
import org.scepca.server.batch.LegacyPkcs12;
import org.scepca.ca.keys.Passphrase;
import org.scepca.profiles.IdentifierPrefix;
import org.scepca.profiles.Pkcs12Profile;
import org.scepca.profiles.ProfileSigner;
import org.scepca.server.profiles.ProfileConfig;
import org.scepca.server.profiles.ProfileSigningIdentityStore;
import org.scepca.server.profiles.SigningIdentity;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "p12", mixinStandardHelpOptions = true, subcommands = P12Command.Batch.class,
        description = "PKCS#12 files for pilots without an MDM (prefer SCEP: there the key never leaves the device).")
final class P12Command implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Issue a key and certificate per device of a list (one device name a line; blank lines and",
                    "# comments skipped) into iOS-compatible PKCS#12 files (3DES, SHA-1 MAC) with a random password",
                    "each, listed in an owner-only password sheet. The keys are made here and travel with a",
                    "password: SCEP enrollment, where the key is made on the device, is the better path."})
    static final class Batch implements Callable<Integer> {
        static final int MAX_DEVICES = 10_000;
        private static final int MAX_NAME = 64;

        @Mixin DataOptions data;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--devices", required = true, paramLabel = "FILE", description = "One device name per line")
        Path devices;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Folder for <name>.p12 and passwords-<time>.csv (owner-only)")
        Path out;
        @Option(names = "--key", defaultValue = "rsa", paramLabel = "rsa|ec",
                description = "rsa (2048, what every iOS imports) or ec (P-256). Default: ${DEFAULT-VALUE}")
        String keyType;
        @Option(names = "--force", description = "Issue again for devices whose .p12 exists (the earlier certificate stays active)")
        boolean force;
        @Option(names = "--mobileconfig", description = {"Also write <name>.mobileconfig: the PKCS#12 as a",
                "com.apple.security.pkcs12 payload and the CA root, owner-only. The device asks for the password"})
        boolean mobileconfig;
        @Option(names = "--embed-password", description = {"Put the password into the .mobileconfig (Password key):",
                "the file alone then installs the key. Off by default"})
        boolean embedPassword;
        @Option(names = "--identifier-prefix", paramLabel = "REVERSE_DNS", converter = IdentifierPrefixConverter.class,
                description = "PayloadIdentifier prefix of the .mobileconfig files, <prefix>.p12.<name> (default: "
                        + "profile.identifier-prefix, else derived from the root)")
        IdentifierPrefix identifierPrefix;
        @Mixin SigningOptions signing;

        @Override
        public Integer call() throws IOException {
            String key = keyType.strip().toLowerCase(Locale.ROOT);
            if (!mobileconfig && (embedPassword || identifierPrefix != null || signing.sign || signing.signingP12 != null)) {
                throw new Errors.UserException("--embed-password, --identifier-prefix, --sign and --signing-p12 "
                        + "apply to the .mobileconfig files: add --mobileconfig");
            }
            if (!key.equals("rsa") && !key.equals("ec")) {
                throw new Errors.UserException("--key must be rsa or ec: " + keyType);
            }
            List<Device> list = read(devices);
            PrintWriter o = spec.commandLine().getOut();
            Progress progress = Progress.of(spec);
            SecureRandom random = new SecureRandom();
            FolderSink sink = new FolderSink(out);
            Path sheet = sink.resolve("passwords-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .withZone(ZoneOffset.UTC).format(Instant.now()) + ".csv");
            StringBuilder rows = new StringBuilder("device,file,serial,password\n");
            int written = 0;
            int skipped = 0;
            int failed = 0;
            try (CertificateAuthority ca = data.open()) {
                String organization = ProfileSigningIdentityStore.organizationOf(ca.material().root());
                IdentifierPrefix prefix = identifierPrefix != null ? identifierPrefix
                        : ProfileConfig.of(ca.config()).identifierPrefixFor(ca.material().root());
                Optional<SigningIdentity> signer = mobileconfig ? signer(ca) : Optional.empty();
                for (int i = 0; i < list.size(); i++) {
                    Device d = list.get(i);
                    String file = d.fileStem() + ".p12";
                    String line;
                    if (!force && sink.exists(file)) {
                        skipped++;
                        line = "skipped " + file + ": exists (--force issues again)";
                    } else {
                        try {
                            KeyPair keys = key.equals("rsa") ? KeyPairs.rsa(2048, random)
                                    : KeyPairs.ec("secp256r1", random);
                            // Issued and stored durably by the one engine, like every certificate: listed, revocable.
                            IssuedCertificate issued = ca.issuance().issue(new IssuanceRequest(csr(keys, d.commonName(),
                                    organization), "cli:p12-batch", CertificateProfile.CLIENT_PKCS12, IssuanceEffects.none()));
                            AuditLog.cli("p12-issue").token("serial", issued.record().serialHex())
                                    .text("subject", issued.record().subjectDn()).token("device", d.label())
                                    .token("outcome", "issued").log();
                            String password = LegacyPkcs12.password(random);
                            byte[] p12 = LegacyPkcs12.encode(keys.getPrivate(), List.of(issued.certificate(),
                                    ca.material().intermediateCertificate()), d.label(), password.toCharArray(), random);
                            sink.write(file, p12);
                            if (mobileconfig) {
                                sink.write(d.fileStem() + ".mobileconfig", profile(ca, prefix, organization, signer, d,
                                        p12, file, password));
                            }
                            rows.append(csvField(d.label())).append(',').append(file).append(',')
                                    .append(issued.record().serialHex()).append(',').append(password).append('\n');
                            // Rewritten after each device: an interrupted run still has every password it handed out.
                            SecureFiles.writeOwnerOnly(sheet, rows.toString().getBytes(StandardCharsets.UTF_8));
                            written++;
                            line = "written " + file + " (serial " + issued.record().serialHex() + ")";
                        } catch (RuntimeException e) {
                            failed++;
                            line = "failed " + file + ": " + e.getMessage();
                            progress.note("line " + d.line() + ": " + line);
                        }
                    }
                    progress.step(i + 1, list.size(), line);
                }
            }
            o.println((mobileconfig ? "PKCS#12 and .mobileconfig files in " : "PKCS#12 files in ") + sink.dir() + ": written " + written + ", skipped " + skipped + ", failed "
                    + failed);
            if (written > 0) {
                o.println("  passwords:      " + sheet + " (owner-only; hand each password over apart from its file)");
            }
            return failed == 0 ? 0 : 1;
        }

        /** The CA's own profile signer (--sign) or an imported one (--signing-p12), like {@code scepca profile}. */
        private Optional<SigningIdentity> signer(CertificateAuthority ca) {
            Passphrase passphrase = data.passphrase();
            Optional<SigningIdentity> imported = signing.identity(data, passphrase);
            if (imported.isPresent() || !signing.sign) {
                return imported;
            }
            return Optional.of(new ProfileSigningIdentityStore(ca, passphrase).current());
        }

        /**
         * The device's identity and the CA root in one profile. The password stays out unless --embed-password: the
         * device then asks for it, so the profile alone (mailed, AirDropped) does not hand over the key.
         */
        private byte[] profile(CertificateAuthority ca, IdentifierPrefix prefix, String organization,
                Optional<SigningIdentity> signer, Device d, byte[] p12, String file, String password) {
            byte[] plist = new Pkcs12Profile(prefix, organization, d.fileStem(), ca.material().root(), p12, file,
                    embedPassword ? Optional.of(password) : Optional.empty()).mobileconfig();
            return signer.map(s -> new ProfileSigner(ca.clock()).sign(plist, s.key(), s.certificate(), s.chain()))
                    .orElse(plist);
        }

        private static PKCS10CertificationRequest csr(KeyPair keys, String cn, String org) {
            try {
                var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, org).addRDN(BCStyle.CN, cn).build();
                return new JcaPKCS10CertificationRequestBuilder(name, keys.getPublic())
                        .build(new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(keys.getPublic()))
                                .build(keys.getPrivate()));
            } catch (org.bouncycastle.operator.OperatorCreationException e) {
                throw new IllegalStateException("cannot sign the request", e);
            }
        }

        private static String csvField(String v) {
            return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
        }

        /** The device list: one name a line; every bad line is reported with its number and nothing is issued. */
        static List<Device> read(Path file) throws IOException {
            if (!Files.isRegularFile(file) || Files.size(file) > org.scepca.server.batch.DeviceList.MAX_BYTES) {
                throw new Errors.UserException(file + " is not a device list (a file of at most 1 MiB)");
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<Device> out = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                String name = lines.get(i).replace("\uFEFF", "").strip();
                int n = i + 1;
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                if (name.length() > MAX_NAME || name.codePoints().anyMatch(Character::isISOControl)
                        || name.contains("$") || name.contains("{{")) {
                    errors.add("line " + n + ": a device name is 1 to " + MAX_NAME
                            + " characters without control characters or MDM variables");
                    continue;
                }
                Device d = Device.named(n, name);
                Integer first = seen.putIfAbsent(d.fileStem().toLowerCase(Locale.ROOT), n);
                if (first != null) {
                    errors.add("line " + n + ": the same file name as line " + first);
                    continue;
                }
                out.add(d);
            }
            if (out.size() > MAX_DEVICES) {
                errors.add("more than " + MAX_DEVICES + " devices; split the list");
            }
            if (!errors.isEmpty()) {
                throw new Errors.UserException(file + ": " + String.join("; ", errors) + " (nothing was issued)");
            }
            return out;
        }
    }
}
