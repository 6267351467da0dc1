package org.scepca.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.keys.KeyPairs;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.scep.message.CertRep;
import org.scepca.scep.message.CertRepEncoder;
import org.scepca.scep.message.DecodedRequest;
import org.scepca.scep.message.DecoderLimits;
import org.scepca.scep.message.RaIdentity;
import org.scepca.scep.message.ScepRequestDecoder;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.cli.Providers;

/**
 * The three pieces of an enrollment, each alone, single-threaded, with the providers the server registers:
 * <ul>
 *   <li>{@code decode}: parse a PKCSReq, verify its signature and the CSR's, decrypt the envelope with the RA key;</li>
 *   <li>{@code issue}: policy check, build and sign the certificate, store it with its request row in one durable
 *   transaction (H2 in a temporary folder, as the server runs it);</li>
 *   <li>{@code encode}: the SUCCESS CertRep: degenerate SignedData, envelope to the device, RA signature.</li>
 * </ul>
 * Their sum against the load test's CPU per enrollment shows what the HTTP layer and the rest cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
// jvmArgs replaces (not appends to) the launching JVM's flags: the bench launcher's ParallelGC would clash.
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx512m", "-Dlogback.configurationFile=bench/logback-bench.xml"})
public class HotPathBenchmark {
    private Path work;
    private CertificateAuthority ca;
    private ScepRequestDecoder decoder;
    private CertRepEncoder encoder;
    private byte[][] messages;
    private PKCS10CertificationRequest[] csrs;
    private DecodedRequest decoded;
    private IssuedCertificate issued;
    private final AtomicLong counter = new AtomicLong();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Providers.register();
        work = Files.createTempDirectory("scepca-jmh-");
        CaDirectory dir = new CaDirectory(work.resolve("data"));
        Passphrase passphrase = Passphrase.of("jmh-passphrase-not-secret");
        CaBootstrap.create(dir, InitOptions.defaults(), passphrase);
        ca = CertificateAuthority.open(dir, passphrase, CaConfig.load(dir.configFile()), Clock.systemUTC(),
                new SecureRandom());
        RaIdentity ra = new RaIdentity(ca.material().raCertificate(), ca.material().raKey());
        decoder = new ScepRequestDecoder(ra, false, DecoderLimits.DEFAULT);
        encoder = new CertRepEncoder(ra, new SecureRandom(), Clock.systemUTC());

        DeviceMessages dm = new DeviceMessages(ca.material().raCertificate(), new SecureRandom());
        DeviceMessages.Device[] devices = new DeviceMessages.Device[8];
        for (int i = 0; i < devices.length; i++) {
            devices[i] = DeviceMessages.device(KeyPairs.rsa(2048, new SecureRandom()), "jmh-key-" + i);
        }
        messages = new byte[256][];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = dm.pkcsReq(i, devices[i % devices.length], "jmh-" + i, "jmh-challenge").message();
        }
        csrs = new PKCS10CertificationRequest[256];
        for (int i = 0; i < csrs.length; i++) {
            KeyPair kp = KeyPairs.rsa(2048, new SecureRandom());
            csrs[i] = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=jmh-" + i + ",O=scepca bench"),
                    kp.getPublic()).addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword,
                            new DERPrintableString("unused-here"))
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
        }
        decoded = decoder.decode(messages[0]);
        if (decoded.failure().isPresent()) {
            throw new IllegalStateException("the prepared PKCSReq does not decode: " + decoded.failureDetail());
        }
        issued = issue();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ca.close();
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public DecodedRequest decode() throws Exception {
        return decoder.decode(messages[next++ & (messages.length - 1)]);
    }

    @Benchmark
    public IssuedCertificate issue() {
        byte[] tid = new byte[20];
        long n = counter.incrementAndGet();
        for (int i = 0; i < 8; i++) {
            tid[i] = (byte) (n >>> (8 * i));
        }
        String txid = HexFormat.of().formatHex(tid) + "-" + System.nanoTime();
        PKCS10CertificationRequest csr = csrs[(int) (n & (csrs.length - 1))];
        Instant now = Instant.now();
        RequestRecord request = new RequestRecord(txid, "00", new byte[0], "CN=jmh", RequestStatus.PENDING,
                Optional.empty(), "jmh", Optional.empty(), now, now);
        return ca.issuance().issue(new IssuanceRequest(csr, "jmh", CertificateProfile.CLIENT,
                new IssuanceEffects(Optional.empty(), Optional.of(request))));
    }

    @Benchmark
    public byte[] encode() {
        return encoder.encode(CertRep.success(decoded.transactionId(), decoded.senderNonce(), List.of(issued.certificate())),
                decoded.replyParameters());
    }
}
