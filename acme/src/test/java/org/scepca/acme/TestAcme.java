package org.scepca.acme;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.testing.TestPki;

/**
 * An ACME endpoint "web" on a real CA (TestPki: real H2 files, the real issuance engine, revocation and CRL), with
 * validations run on the calling thread. The validators are the test's: the real ones are tested on their own.
 */
final class TestAcme implements AutoCloseable {
    static final String BASE = "https://ca.example/acme/web";

    /** A validator that answers what the test says and records what it was asked. */
    static final class ScriptedValidator implements ChallengeValidator {
        final String type;
        final List<Attempt> attempts = new CopyOnWriteArrayList<>();
        volatile Outcome next = Outcome.valid();

        ScriptedValidator(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public boolean supports(Identifier identifier) {
            return type.equals("dns-01") ? identifier.isDns() : type.equals("http-01")
                    ? identifier.isDns() && !identifier.isWildcard() : identifier.type().equals(Identifier.PERMANENT);
        }

        @Override
        public void checkResponse(com.fasterxml.jackson.databind.JsonNode response) {
            if (!type.equals("device-attest-01")) {
                ChallengeValidator.super.checkResponse(response);
            } else if (!response.path("attObj").isTextual()) {
                throw new AcmeProblem(AcmeProblem.Type.MALFORMED, "attObj is required");
            }
        }

        @Override
        public Outcome validate(Attempt attempt) {
            attempts.add(attempt);
            return next;
        }
    }

    final CertificateAuthority ca;
    final AcmeService acme;
    final Map<String, ScriptedValidator> validators;

    private TestAcme(CertificateAuthority ca, AcmeService acme, Map<String, ScriptedValidator> validators) {
        this.ca = ca;
        this.acme = acme;
        this.validators = validators;
    }

    static TestAcme open(Path dir, String... types) {
        return open(dir, Clock.systemUTC(), Runnable::run, p -> p, types);
    }

    /**
     * @param executor runs validations (the calling thread, or one that drops them to test the lease take-over)
     * @param policy   the endpoint's policy from the CA's default one
     */
    static TestAcme open(Path dir, Clock clock, java.util.concurrent.Executor executor,
            java.util.function.UnaryOperator<org.scepca.ca.policy.IssuancePolicy> policy, String... types) {
        return on(TestPki.create(dir.resolve("ca")), clock, executor, policy, types);
    }

    /** The endpoint on a CA opened by the test (a replica on PostgreSQL); closing the fixture closes the CA. */
    static TestAcme on(CertificateAuthority ca, Clock clock, java.util.concurrent.Executor executor,
            java.util.function.UnaryOperator<org.scepca.ca.policy.IssuancePolicy> policy, String... types) {
        Directory directory = new Directory(BASE, Optional.empty(), false);
        NonceStore nonces = new NonceStore(ca.database(), clock, Duration.ofDays(30), new SecureRandom());
        Map<String, ScriptedValidator> validators = new java.util.LinkedHashMap<>();
        for (String t : types.length == 0 ? new String[] {"http-01", "dns-01"} : types) {
            validators.put(t, new ScriptedValidator(t));
        }
        AcmeIssuer issuer = new AcmeIssuer(ca.issuance().withPolicy(policy.apply(ca.issuance().policy())),
                ca.revocation(), ca.certificates(), List.of(ca.material().intermediateCertificate()));
        AcmeService acme = new AcmeService("web", directory, nonces,
                new AccountStore(ca.database(), directory, "web", clock, new SecureRandom()),
                new OrderStore(ca.database(), "web", clock, new SecureRandom()),
                new java.util.LinkedHashMap<>(validators), issuer, executor, clock);
        return new TestAcme(ca, acme, validators);
    }

    AcmeService acme() {
        return acme;
    }

    @Override
    public void close() {
        ca.close();
    }
}
