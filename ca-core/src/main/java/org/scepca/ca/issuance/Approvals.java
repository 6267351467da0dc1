package org.scepca.ca.issuance;

import java.util.function.Function;

import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.endpoint.Endpoints;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.store.ChallengeOrigin;
import org.scepca.ca.store.ChallengeRecord;
import org.scepca.ca.store.IssuedFor;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.store.RequestStore;

/**
 * Manual approval: an operator approves a pending SCEP request (the certificate is issued at once and the device gets
 * it on its next CertPoll) or rejects it (the next poll gets FAILURE).
 */
public final class Approvals {
    private final RequestStore requests;
    private final ChallengeService challenges;
    private final Endpoints endpoints;
    private final Function<String, IssuanceEngine> engines;
    private final Clock clock;

    /** @param engines the issuance engine of each endpoint, by name */
    public Approvals(RequestStore requests, ChallengeService challenges, Endpoints endpoints,
            Function<String, IssuanceEngine> engines, Clock clock) {
        this.requests = Objects.requireNonNull(requests, "requests is null");
        this.challenges = Objects.requireNonNull(challenges, "challenges is null");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints is null");
        this.engines = Objects.requireNonNull(engines, "engines is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    public IssuedCertificate approve(String transactionId, String actor) {
        RequestRecord r = pending(transactionId);
        PKCS10CertificationRequest csr;
        try {
            csr = new org.scepca.ca.policy.ReceivedCsr(r.csrDer());
        } catch (IOException e) {
            throw new IllegalStateException("stored request " + transactionId + " has an unreadable CSR");
        }
        // Issued under the policy of the endpoint the request came to, for the device its challenge was minted for,
        // within the names that challenge and the endpoint's template allow.
        EnrollmentEndpoint endpoint = endpoints.find(r.endpoint().orElse(ChallengeOrigin.DEFAULT_ENDPOINT))
                .orElseThrow(() -> new IllegalStateException("request " + transactionId + " came to endpoint '"
                        + r.endpoint().orElse("") + "', which is no longer configured"));
        Optional<ChallengeRecord> challenge = r.challengeId().flatMap(challenges::find);
        NameRule names = NameRule.all(challenge.flatMap(ChallengeRecord::binding).<NameRule>map(b -> b).orElse(NameRule.any()),
                endpoint.names().rule(challenge.flatMap(c -> c.origin().deviceSerial()),
                        challenge.flatMap(c -> c.origin().deviceUdid())));
        IssuedFor issuedFor = challenge.map(IssuedFor::challenge).orElse(IssuedFor.endpoint(endpoint.name()));
        IssuedCertificate issued = engines.apply(endpoint.name()).issue(new IssuanceRequest(csr, "approved-by:" + actor,
                CertificateProfile.CLIENT, new IssuanceEffects(Optional.empty(), Optional.of(r)), names, issuedFor));
        AuditLine.op("approve").token("txid", transactionId).text("subject", r.subjectDn())
                .token("serial", issued.record().serialHex()).token("actor", actor).token("outcome", "issued")
                .token("endpoint", endpoint.auditName()).token("device", issuedFor.device().orElse("-")).log();
        return issued;
    }

    public void reject(String transactionId, String reason, String actor) {
        RequestRecord r = pending(transactionId);
        if (!requests.reject(transactionId, reason, clock.instant())) {
            throw new IllegalStateException("request " + transactionId + " is no longer pending");
        }
        AuditLine.op("reject").token("txid", transactionId).text("subject", r.subjectDn()).token("actor", actor)
                .token("outcome", "rejected").text("reason", reason).token("serial", "-")
                .token("endpoint", endpoints.find(r.endpoint().orElse(ChallengeOrigin.DEFAULT_ENDPOINT))
                        .map(EnrollmentEndpoint::auditName).orElse("scep")).token("device", "-").log();
    }

    private RequestRecord pending(String transactionId) {
        RequestRecord r = requests.find(transactionId)
                .orElseThrow(() -> new IllegalArgumentException("no request with transaction id " + transactionId));
        if (r.status() != RequestStatus.PENDING) {
            throw new IllegalStateException("request " + transactionId + " is " + r.status().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not pending");
        }
        return r;
    }
}
