package org.scepca.scep;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.challenge.ChallengeService;
import org.scepca.ca.challenge.ChallengeService.ChallengeGrant;
import org.scepca.ca.endpoint.Authorization;
import org.scepca.ca.endpoint.EnrollmentEndpoint;
import org.scepca.ca.issuance.IssuanceEngine;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.issuance.IssuedCertificate;
import org.scepca.ca.material.CaMaterial;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.NameRule;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.ConflictException;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.store.IssuedFor;
import org.scepca.ca.store.RequestRecord;
import org.scepca.ca.store.RequestStatus;
import org.scepca.scep.message.CaCertificatesEncoder;
import org.scepca.scep.message.CertRep;
import org.scepca.scep.message.CertRepEncoder;
import org.scepca.scep.message.CsrAttributes;
import org.scepca.scep.message.CsrPayload;
import org.scepca.scep.message.DecodedRequest;
import org.scepca.scep.message.DecoderLimits;
import org.scepca.scep.message.FailInfo;
import org.scepca.scep.message.IssuerAndSerialPayload;
import org.scepca.scep.message.MalformedScepMessageException;
import org.scepca.scep.message.RaIdentity;
import org.scepca.scep.message.ScepRequestDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCEP operations (RFC 8894 §3.5, §4). Once a message decodes, every outcome is a signed CertRep: a refusal is
 * FAILURE with a standard failInfo, never an exception to the transport. One audit line per PKIOperation.
 *
 * <p>Enrollment is a short chain of steps: decode → idempotency by transactionID → authorise (challenge or the
 * certificate being renewed) → policy → issue and store atomically (or park as PENDING) → reply.
 */
public final class ScepService {
    private static final Logger LOG = LoggerFactory.getLogger(ScepService.class);

    private final CertificateAuthority ca;
    private final ScepSettings settings;
    private final RaIdentity ra;
    private final ScepRequestDecoder decoder;
    private final CertRepEncoder encoder;
    private final byte[] caCertReply;
    private final String caCertContentType;
    private final byte[] nextCaCertReply;
    private final String caCaps;
    private final X500Name issuerName;
    private final X500Name rootName;
    private final X509Certificate issuerCert;
    private final Clock clock;
    private final EnrollmentEndpoint endpoint;
    private final IssuanceEngine engine;
    private final Optional<RequestValidator> validator;
    private final ScepObserver observer;

    /**
     * The default endpoint ({@code /scep}), with the approval, chain and supersession of {@code settings} (tests and
     * tools that build their settings by hand).
     */
    public ScepService(CertificateAuthority ca, ScepSettings settings, SecureRandom random) {
        this(ca, settings, ca.endpoints().defaultEndpoint().withSettings(settings.manualApproval(),
                settings.includeRootInCaCert(), settings.supersedeOnRenewal()), Optional.empty(), random);
    }

    /**
     * One enrollment endpoint.
     *
     * @param validator the outside authority of an {@code intune} endpoint (required there, absent elsewhere)
     */
    public ScepService(CertificateAuthority ca, ScepSettings settings, EnrollmentEndpoint endpoint,
            Optional<RequestValidator> validator, SecureRandom random) {
        this(ca, settings, endpoint, validator, random, ScepObserver.NONE);
    }

    /** @param observer told what each request came to (the server's metrics) */
    public ScepService(CertificateAuthority ca, ScepSettings settings, EnrollmentEndpoint endpoint,
            Optional<RequestValidator> validator, SecureRandom random, ScepObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer is null");
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint is null");
        this.validator = Objects.requireNonNull(validator, "validator is null");
        if (validator.isPresent() && !endpoint.allows(Authorization.INTUNE)) {
            throw new IllegalArgumentException("endpoint " + endpoint.name() + ": only an Intune endpoint has a validator");
        }
        this.engine = endpoint.policy().equals(ca.engineFor(endpoint.name()).policy()) ? ca.engineFor(endpoint.name())
                : ca.issuance().withPolicy(endpoint.policy());
        this.clock = ca.clock();
        CaMaterial m = ca.material();
        this.issuerCert = m.intermediateCertificate();
        this.issuerName = X500Name.getInstance(issuerCert.getSubjectX500Principal().getEncoded());
        this.rootName = X500Name.getInstance(m.root().getSubjectX500Principal().getEncoded());
        this.ra = settings.separateRa() ? new RaIdentity(m.raCertificate(), m.raKey())
                : new RaIdentity(m.intermediateCertificate(), m.intermediateKey());
        this.decoder = new ScepRequestDecoder(ra, settings.allowSingleDes(), DecoderLimits.DEFAULT);
        this.encoder = new CertRepEncoder(ra, random, clock);
        CaCertificatesEncoder certs = new CaCertificatesEncoder(clock);
        // Built once: GetCACert is the most frequent request and its answer never changes while we run.
        if (settings.separateRa()) {
            List<X509Certificate> list = new ArrayList<>(List.of(m.raCertificate(), m.intermediateCertificate()));
            if (endpoint.includeRootInCaCert()) {
                list.add(m.root());
            }
            this.caCertReply = certs.degenerate(list);
            this.caCertContentType = ScepReply.CA_RA_CERT;
        } else {
            this.caCertReply = der(m.intermediateCertificate());
            this.caCertContentType = ScepReply.CA_CERT;
        }
        this.nextCaCertReply = m.next().map(n -> certs.signedNextCa(List.of(n.ra().certificate(),
                n.intermediate().certificate()), ra, "SHA-256")).orElse(null);
        // RFC 8894 §3.5.2: list only what works. SCEPStandard implies AES, SHA-256 and POSTPKIOperation.
        StringBuilder caps = new StringBuilder("AES\nDES3\n");
        if (nextCaCertReply != null) {
            caps.append("GetNextCACert\n");
        }
        // SHA-384 is honest (we verify it) and needed in practice: strongSwan 5.9.8's pki --scep tests capabilities
        // with enum values as bit masks, so it only sees AES when bit 3 (SHA-384) is set.
        // Renewal only where RenewalReq is accepted: macOS reads its absence as "the server doesn't support renewal".
        caps.append(endpoint.renewal().enabled() ? "POSTPKIOperation\nRenewal\n" : "POSTPKIOperation\n");
        caps.append("SHA-1\nSHA-256\nSHA-384\nSHA-512\nSCEPStandard\n");
        this.caCaps = caps.toString();
    }

    /** The endpoint this service answers for. */
    public EnrollmentEndpoint endpoint() {
        return endpoint;
    }

    /** Who is told of each request; the HTTP edge reports what never reaches {@link #pkiOperation} here too. */
    public ScepObserver observer() {
        return observer;
    }

    public ScepReply getCaCaps() {
        return new ScepReply(ScepReply.TEXT, caCaps.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    public ScepReply getCaCert() {
        return new ScepReply(caCertContentType, caCertReply.clone());
    }

    /** Empty when no next CA is staged. */
    public Optional<ScepReply> getNextCaCert() {
        return Optional.ofNullable(nextCaCertReply).map(b -> new ScepReply(ScepReply.NEXT_CA_CERT, b.clone()));
    }

    /** The RA/CA certificate clients encrypt to, for profile fingerprints and tests. */
    public X509Certificate raCertificate() {
        return ra.certificate();
    }

    /**
     * Handles a pkiMessage.
     *
     * @throws MalformedScepMessageException if it cannot be parsed at all (the edge answers HTTP 400)
     * @throws org.scepca.ca.store.StoreUnavailableException if the database cannot be reached (the edge answers 503)
     */
    public ScepReply pkiOperation(byte[] message) throws MalformedScepMessageException {
        long start = System.nanoTime();
        DecodedRequest req = decoder.decode(message);
        Trace trace = new Trace();
        Outcome outcome;
        if (req.failure().isPresent()) {
            outcome = Outcome.fail(ScepObserver.Refusal.MESSAGE, CertRep.failure(req), "", null, req.failureDetail());
        } else {
            try {
                outcome = switch (req.messageType()) {
                    case PKCS_REQ -> enroll(req, false, trace);
                    case RENEWAL_REQ -> enroll(req, true, trace);
                    case CERT_POLL -> poll(req);
                    case GET_CERT -> getCert(req);
                    case GET_CRL -> getCrl(req);
                    // The decoder answers these itself (failure badRequest); a request never gets here with them.
                    case CERT_REP, UNSUPPORTED -> Outcome.fail(ScepObserver.Refusal.MESSAGE, failure(req, FailInfo.BAD_REQUEST), "", null, "messageType not supported");
                };
            } catch (org.scepca.ca.store.StoreUnavailableException e) {
                // The database is restarting or failing over. Not a refusal: the request may be fine, and a commit
                // cut off may even have happened. No CertRep; the edge answers HTTP 503 with Retry-After, and the
                // same message sent again gets the stored answer by its transactionID (RFC 8894 §3.2.1.1) or is
                // handled afresh. A FAILURE here would make the device give up on a transaction that may have
                // spent its one-time challenge.
                long nanos = System.nanoTime() - start;
                audit(req, new Outcome(failure(req, FailInfo.BAD_REQUEST), "", null, "unavailable", "database unavailable"),
                        nanos / 1_000_000, trace);
                observer.observe(new ScepObserver.Event(endpoint.name(), opName(req), ScepObserver.Result.UNAVAILABLE,
                        Optional.empty(), Optional.empty(), trace.renewal, false, nanos));
                throw e;
            } catch (RuntimeException e) {
                // Still a signed answer: a store or crypto fault must not become an HTTP 500 to the device.
                LOG.error("internal error handling {} {}: {}", req.messageType(), req.transactionId(), e.toString());
                outcome = Outcome.fail(ScepObserver.Refusal.INTERNAL, failure(req, FailInfo.BAD_REQUEST), "", null, "internal error");
            }
        }
        byte[] body = encoder.encode(outcome.rep(), req.replyParameters());
        long nanos = System.nanoTime() - start;
        audit(req, outcome, nanos / 1_000_000, trace);
        publishRefusal(req, outcome, trace);
        observer.observe(new ScepObserver.Event(endpoint.name(), opName(req), switch (outcome.rep().status()) {
            case SUCCESS -> ScepObserver.Result.SUCCESS;
            case FAILURE -> ScepObserver.Result.FAILURE;
            case PENDING -> ScepObserver.Result.PENDING;
        }, outcome.rep().failInfo(), outcome.refusal(), trace.renewal || req.messageType()
                == org.scepca.scep.message.MessageType.RENEWAL_REQ, trace.repeat, nanos));
        trace.afterReply.forEach(Runnable::run);
        return new ScepReply(ScepReply.PKI_MESSAGE, body);
    }

    private Outcome enroll(DecodedRequest req, boolean renewalReq, Trace trace) {
        CsrPayload payload = (CsrPayload) req.payload().orElseThrow();
        String subject = payload.csr().getSubject().toString();
        String csrHash = Pem.sha256Hex(payload.csrDer());
        String txid = req.transactionId().value();
        // Who signed: one of our certificates (a renewal, RFC 8894 §3.3.1.2) or a throwaway one (§2.3).
        Optional<CertificateRecord> renewing = ourCertificate(req.signerCertificate());
        Optional<BigInteger> signer = renewing.map(CertificateRecord::serial);
        trace.renewal = renewalReq || renewing.isPresent();

        // 1. Idempotency (RFC 8894 §3.2.1.1): a repeat of the same message (same transaction, CSR and signer) gets the
        // stored answer. The same id and CSR signed by another of our certificates is not a repeat: sscep renews with
        // the same CSR and micromdm's scepclient derives the id from the public key, so a renewal signed by the
        // certificate this transaction issued reuses both, and must get a new certificate, never the old one back.
        Optional<RequestRecord> known = ca.requests().find(txid);
        if (known.isPresent()) {
            RequestRecord k = known.get();
            if (k.isRepeat(csrHash, signer)) {
                trace.repeat = true;
                return answerFor(req, k);
            }
            // Only a renewal, authenticated by our own valid certificate, may take over a finished id; a pending one
            // waits for its operator, and anything else reusing an id is refused.
            if (k.status() == RequestStatus.PENDING || renewing.isEmpty()) {
                return Outcome.fail(ScepObserver.Refusal.TRANSACTION, failure(req, FailInfo.BAD_REQUEST), subject, null,
                        "transaction id reused with a different CSR");
            }
        }
        Outcome outcome = enrollNew(req, renewalReq, payload, csrHash, renewing, known, trace);
        if (outcome.raceable()) {
            // A concurrent copy of this very message may have won (used the challenge, renewed the certificate,
            // taken the id): the repeat gets the winner's answer, read once the winner's commit is durable.
            Optional<RequestRecord> winner = ca.requests().find(txid);
            if (winner.isPresent() && winner.get().isRepeat(csrHash, signer)) {
                trace.repeat = true;
                return answerFor(req, winner.get());
            }
        }
        return outcome;
    }

    /** Steps 2 to 4 for a request that is not a repeat; {@code finished} is a finished transaction it may take over. */
    private Outcome enrollNew(DecodedRequest req, boolean renewalReq, CsrPayload payload, String csrHash,
            Optional<CertificateRecord> renewing, Optional<RequestRecord> finished, Trace trace) {
        String subject = payload.csr().getSubject().toString();
        String txid = req.transactionId().value();

        // 2. Authorisation: the certificate being renewed, or a challenge password. Either decides which names the
        // request may carry: the renewed certificate's own, or those a bound challenge allows.
        Optional<String> oneTimeHash = Optional.empty();
        String requester;
        NameRule names;
        IssuedFor issuedFor;
        if (renewalReq || renewing.isPresent()) {
            if (renewing.isEmpty()) {
                return Outcome.fail(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, null,
                        "renewal signed by a certificate this CA did not issue");
            }
            CertificateRecord old = renewing.get();
            if (old.profile() != CertificateProfile.CLIENT) {
                return Outcome.fail(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, null,
                        "only device certificates renew over SCEP, not " + old.profile().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!old.isActive(clock.instant())) {
                return Outcome.raced(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, "renewal signed by a "
                        + (old.status() == CertificateStatus.REVOKED ? "revoked" : "expired") + " certificate " + old.serialHex());
            }
            trace.device = old.issuedFor().device().orElse(old.serialHex());
            if (!endpoint.renewal().enabled()) {
                return Outcome.fail(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, null,
                        "renewal is not enabled on endpoint " + endpoint.name());
            }
            if (!old.endpointName().equals(endpoint.name())) {
                // Each endpoint's policy vouches only for what it issued: a certificate renews where it was enrolled.
                return Outcome.fail(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, null, "certificate " + old.serialHex()
                        + " was issued by endpoint " + old.endpointName() + "; renew it there");
            }
            Duration window = endpoint.renewal().window();
            if (!window.isZero() && old.notAfter().isAfter(clock.instant().plus(window))) {
                return Outcome.fail(ScepObserver.Refusal.RENEWAL, failure(req, FailInfo.BAD_REQUEST), subject, null, "renewal opens "
                        + window.toDays() + " days before expiry (" + old.notAfter().truncatedTo(ChronoUnit.SECONDS) + ")");
            }
            requester = "scep:renewal:" + old.serialHex();
            names = NameRule.sameAs(old.subjectDn(), old.subjectAltNames());
            issuedFor = new IssuedFor(Optional.of(endpoint.name()), old.issuedFor().challengeId(), old.issuedFor().note(),
                    old.issuedFor().deviceSerial(), old.issuedFor().deviceUdid(), old.issuedFor().intuneDeviceId());
        } else if (endpoint.allows(Authorization.INTUNE)) {
            Optional<Outcome> refused = validateWithIntune(req, payload, subject, trace);
            if (refused.isPresent()) {
                return refused.get();
            }
            requester = "scep:intune";
            names = NameRule.any();
            issuedFor = IssuedFor.endpoint(endpoint.name()).withIntuneDeviceId(IssuedFor.intuneDeviceIdFrom(
                    CsrAttributes.requestedSans(payload.csr())));
            issuedFor.device().ifPresent(d -> trace.device = d);
        } else if (endpoint.allows(Authorization.NONE)) {
            requester = "scep:approval";
            names = endpoint.names().rule(Optional.empty(), Optional.empty());
            issuedFor = IssuedFor.endpoint(endpoint.name());
        } else {
            Optional<String> password = CsrAttributes.challengePassword(payload.csr());
            Optional<ChallengeGrant> grant = password.flatMap(pw -> ca.challenges().check(pw, endpoint));
            if (grant.isEmpty()) {
                return password.isEmpty()
                        ? Outcome.fail(ScepObserver.Refusal.CHALLENGE, failure(req, FailInfo.BAD_REQUEST), subject, null, "no challenge password")
                        : Outcome.raced(ScepObserver.Refusal.CHALLENGE, failure(req, FailInfo.BAD_REQUEST), subject, "wrong, expired or used challenge password");
            }
            oneTimeHash = grant.get().oneTimeHash();
            requester = "scep:challenge:" + grant.get().kind().name().toLowerCase(java.util.Locale.ROOT);
            names = grant.get().names();
            issuedFor = grant.get().challenge().map(IssuedFor::challenge).orElse(IssuedFor.endpoint(endpoint.name()));
            trace.challengeId = grant.get().challenge().map(c -> c.id()).orElse("static");
            issuedFor.device().ifPresent(d -> trace.device = d);
        }

        // 3. Policy, before anything is consumed. Issuing checks the CSR and its names first thing and consumes
        // nothing before that, so only a request about to be parked for approval is checked here (each check
        // verifies a signature).
        boolean parks = endpoint.manualApproval() && renewing.isEmpty();
        try {
            if (parks) {
                engine.validate(payload.csr(), names);
            }
            Instant now = clock.instant();
            RequestRecord record = new RequestRecord(txid, csrHash, payload.csrDer(), subject, RequestStatus.PENDING,
                    Optional.empty(), requester, Optional.empty(), now, now, renewing.map(CertificateRecord::serial),
                    Optional.of(endpoint.name()), issuedFor.challengeId());
            // 4a. Manual approval parks first enrollments; renewals are already authorised by their certificate.
            if (parks) {
                ca.requests().insertPending(record, oneTimeHash);
                return new Outcome(CertRep.pending(req.transactionId(), req.senderNonce()), subject, null, "pending", "");
            }
            // 4b. Issue and store atomically: challenge consumption, the transaction record (taking over a finished
            // id), the renewal link that lets a certificate be renewed once only, and supersession. The old
            // certificate is on the published CRL before issue() returns.
            IssuanceEffects effects = new IssuanceEffects(oneTimeHash, Optional.of(record));
            if (renewing.isPresent()) {
                effects = effects.renewing(renewing.get().serial(), endpoint.renewal().supersede());
            }
            if (finished.isPresent()) {
                effects = effects.replacing(finished.get());
            }
            if (endpoint.reportToIntune() && renewing.isEmpty()) {
                effects = effects.reportingToMdm(); // durable until Intune acknowledges it
            }
            IssuedCertificate issued = engine.issue(new IssuanceRequest(payload.csr(), requester,
                    CertificateProfile.CLIENT, effects, names, issuedFor));
            if (endpoint.reportToIntune() && renewing.isEmpty()) {
                // Intune's contract: successNotification before the device gets its certificate, so that Intune
                // knows the certificate (it revokes it through its PKI connector when the device is retired).
                boolean reported = validator.isPresent()
                        && validator.get().reportSuccess(txid, payload.csrDer(), issued.certificate());
                if (reported) {
                    ca.mdmReports().done(issued.record().serial());
                }
                // Not acknowledged: the device still gets its certificate (it holds the key, Intune validated it) and
                // the report stays queued with the certificate, retried until Intune takes it.
                trace.reported = reported ? "yes" : "queued";
            }
            return new Outcome(CertRep.success(req.transactionId(), req.senderNonce(), List.of(issued.certificate())),
                    issued.record().subjectDn(), issued.record().serialHex(), renewing.isPresent() ? "renewed" : "issued", "");
        } catch (ConflictException e) {
            String detail = switch (e.what()) {
                case TRANSACTION_EXISTS -> "transaction conflict";
                case ALREADY_RENEWED -> "the signing certificate was already renewed";
                case CHALLENGE_UNAVAILABLE -> "challenge password was used or expired";
                default -> "conflict";
            };
            ScepObserver.Refusal refusal = switch (e.what()) {
                case CHALLENGE_UNAVAILABLE -> ScepObserver.Refusal.CHALLENGE;
                case ALREADY_RENEWED -> ScepObserver.Refusal.RENEWAL;
                default -> ScepObserver.Refusal.TRANSACTION;
            };
            return Outcome.raced(refusal, failure(req, FailInfo.BAD_REQUEST), subject, detail);
        } catch (PolicyViolationException e) {
            boolean badAlg = e.kind() == PolicyViolationException.Kind.BAD_ALGORITHM;
            if (endpoint.reportToIntune() && renewing.isEmpty()) {
                // Intune validated the request but our policy refused it: tell Intune, after the reply.
                String detail = e.getMessage();
                trace.afterReply.add(() -> validator.orElseThrow().reportFailure(txid, payload.csrDer(),
                        badAlg ? RequestValidator.HResult.BAD_ALGORITHM : RequestValidator.HResult.BAD_REQUEST_SUBJECT,
                        detail));
            }
            return Outcome.fail(ScepObserver.Refusal.POLICY, failure(req, badAlg ? FailInfo.BAD_ALG : FailInfo.BAD_REQUEST), subject, null,
                    e.getMessage());
        }
    }

    /**
     * Intune's validation of a PKCSReq (its challenge is an encrypted blob only Intune can read): empty when Intune
     * says Success, else the refusal. An unreachable Intune refuses the request: it is never issued unvalidated.
     */
    private Optional<Outcome> validateWithIntune(DecodedRequest req, CsrPayload payload, String subject, Trace trace) {
        String txid = req.transactionId().value();
        if (CsrAttributes.challengePassword(payload.csr()).isEmpty()) {
            trace.intune = "ChallengePasswordMissing";
            return Optional.of(Outcome.fail(ScepObserver.Refusal.INTUNE, failure(req, FailInfo.BAD_REQUEST), subject, null,
                    "no challenge password (Intune's challenge is required on this endpoint)"));
        }
        if (validator.isEmpty()) {
            trace.intune = "not-configured";
            return Optional.of(Outcome.fail(ScepObserver.Refusal.INTUNE, failure(req, FailInfo.BAD_REQUEST), subject, null,
                    "Intune validation is not configured on this server"));
        }
        RequestValidator.Verdict verdict;
        try {
            verdict = validator.get().validate(txid, payload.csrDer());
        } catch (RequestValidator.UnavailableException e) {
            trace.intune = "unavailable";
            return Optional.of(Outcome.fail(ScepObserver.Refusal.INTUNE, failure(req, FailInfo.BAD_REQUEST), subject, null,
                    "Intune could not validate the request: " + e.getMessage()));
        }
        trace.intune = verdict.code();
        if (verdict.accepted()) {
            return Optional.empty();
        }
        if (endpoint.reportToIntune()) {
            trace.afterReply.add(() -> validator.orElseThrow().reportFailure(txid, payload.csrDer(),
                    RequestValidator.HResult.FAIL, "refused by Intune: " + verdict.code()));
        }
        return Optional.of(Outcome.fail(ScepObserver.Refusal.INTUNE, failure(req, FailInfo.BAD_REQUEST), subject, null, "Intune refused the request: "
                + verdict.code() + (verdict.description().isEmpty() ? "" : " (" + verdict.description() + ")")));
    }

    /** The reply a transaction's stored state calls for (used by repeats and by CertPoll). */
    private Outcome answerFor(DecodedRequest req, RequestRecord r) {
        return switch (r.status()) {
            case PENDING -> new Outcome(CertRep.pending(req.transactionId(), req.senderNonce()), r.subjectDn(), null,
                    "pending", "");
            case REJECTED -> Outcome.fail(ScepObserver.Refusal.REJECTED, failure(req, FailInfo.BAD_REQUEST), r.subjectDn(), null,
                    "rejected: " + r.reason().orElse("by an operator"));
            case ISSUED -> {
                BigInteger serial = r.serial().orElseThrow();
                Optional<CertificateRecord> cert = ca.certificates().find(serial);
                if (cert.isEmpty()) {
                    yield Outcome.fail(ScepObserver.Refusal.INTERNAL, failure(req, FailInfo.BAD_CERT_ID), r.subjectDn(), null,
                            "issued certificate missing");
                }
                if (cert.get().status() == CertificateStatus.REVOKED) {
                    // Never hand out a revoked certificate as SUCCESS, even to a repeat of the request that got it.
                    yield Outcome.fail(ScepObserver.Refusal.REVOKED, failure(req, FailInfo.BAD_REQUEST), r.subjectDn(), cert.get().serialHex(),
                            "the certificate of this transaction was revoked");
                }
                yield new Outcome(CertRep.success(req.transactionId(), req.senderNonce(),
                        List.of(Pem.certificate(cert.get().der()))), cert.get().subjectDn(), cert.get().serialHex(),
                        "issued", "");
            }
        };
    }

    private Outcome poll(DecodedRequest req) {
        return ca.requests().find(req.transactionId().value()).map(r -> answerFor(req, r))
                .orElseGet(() -> Outcome.fail(ScepObserver.Refusal.NOT_FOUND, failure(req, FailInfo.BAD_CERT_ID), "", null, "unknown transaction"));
    }

    private Outcome getCert(DecodedRequest req) {
        IssuerAndSerialPayload p = (IssuerAndSerialPayload) req.payload().orElseThrow();
        if (!issuerName.equals(p.issuer())) {
            return Outcome.fail(ScepObserver.Refusal.NOT_FOUND, failure(req, FailInfo.BAD_CERT_ID), "", p.serial().toString(16), "issuer is not this CA");
        }
        return ca.certificates().find(p.serial())
                .map(c -> new Outcome(CertRep.success(req.transactionId(), req.senderNonce(), List.of(Pem.certificate(c.der()))),
                        c.subjectDn(), c.serialHex(), "found", ""))
                .orElseGet(() -> Outcome.fail(ScepObserver.Refusal.NOT_FOUND, failure(req, FailInfo.BAD_CERT_ID), "", p.serial().toString(16), "unknown serial"));
    }

    private Outcome getCrl(DecodedRequest req) {
        IssuerAndSerialPayload p = (IssuerAndSerialPayload) req.payload().orElseThrow();
        if (rootName.equals(p.issuer())) {
            // RFC 8894 §3.3.4: the CRL of the certificate's issuer. For the issuing CA's own certificate that is the
            // root, whose CRL we publish too.
            return ca.crls().rootCrl()
                    .map(crl -> new Outcome(CertRep.successWithCrl(req.transactionId(), req.senderNonce(), crl), "",
                            p.serial().toString(16), "crl", ""))
                    .orElseGet(() -> Outcome.fail(ScepObserver.Refusal.NOT_FOUND, failure(req, FailInfo.BAD_CERT_ID), "", p.serial().toString(16),
                            "no CRL of the root is published"));
        }
        if (!issuerName.equals(p.issuer())) {
            return Outcome.fail(ScepObserver.Refusal.NOT_FOUND, failure(req, FailInfo.BAD_CERT_ID), "", p.serial().toString(16), "issuer is not this CA");
        }
        var crl = ca.crls().current().crl();
        return new Outcome(CertRep.successWithCrl(req.transactionId(), req.senderNonce(), crl), "", p.serial().toString(16),
                "crl", "");
    }

    /** A certificate we issued that is the signer of this request (renewal), looked up in the store. */
    private Optional<CertificateRecord> ourCertificate(X509Certificate signer) {
        if (!signer.getIssuerX500Principal().equals(issuerCert.getSubjectX500Principal())) {
            return Optional.empty();
        }
        try {
            signer.verify(issuerCert.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            return Optional.empty();
        }
        return ca.certificates().find(signer.getSerialNumber());
    }

    private static CertRep failure(DecodedRequest req, FailInfo fi) {
        return CertRep.failure(req.transactionId(), req.senderNonce(), fi);
    }

    private static String opName(DecodedRequest req) {
        return switch (req.messageType()) {
            case PKCS_REQ -> "PKCSReq";
            case RENEWAL_REQ -> "RenewalReq";
            case CERT_POLL -> "CertPoll";
            case GET_CERT -> "GetCert";
            case GET_CRL -> "GetCRL";
            case CERT_REP -> "CertRep";
            case UNSUPPORTED -> "Unsupported";
        };
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One audit line per PKIOperation (format: {@link AuditLine}). The first fields keep the order log readers match
     * on ({@code op txid subject serial outcome reason}). The actor is how the request was authorised: a certificate
     * this CA issued ("scep:renewal", and its serial is the device), a challenge password, or nothing yet.
     */
    private void audit(DecodedRequest req, Outcome outcome, long ms, Trace trace) {
        Optional<String> renewer = issuedByUs(req.signerCertificate()).map(c -> c.getSerialNumber().toString(16));
        boolean challenge = req.payload().filter(p -> p instanceof CsrPayload).map(p -> (CsrPayload) p)
                .flatMap(p -> CsrAttributes.challengePassword(p.csr())).isPresent();
        AuditLine line = AuditLine.op(opName(req)).token("txid", req.transactionId().value())
                .text("subject", outcome.subject()).token("serial", outcome.serial()).token("outcome", outcome.label());
        if (!outcome.detail().isEmpty()) {
            line.text("reason", outcome.detail());
        }
        line.token("endpoint", endpoint.auditName()).text("device", trace.device != null ? trace.device : renewer.orElse("-"))
                .token("actor", renewer.isPresent() ? "scep:renewal" : endpoint.allows(Authorization.INTUNE) ? "scep:intune"
                        : challenge ? "scep:challenge" : "scep:anonymous")
                .token("challenge", trace.challengeId);
        if (trace.intune != null) {
            line.text("intune", trace.intune);
        }
        if (trace.reported != null) {
            line.token("reported", trace.reported);
        }
        line.token("ms", ms).log();
    }

    /**
     * An enrollment refused: an outbound webhook event when webhooks are configured. Handed to a bounded background
     * queue: a refusal never waits for the database or a receiver.
     */
    private void publishRefusal(DecodedRequest req, Outcome outcome, Trace trace) {
        if (ca.webhooks().isEmpty() || outcome.rep().failInfo().isEmpty()
                || !(req.messageType() == org.scepca.scep.message.MessageType.PKCS_REQ
                        || req.messageType() == org.scepca.scep.message.MessageType.RENEWAL_REQ)) {
            return;
        }
        List<String> sans = req.payload().filter(p -> p instanceof CsrPayload)
                .map(p -> CsrAttributes.requestedSans(((CsrPayload) p).csr())).orElse(List.of());
        ca.webhooks().get().publishRefusal(org.scepca.ca.events.CaEvent.refused(clock.instant(),
                Optional.of(req.transactionId().value()), Optional.of(outcome.subject()).filter(s -> !s.isEmpty()), sans,
                outcome.rep().failInfo().get().name(), outcome.detail(), trace.intune != null ? "scep:intune" : "scep")
                .withEndpoint(endpoint.name()).withRefusedDevice(trace.device, trace.challengeId));
    }

    /** The request's signer if it is a certificate of ours (name and signature; the store is not asked). */
    private Optional<X509Certificate> issuedByUs(X509Certificate signer) {
        if (signer == null || !signer.getIssuerX500Principal().equals(issuerCert.getSubjectX500Principal())) {
            return Optional.empty();
        }
        try {
            signer.verify(issuerCert.getPublicKey());
            return Optional.of(signer);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What one PKIOperation learned on the way, for its audit line, and what must run once the reply is built. */
    private static final class Trace {
        String challengeId = "-";
        String device;
        String intune;
        String reported;
        boolean renewal;
        boolean repeat;
        final List<Runnable> afterReply = new ArrayList<>(1);
    }

    /**
     * What happened, for the reply and the audit line. {@code raceable}: a refusal that a concurrent copy of the same
     * message could have caused by winning (its answer is then the winner's).
     */
    private record Outcome(CertRep rep, String subject, String serial, String label, String detail, boolean raceable,
            Optional<ScepObserver.Refusal> refusal) {
        Outcome(CertRep rep, String subject, String serial, String label, String detail) {
            this(rep, subject, serial, label, detail, false, Optional.empty());
        }

        /** @param refusal the class of the refusal, for the metrics (the detail goes to the audit line only) */
        static Outcome fail(ScepObserver.Refusal refusal, CertRep rep, String subject, String serial, String detail) {
            return new Outcome(rep, subject, serial, "failure:" + rep.failInfo().orElseThrow().name().toLowerCase(java.util.Locale.ROOT),
                    detail, false, Optional.of(refusal));
        }

        static Outcome raced(ScepObserver.Refusal refusal, CertRep rep, String subject, String detail) {
            Outcome o = fail(refusal, rep, subject, null, detail);
            return new Outcome(o.rep(), o.subject(), o.serial(), o.label(), o.detail(), true, o.refusal());
        }
    }
}
