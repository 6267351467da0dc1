package org.scepca.server.app;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.scepca.acme.AccountStore;
import org.scepca.acme.AcmeIssuer;
import org.scepca.acme.AcmeService;
import org.scepca.acme.ChallengeValidator;
import org.scepca.acme.Directory;
import org.scepca.acme.Dns01Validator;
import org.scepca.acme.Http01Validator;
import org.scepca.acme.NonceStore;
import org.scepca.acme.OrderStore;
import org.scepca.acme.Targets;
import org.scepca.acme.attest.AppleDeviceAttestation;
import org.scepca.acme.attest.DeviceAllowList;
import org.scepca.acme.attest.DeviceAttest01Validator;
import org.scepca.acme.attest.DevicePolicy;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.endpoint.AcmeOptions;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.store.Database;

/**
 * The ACME endpoints of the configuration ({@code endpoint.NAME.protocol=acme}), each an {@link AcmeService} on the
 * CA's one store, issuance engine and revocation service, sharing one bounded validation executor. The executor is
 * the only per-process part, and holds nothing another replica needs: a validation's state is in the database.
 */
public final class AcmeEndpoints implements AutoCloseable {
    /** Replay nonces live this long (RFC 8555 leaves it to the server; clients fetch a new one on badNonce). */
    static final Duration NONCE_LIFETIME = Duration.ofMinutes(30);
    static final int VALIDATION_THREADS = 4;
    static final int VALIDATION_QUEUE = 256;
    static final Duration DNS_TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, AcmeService> services;
    private final ThreadPoolExecutor executor;

    private AcmeEndpoints(Map<String, AcmeService> services, ThreadPoolExecutor executor) {
        this.services = Map.copyOf(services);
        this.executor = executor;
    }

    public static AcmeEndpoints start(CertificateAuthority ca, Clock clock, SecureRandom random) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(VALIDATION_THREADS, VALIDATION_THREADS, 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(VALIDATION_QUEUE), r -> {
                    Thread t = new Thread(r, "scepca-acme-validation");
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        Map<String, AcmeService> services = new LinkedHashMap<>();
        NonceStore nonces = new NonceStore(ca.database(), clock, NONCE_LIFETIME, random);
        for (EnrollmentEndpoint e : ca.endpoints().all()) {
            if (e.acme().isEmpty()) {
                continue;
            }
            AcmeOptions o = e.acme().get();
            Directory directory = new Directory(o.base(e.name()), o.termsOfService().map(Object::toString), false);
            AcmeIssuer issuer = new AcmeIssuer(ca.engineFor(e.name()), ca.revocation(), ca.certificates(),
                    List.of(ca.material().intermediateCertificate()));
            services.put(e.name(), new AcmeService(e.name(), directory, nonces,
                    new AccountStore(ca.database(), directory, e.name(), clock, random),
                    new OrderStore(ca.database(), e.name(), clock, random), validators(e.name(), o, ca.database(), clock), issuer,
                    executor, clock));
        }
        return new AcmeEndpoints(services, executor);
    }

    /** The validators an endpoint's {@code acme-challenges} names, in a stable order. */
    static Map<String, ChallengeValidator> validators(String name, AcmeOptions o, Database db, Clock clock) {
        Map<String, ChallengeValidator> v = new LinkedHashMap<>();
        for (String type : List.of("http-01", "dns-01", "device-attest-01")) {
            if (!o.challenges().contains(type)) {
                continue;
            }
            switch (type) {
                case "http-01" -> v.put(type, new Http01Validator(new Targets(o.allowPrivateTargets()), o.httpPort()));
                case "dns-01" -> v.put(type, new Dns01Validator(Dns01Validator.jndi(o.dnsResolver(), DNS_TIMEOUT)));
                // Apple's attestation under the pinned Enterprise Attestation Root; the device policy is applied to
                // what Apple attested, the bound key is then required of the CSR at finalize.
                case "device-attest-01" -> v.put(type, new DeviceAttest01Validator(new AppleDeviceAttestation(clock),
                        DevicePolicy.parse(o.devicePolicy()), new DeviceAllowList(db, clock)));
                default -> throw new InvalidConfigException("endpoint." + name + ".acme-challenges: " + type
                        + " is not available in this build");
            }
        }
        return v;
    }

    public Map<String, AcmeService> services() {
        return services;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
