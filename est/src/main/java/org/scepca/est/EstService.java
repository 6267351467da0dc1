package org.scepca.est;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.challenge.ChallengeService.ChallengeGrant;
import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.issuance.IssuanceEngine;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.pem.CertsOnly;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.policy.ReceivedCsr;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ChallengeRecord;
import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.ca.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EST operations of one enrollment endpoint (RFC 7030 §4). The same chain of steps as SCEP's PKCSReq and
 * RenewalReq, on the same ca-core machinery: authorise (a one-time challenge as the HTTP Basic password, or our
 * certificate as the TLS client certificate for simplereenroll) → policy → issue and store atomically (or park for
 * approval) → reply. One audit line per enrollment.
 *
 * <p>Each request is recorded in the request store under the transaction id {@code est:<SHA-256 of the CSR>}: RFC
 * 7030 §4.2.3 has a client that got 202 send the same request again, so the CSR is what identifies it. The same
 * record makes a retry after a lost answer idempotent (the spent challenge still proves it is the same client) and
 * lets an operator approve a parked EST request like a SCEP one.
 */
public final class EstService {
    private static final Logger LOG = LoggerFactory.getLogger(EstService.class);
    /** RFC 7030 §4.2.3: how long a client waits before asking again for a request awaiting approval. */
    public static final Duration RETRY_AFTER = Duration.ofMinutes(5);
    /** Transaction ids of EST requests start with this (SCEP's are the client's transactionID). */
    public static final String TRANSACTION_PREFIX = "est:";

    private final CertificateAuthority ca;
    private final EnrollmentEndpoint endpoint;
    private final IssuanceEngine engine;
    private final Clock clock;
    private final X509Certificate issuer;
    private final byte[] caCerts;
    private final Optional<byte[]> csrAttrs;

    public EstService(CertificateAuthority ca, EnrollmentEndpoint endpoint) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        if (!endpoint.est()) {
            throw new IllegalArgumentException("endpoint " + endpoint.name() + " does not answer EST (endpoint."
                    + endpoint.name() + ".est)");
        }
        // The endpoint's engine: same store, CRL publication and policy as the endpoint's SCEP enrollments.
        this.engine = endpoint.policy().equals(ca.engineFor(endpoint.name()).policy()) ? ca.engineFor(endpoint.name())
                : ca.issuance().withPolicy(endpoint.policy());
        this.clock = ca.clock();
        this.issuer = ca.material().intermediateCertificate();
        // RFC 7030 §4.1.3: the certificates a client needs to build its explicit trust anchor database and to
        // validate what we issue: the issuing CA, then the root. Built once; they do not change while we run.
        this.caCerts = CertsOnly.encode(List.of(issuer, ca.material().root()));
        this.csrAttrs = CsrAttrs.forPolicy(endpoint.policy());
    }

    public EnrollmentEndpoint endpoint() {
        return endpoint;
    }

    /** {@code /cacerts}: a certs-only PKCS#7 (DER) with the issuing CA and the root. */
    public byte[] caCerts() {
        return caCerts.clone();
    }

    /** {@code /csrattrs}: the DER CsrAttrs (RFC 7030 §4.5.2) this endpoint's policy suggests; empty: none (204). */
    public Optional<byte[]> csrAttrs() {
        return csrAttrs.map(byte[]::clone);
    }

    /** {@code /simpleenroll} (RFC 7030 §4.2.1), authorised by a challenge (or, on an approval-only endpoint, none). */
    public EstReply simpleEnroll(byte[] csrDer, EstCredentials credentials) {
        return handle("simpleenroll", csrDer, credentials, false);
    }

    /** {@code /simplereenroll} (RFC 7030 §4.2.2), authorised by the TLS client certificate it renews. */
    public EstReply simpleReenroll(byte[] csrDer, EstCredentials credentials) {
        return handle("simplereenroll", csrDer, credentials, true);
    }

    private EstReply handle(String op, byte[] csrDer, EstCredentials credentials, boolean reenroll) {
        Objects.requireNonNull(csrDer, "csrDer is null");
        Objects.requireNonNull(credentials, "credentials is null");
        long start = System.nanoTime();
        Trace trace = new Trace(reenroll);
        Outcome outcome;
        try {
            outcome = enroll(csrDer, credentials, reenroll, trace);
        } catch (StoreUnavailableException e) {
            // As for SCEP: not a refusal. A commit cut off may have happened; the same request sent again gets the
            // stored answer by its transaction id.
            outcome = Outcome.refused(EstReply.Kind.UNAVAILABLE, "the certificate store is unavailable; try again",
                    "database unavailable");
        } catch (RuntimeException e) {
            LOG.error("internal error handling EST {} on {}: {}", op, endpoint.name(), e.toString());
            outcome = Outcome.refused(EstReply.Kind.INTERNAL, "internal error", "internal error");
        }
        audit(op, outcome, trace, (System.nanoTime() - start) / 1_000_000);
        publishRefusal(outcome, trace);
        return outcome.reply();
    }

    private Outcome enroll(byte[] csrDer, EstCredentials credentials, boolean reenroll, Trace trace) {
        PKCS10CertificationRequest csr;
        String subject;
        try {
            csr = new ReceivedCsr(csrDer);
            // Bouncy Castle decodes the subject's strings only when rendered: a UTF8String that is not UTF-8 throws
            // IllegalArgumentException here, which is the client's malformed request, not an internal error.
            subject = csr.getSubject().toString();
        } catch (IOException | RuntimeException e) {
            return Outcome.refused(EstReply.Kind.BAD_REQUEST, "the body is not a PKCS#10 certification request",
                    "malformed CSR");
        }
        trace.subject = subject;
        trace.sans = requestedSans(csr);
        String csrHash = Pem.sha256Hex(csrDer);
        trace.txid = TRANSACTION_PREFIX + csrHash;

        // 1. Authenticate: the certificate being renewed (simplereenroll), or the Basic password (simpleenroll).
        Optional<CertificateRecord> renewing = Optional.empty();
        if (reenroll) {
            Optional<X509Certificate> client = credentials.clientCertificate().filter(this::issuedByUs);
            if (client.isEmpty()) {
                return Outcome.refused(EstReply.Kind.UNAUTHORIZED, "simplereenroll needs the TLS client certificate"
                        + " this CA issued and that is being renewed", "no client certificate of this CA");
            }
            renewing = ca.certificates().find(client.get().getSerialNumber());
            if (renewing.isEmpty()) {
                return Outcome.refused(EstReply.Kind.UNAUTHORIZED, "the client certificate is not known to this CA",
                        "client certificate " + client.get().getSerialNumber().toString(16) + " not in the store");
            }
            trace.renewer = renewing.get().serialHex();
        }
        Optional<BigInteger> signer = renewing.map(CertificateRecord::serial);

        // 2. Idempotency: the same CSR from the same client (RFC 7030 §4.2.3: a client told 202 sends the same
        // request again) gets the stored answer.
        Optional<RequestRecord> known = ca.requests().find(trace.txid);
        if (known.isPresent()) {
            RequestRecord k = known.get();
            if (isRepeat(k, csrHash, signer, credentials)) {
                trace.repeat = true;
                return answerFor(k);
            }
            // A renewal (authenticated by our valid certificate) may take over a finished id: a client that renews
            // with the same key and names sends the very CSR it enrolled with. Anything else reusing a CSR is not.
            if (k.status() == RequestStatus.PENDING || renewing.isEmpty()) {
                return k.status() == RequestStatus.PENDING
                        ? Outcome.refused(EstReply.Kind.UNAUTHORIZED, "this request awaits approval; send it again"
                                + " with the credentials it was made with", "pending request, other credentials")
                        : Outcome.refused(EstReply.Kind.BAD_REQUEST, "this CSR was enrolled already; make a new key"
                                + " and CSR", "CSR enrolled already");
            }
        }
        Outcome outcome = enrollNew(csr, csrDer, credentials, renewing, known, trace);
        if (outcome.raceable()) {
            // A concurrent copy of this very request may have won (spent the challenge, renewed the certificate):
            // it gets the winner's answer, read once the winner's commit is durable.
            Optional<RequestRecord> winner = ca.requests().find(trace.txid);
            if (winner.isPresent() && isRepeat(winner.get(), csrHash, signer, credentials)) {
                trace.repeat = true;
                return answerFor(winner.get());
            }
        }
        return outcome;
    }

    /** Steps 3 to 5 for a request that is not a repeat; {@code finished} is a finished transaction it may take over. */
    private Outcome enrollNew(PKCS10CertificationRequest csr, byte[] csrDer, EstCredentials credentials,
            Optional<CertificateRecord> renewing, Optional<RequestRecord> finished, Trace trace) {
        // 3. Authorise: which names the request may carry, what it consumes, whom it is for.
        Optional<String> oneTimeHash = Optional.empty();
        String requester;
        NameRule names;
        IssuedFor issuedFor;
        if (renewing.isPresent()) {
            CertificateRecord old = renewing.get();
            Optional<Outcome> refused = renewalRefusal(old);
            if (refused.isPresent()) {
                return refused.get();
            }
            trace.device = old.issuedFor().device().orElse(old.serialHex());
            requester = "est:renewal:" + old.serialHex();
            // RFC 7030 §4.2.2: the Subject and SubjectAltName of the renewed certificate, unchanged.
            names = NameRule.sameAs(old.subjectDn(), old.subjectAltNames());
            issuedFor = new IssuedFor(Optional.of(endpoint.name()), old.issuedFor().challengeId(), old.issuedFor().note(),
                    old.issuedFor().deviceSerial(), old.issuedFor().deviceUdid(), old.issuedFor().intuneDeviceId());
        } else if (endpoint.allows(Authorization.NONE)) {
            requester = "est:approval";
            names = endpoint.names().rule(Optional.empty(), Optional.empty());
            issuedFor = IssuedFor.endpoint(endpoint.name());
        } else {
            Optional<ChallengeGrant> grant = credentials.password().flatMap(pw -> ca.challenges().check(pw, endpoint));
            if (grant.isEmpty()) {
                return credentials.password().isEmpty()
                        ? Outcome.refused(EstReply.Kind.UNAUTHORIZED, "HTTP Basic authentication with a challenge"
                                + " password is required", "no challenge password")
                        : Outcome.raced(EstReply.Kind.UNAUTHORIZED, "wrong, expired or used challenge password",
                                "wrong, expired or used challenge password");
            }
            oneTimeHash = grant.get().oneTimeHash();
            trace.actor = "est:challenge";
            requester = "est:challenge:" + grant.get().kind().name().toLowerCase(Locale.ROOT);
            names = grant.get().names();
            issuedFor = grant.get().challenge().map(IssuedFor::challenge).orElse(IssuedFor.endpoint(endpoint.name()));
            trace.challengeId = grant.get().challenge().map(ChallengeRecord::id).orElse("static");
            issuedFor.device().ifPresent(d -> trace.device = d);
        }

        names = new NamesGuard(names);
        // 4. Policy before anything is consumed: issuing checks the CSR and its names first; a request about to be
        // parked is checked here (nobody should approve what the policy would refuse).
        boolean parks = endpoint.manualApproval() && renewing.isEmpty();
        try {
            if (parks) {
                engine.validate(csr, names);
            }
            Instant now = clock.instant();
            RequestRecord record = new RequestRecord(trace.txid, Pem.sha256Hex(csrDer), csrDer, trace.subject,
                    RequestStatus.PENDING, Optional.empty(), requester, Optional.empty(), now, now,
                    renewing.map(CertificateRecord::serial), Optional.of(endpoint.name()), issuedFor.challengeId());
            if (parks) {
                // 5a. The challenge is spent with the parked request: approval (Approvals, as for SCEP) issues it.
                ca.requests().insertPending(record, oneTimeHash);
                return Outcome.pending();
            }
            // 5b. Issue and store atomically: the challenge consumed, the request recorded, the renewal link that lets
            // a certificate renew once only, and supersession (the old certificate is on the CRL before we answer).
            IssuanceEffects effects = new IssuanceEffects(oneTimeHash, Optional.of(record));
            if (renewing.isPresent()) {
                effects = effects.renewing(renewing.get().serial(), endpoint.renewal().supersede());
            }
            if (finished.isPresent()) {
                effects = effects.replacing(finished.get());
            }
            IssuedCertificate issued = engine.issue(new IssuanceRequest(csr, requester, CertificateProfile.CLIENT,
                    effects, names, issuedFor));
            trace.subject = issued.record().subjectDn();
            return Outcome.issued(issued.certificate(), issued.record().serialHex(),
                    renewing.isPresent() ? "renewed" : "issued");
        } catch (ConflictException e) {
            return switch (e.what()) {
                case CHALLENGE_UNAVAILABLE -> Outcome.raced(EstReply.Kind.UNAUTHORIZED,
                        "wrong, expired or used challenge password", "challenge password was used or expired");
                case ALREADY_RENEWED -> Outcome.raced(EstReply.Kind.FORBIDDEN,
                        "the client certificate was renewed already", "the certificate was already renewed");
                default -> Outcome.raced(EstReply.Kind.FORBIDDEN, "a concurrent request with this CSR was handled",
                        "transaction conflict");
            };
        } catch (NamesNotAllowed e) {
            // Authenticated, but not for these names (a challenge bound to another subject, a renewal that changes
            // its names): forbidden, not malformed.
            return Outcome.refused(EstReply.Kind.FORBIDDEN, e.getMessage(), e.getMessage());
        } catch (PolicyViolationException e) {
            // The policy's reasons name what in the request is not allowed (key, names): the client may see them.
            trace.badAlg = e.kind() == PolicyViolationException.Kind.BAD_ALGORITHM;
            return Outcome.refused(EstReply.Kind.BAD_REQUEST, e.getMessage(), e.getMessage());
        }
    }

    /** Why {@code old} cannot renew here, if it cannot (the same rules as SCEP's RenewalReq). */
    private Optional<Outcome> renewalRefusal(CertificateRecord old) {
        if (old.profile() != CertificateProfile.CLIENT) {
            return Optional.of(Outcome.refused(EstReply.Kind.FORBIDDEN, "only device certificates renew over EST",
                    "renewal of a " + old.profile().name().toLowerCase(Locale.ROOT) + " certificate"));
        }
        if (!old.isActive(clock.instant())) {
            String state = old.status() == CertificateStatus.REVOKED ? "revoked" : "expired";
            return Optional.of(Outcome.raced(EstReply.Kind.FORBIDDEN, "the client certificate is " + state,
                    "renewal with a " + state + " certificate " + old.serialHex()));
        }
        if (!endpoint.renewal().enabled()) {
            return Optional.of(Outcome.refused(EstReply.Kind.FORBIDDEN, "renewal is not enabled here",
                    "renewal is not enabled on endpoint " + endpoint.name()));
        }
        if (!old.endpointName().equals(endpoint.name())) {
            // Each endpoint's policy vouches only for what it issued: a certificate renews where it was enrolled.
            String reason = "the client certificate was issued by endpoint " + old.endpointName() + "; renew it there";
            return Optional.of(Outcome.refused(EstReply.Kind.FORBIDDEN, reason, reason));
        }
        Duration window = endpoint.renewal().window();
        if (!window.isZero() && old.notAfter().isAfter(clock.instant().plus(window))) {
            String reason = "renewal opens " + window.toDays() + " days before expiry ("
                    + old.notAfter().truncatedTo(ChronoUnit.SECONDS) + ")";
            return Optional.of(Outcome.refused(EstReply.Kind.FORBIDDEN, reason, reason));
        }
        return Optional.empty();
    }

    /**
     * True if {@code k} is this request again from the client that made it: the same CSR, the same certificate
     * being renewed, and for a challenge enrollment the same challenge (spent by now, so checked against the
     * record of the challenge the request used, in constant time).
     */
    private boolean isRepeat(RequestRecord k, String csrHash, Optional<BigInteger> signer, EstCredentials credentials) {
        if (!k.isRepeat(csrHash, signer)) {
            return false;
        }
        if (signer.isPresent()) {
            return true; // authenticated by the TLS client certificate it renews
        }
        if (k.challengeId().isPresent()) {
            Optional<ChallengeRecord> used = k.challengeId().flatMap(ca.challenges()::find);
            return used.isPresent() && credentials.password().isPresent() && MessageDigest.isEqual(
                    ChallengeService.hashHex(credentials.password().get()).getBytes(StandardCharsets.US_ASCII),
                    used.get().secretSha256().getBytes(StandardCharsets.US_ASCII));
        }
        if (endpoint.allows(Authorization.NONE) && k.requester().equals("est:approval")) {
            return true; // nothing to prove on an approval-only endpoint; the CSR's key holder asks again
        }
        // The static challenge is not spent: it must still be right.
        return credentials.password().flatMap(pw -> ca.challenges().check(pw, endpoint))
                .filter(g -> g.kind() == ChallengeGrant.Kind.STATIC).isPresent();
    }

    /** The reply a request's stored state calls for (a repeat, or a client asking again after 202). */
    private Outcome answerFor(RequestRecord r) {
        return switch (r.status()) {
            case PENDING -> Outcome.pending();
            case REJECTED -> Outcome.refused(EstReply.Kind.FORBIDDEN, "the request was rejected"
                    + r.reason().map(s -> ": " + s).orElse(""), "rejected: " + r.reason().orElse("by an operator"));
            case ISSUED -> {
                Optional<CertificateRecord> cert = r.serial().flatMap(ca.certificates()::find);
                if (cert.isEmpty()) {
                    yield Outcome.refused(EstReply.Kind.INTERNAL, "internal error", "issued certificate missing");
                }
                if (cert.get().status() == CertificateStatus.REVOKED) {
                    // Never hand out a revoked certificate as a success, even to a repeat of the request that got it.
                    yield Outcome.refused(EstReply.Kind.FORBIDDEN, "the certificate of this request was revoked",
                            "the certificate of this request was revoked");
                }
                yield Outcome.issued(Pem.certificate(cert.get().der()), cert.get().serialHex(), "issued");
            }
        };
    }

    /** Issued by our issuing CA (name and signature); whether it is known and active is the store's to say. */
    private boolean issuedByUs(X509Certificate c) {
        if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * One audit line per enrollment, with SCEP's fields in SCEP's order ({@code op txid subject serial outcome
     * reason}, then endpoint, device, actor, challenge, ms). The actor says how it was authorised: "est:renewal" (the
     * client certificate, whose serial is the device), "est:challenge", "est:approval" or "est:anonymous".
     */
    private void audit(String op, Outcome outcome, Trace trace, long ms) {
        AuditLine line = AuditLine.op(op).token("txid", trace.txid).text("subject", trace.subject)
                .token("serial", outcome.serial()).token("outcome", outcome.label());
        if (!outcome.detail().isEmpty()) {
            line.text("reason", outcome.detail());
        }
        String actor = trace.renewer != null ? "est:renewal" : endpoint.allows(Authorization.NONE) && !trace.reenroll
                ? "est:approval" : trace.actor;
        line.token("endpoint", endpoint.estAuditName())
                .text("device", trace.device != null ? trace.device : trace.renewer != null ? trace.renewer : "-")
                .token("actor", actor).token("challenge", trace.challengeId);
        if (trace.repeat) {
            line.token("repeat", "yes");
        }
        line.token("ms", ms).log();
    }

    /**
     * An enrollment refused: the webhooks' {@code refused} event, as SCEP sends it (failInfo in SCEP's terms:
     * badAlg for a refused key or signature algorithm, else badRequest, as SCEP answers the same refusals), with the
     * actor {@code est} to tell the protocols apart. Queued without waiting; not for an unavailable database (the
     * request may be fine, as SCEP does).
     */
    private void publishRefusal(Outcome outcome, Trace trace) {
        if (ca.webhooks().isEmpty() || !(outcome.reply() instanceof EstReply.Refused refused)
                || refused.kind() == EstReply.Kind.UNAVAILABLE) {
            return;
        }
        ca.webhooks().get().publishRefusal(org.scepca.ca.events.CaEvent.refused(clock.instant(),
                Optional.of(trace.txid).filter(t -> !t.equals("-")), Optional.of(trace.subject).filter(t -> !t.isEmpty()),
                trace.sans, trace.badAlg ? "badAlg" : "badRequest", outcome.detail(), "est")
                .withEndpoint(endpoint.name()).withRefusedDevice(trace.device, trace.challengeId));
    }

    /** The SANs a CSR asks for, as "type:value" (for the refusal event; the policy reads them itself). */
    private static List<String> requestedSans(PKCS10CertificationRequest csr) {
        try {
            org.bouncycastle.asn1.x509.Extensions ext = csr.getRequestedExtensions();
            org.bouncycastle.asn1.x509.GeneralNames names = ext == null ? null
                    : org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(ext,
                            org.bouncycastle.asn1.x509.Extension.subjectAlternativeName);
            return names == null ? List.of() : java.util.Arrays.stream(names.getNames())
                    .map(org.scepca.ca.policy.SanText::of).toList();
        } catch (RuntimeException e) {
            return List.of(); // the policy refuses what cannot be read
        }
    }

    /** The names the request's authority allows; a refusal from it is told apart from other policy refusals. */
    private record NamesGuard(NameRule names) implements NameRule {
        @Override
        public void check(String subject, byte[] subjectDer, List<String> sans) {
            try {
                names.check(subject, subjectDer, sans);
            } catch (NamesNotAllowed e) {
                throw e;
            } catch (PolicyViolationException e) {
                throw new NamesNotAllowed(e.getMessage());
            }
        }
    }

    private static final class NamesNotAllowed extends PolicyViolationException {
        private static final long serialVersionUID = 1L;

        NamesNotAllowed(String message) {
            super(message);
        }
    }

    /** What one request learned on the way, for its audit line. */
    private static final class Trace {
        final boolean reenroll;
        String txid = "-";
        String subject = "";
        String challengeId = "-";
        String actor = "est:anonymous";
        String renewer;
        String device;
        boolean repeat;
        boolean badAlg;
        List<String> sans = List.of();

        Trace(boolean reenroll) {
            this.reenroll = reenroll;
        }
    }

    /**
     * The reply with what the audit line needs. {@code raceable}: a refusal that a concurrent copy of the same
     * request could have caused by winning (its answer is then the winner's).
     */
    private record Outcome(EstReply reply, String serial, String label, String detail, boolean raceable) {
        static Outcome issued(X509Certificate cert, String serial, String label) {
            return new Outcome(new EstReply.Issued(cert, CertsOnly.encode(List.of(cert))), serial, label, "", false);
        }

        static Outcome pending() {
            return new Outcome(new EstReply.Pending(RETRY_AFTER), "-", "pending", "", false);
        }

        static Outcome refused(EstReply.Kind kind, String reason, String detail) {
            return new Outcome(new EstReply.Refused(kind, reason), "-",
                    "failure:" + kind.name().toLowerCase(Locale.ROOT), detail, false);
        }

        static Outcome raced(EstReply.Kind kind, String reason, String detail) {
            Outcome o = refused(kind, reason, detail);
            return new Outcome(o.reply(), o.serial(), o.label(), o.detail(), true);
        }
    }
}
