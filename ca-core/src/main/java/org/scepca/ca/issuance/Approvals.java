package org.scepca.ca.issuance;

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
    private final IssuanceEngine engine;
    private final Clock clock;

    public Approvals(RequestStore requests, IssuanceEngine engine, Clock clock) {
        this.requests = Objects.requireNonNull(requests, "requests is null");
        this.engine = Objects.requireNonNull(engine, "engine is null");
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
        IssuedCertificate issued = engine.issue(new IssuanceRequest(csr, "approved-by:" + actor, CertificateProfile.CLIENT,
                new IssuanceEffects(Optional.empty(), Optional.of(r))));
        AuditLine.op("approve").token("txid", transactionId).text("subject", r.subjectDn())
                .token("serial", issued.record().serialHex()).token("actor", actor).token("outcome", "issued")
                .token("endpoint", AuditLine.endpointOf(actor)).token("device", "-").log();
        return issued;
    }

    public void reject(String transactionId, String reason, String actor) {
        RequestRecord r = pending(transactionId);
        if (!requests.reject(transactionId, reason, clock.instant())) {
            throw new IllegalStateException("request " + transactionId + " is no longer pending");
        }
        AuditLine.op("reject").token("txid", transactionId).text("subject", r.subjectDn()).token("actor", actor)
                .token("outcome", "rejected").text("reason", reason).token("serial", "-")
                .token("endpoint", AuditLine.endpointOf(actor)).token("device", "-").log();
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
