package org.scepca.ca.endpoint;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.scepca.ca.policy.IssuancePolicy;
import org.scepca.ca.store.ChallengeOrigin;

/**
 * One SCEP enrollment endpoint: {@code /scep} is {@value ChallengeOrigin#DEFAULT_ENDPOINT}, {@code /scep/NAME} the
 * others.
 *
 * @param name                the endpoint's name (URL segment, configuration key, audit field)
 * @param authorization       what may authorise a first enrollment
 * @param staticChallenge     the endpoint's static challenge (with {@link Authorization#STATIC})
 * @param manualApproval      first enrollments wait for an operator (always so with {@link Authorization#NONE})
 * @param policy              key constraints, subject attributes, SAN types and patterns, EKUs and validity
 * @param names               subject and SAN templates, patterns and required values
 * @param renewal             whether and when a certificate of this endpoint may renew over SCEP (RenewalReq)
 * @param includeRootInCaCert GetCACert sends the root too (Apple clients like it; Intune wants the issuer only)
 * @param reportToIntune      successNotification / failureNotification to Intune (Intune endpoints only)
 * @param acme                present for an ACME endpoint ({@code protocol=acme}, authorization {@link Authorization#ACME})
 * @param est                 the endpoint also answers EST (RFC 7030) at {@link #estPath()}, over HTTPS only
 */
public record EnrollmentEndpoint(String name, Set<Authorization> authorization, Optional<String> staticChallenge,
        boolean manualApproval, IssuancePolicy policy, NameTemplate names, Renewal renewal,
        boolean includeRootInCaCert, boolean reportToIntune, Optional<AcmeOptions> acme, boolean est) {

    /** An ACME endpoint, or one that answers SCEP only. */
    public EnrollmentEndpoint(String name, Set<Authorization> authorization, Optional<String> staticChallenge,
            boolean manualApproval, IssuancePolicy policy, NameTemplate names, Renewal renewal,
            boolean includeRootInCaCert, boolean reportToIntune, Optional<AcmeOptions> acme) {
        this(name, authorization, staticChallenge, manualApproval, policy, names, renewal, includeRootInCaCert,
                reportToIntune, acme, false);
    }

    /** A SCEP endpoint that may also answer EST. */
    public EnrollmentEndpoint(String name, Set<Authorization> authorization, Optional<String> staticChallenge,
            boolean manualApproval, IssuancePolicy policy, NameTemplate names, Renewal renewal,
            boolean includeRootInCaCert, boolean reportToIntune, boolean est) {
        this(name, authorization, staticChallenge, manualApproval, policy, names, renewal, includeRootInCaCert,
                reportToIntune, Optional.empty(), est);
    }

    /** A SCEP endpoint. */
    public EnrollmentEndpoint(String name, Set<Authorization> authorization, Optional<String> staticChallenge,
            boolean manualApproval, IssuancePolicy policy, NameTemplate names, Renewal renewal,
            boolean includeRootInCaCert, boolean reportToIntune) {
        this(name, authorization, staticChallenge, manualApproval, policy, names, renewal, includeRootInCaCert,
                reportToIntune, Optional.empty(), false);
    }

    /**
     * @param enabled   renewal over SCEP is accepted
     * @param window    how long before its expiry a certificate may renew (null-free; zero: any time)
     * @param supersede the renewed certificate is revoked (superseded) and published on the CRL at once
     */
    public record Renewal(boolean enabled, Duration window, boolean supersede) {
        public Renewal {
            Objects.requireNonNull(window, "window is null");
        }
    }

    public EnrollmentEndpoint {
        Objects.requireNonNull(name, "name is null");
        if (!ChallengeOrigin.ENDPOINT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("endpoint name must match " + ChallengeOrigin.ENDPOINT_NAME.pattern());
        }
        authorization = authorization.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(authorization));
        if (authorization.isEmpty()) {
            throw new IllegalArgumentException("an endpoint needs an authorization");
        }
        Objects.requireNonNull(staticChallenge, "staticChallenge is null");
        Objects.requireNonNull(policy, "policy is null");
        Objects.requireNonNull(names, "names is null");
        Objects.requireNonNull(renewal, "renewal is null");
        if (authorization.contains(Authorization.STATIC) != staticChallenge.isPresent()) {
            throw new IllegalArgumentException("a static challenge goes with the static authorization");
        }
        if (authorization.contains(Authorization.NONE) && !manualApproval) {
            throw new IllegalArgumentException("an endpoint without a challenge needs manual approval");
        }
        if (reportToIntune && !authorization.contains(Authorization.INTUNE)) {
            throw new IllegalArgumentException("only an Intune endpoint reports to Intune");
        }
        Objects.requireNonNull(acme, "acme is null");
        if (acme.isPresent() != authorization.contains(Authorization.ACME)
                || (acme.isPresent() && (authorization.size() != 1 || manualApproval || renewal.enabled()))) {
            throw new IllegalArgumentException("an ACME endpoint is authorised by ACME challenges alone (no approval,"
                    + " no SCEP renewal), and only an ACME endpoint is");
        }
        if (acme.isPresent() && ChallengeOrigin.DEFAULT_ENDPOINT.equals(name)) {
            throw new IllegalArgumentException("the default endpoint is /scep; ACME endpoints have names");
        }
        if (est && authorization.contains(Authorization.INTUNE)) {
            // Intune's challenge is an encrypted blob for SCEP's challengePassword; Intune never validates EST.
            throw new IllegalArgumentException("an Intune endpoint cannot answer EST");
        }
        if (est && acme.isPresent()) {
            throw new IllegalArgumentException("an ACME endpoint does not answer EST");
        }
    }

    public boolean isAcme() {
        return acme.isPresent();
    }

    /** The same endpoint with approval, GetCACert chain and supersession set by hand (tests, tools). */
    public EnrollmentEndpoint withSettings(boolean manual, boolean includeRoot, boolean supersede) {
        return new EnrollmentEndpoint(name, authorization, staticChallenge, manual || allows(Authorization.NONE), policy,
                names, new Renewal(renewal.enabled(), renewal.window(), supersede), includeRoot, reportToIntune, acme,
                est);
    }

    public boolean isDefault() {
        return ChallengeOrigin.DEFAULT_ENDPOINT.equals(name);
    }

    public boolean allows(Authorization a) {
        return authorization.contains(a);
    }

    /**
     * The endpoint as audit lines name it: {@code scep} for the default (as before endpoints existed), {@code scep/NAME}
     * for the others, so that one field tells protocol and endpoint apart from the admin API and the CLI.
     */
    public String auditName() {
        return isDefault() ? "scep" : (isAcme() ? "acme/" : "scep/") + name;
    }

    /** The URL path of this endpoint. */
    public String path() {
        return isDefault() ? "/scep" : isAcme() ? "/acme/" + name + "/directory" : "/scep/" + name;
    }

    /**
     * The EST path of this endpoint (RFC 7030 §3.2.2): {@code /.well-known/est} for the default endpoint, the
     * endpoint's name as the optional label for the others.
     */
    public String estPath() {
        return isDefault() ? "/.well-known/est" : "/.well-known/est/" + name;
    }

    /** The endpoint as EST audit lines name it: {@code est} or {@code est/NAME} (like {@link #auditName()}). */
    public String estAuditName() {
        return isDefault() ? "est" : "est/" + name;
    }
}
