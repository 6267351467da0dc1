package org.scepca.server.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.scepca.ca.issuance.IssuerIdentity;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStore;
import org.scepca.server.ocsp.OcspResult.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers OCSP requests (RFC 6960) for certificates issued by the intermediate. Status comes from the certificate
 * store by serial, one indexed query per CertID; no CRL is parsed. Every answer is freshly signed by the
 * {@link DelegatedResponder}, with thisUpdate = now, so a revocation shows up in the next non-cached answer.
 *
 * <ul>
 * <li>good: issued by us and not revoked (expired certificates too: "good" only means "not revoked", §2.2);</li>
 * <li>revoked: with the revocation time and, unless unspecified, the reason (as in the CRL, RFC 5280 §5.3.1);</li>
 * <li>unknown: a serial we never issued (RFC 6960 §2.2), or a CertID naming another issuer beside one naming ours.</li>
 * </ul>
 * A request none of whose CertIDs names our issuer (another issuer, or a hash algorithm we do not compute) gets
 * {@code unauthorized} (RFC 5019 §2.2.3): we have no authoritative record for it.
 * A request we cannot parse, with a bad nonce (RFC 8954 §2.1), an unknown critical extension or too many CertIDs gets
 * {@code malformedRequest}; a database outage {@code tryLater}; anything else {@code internalError}. None of them is
 * an exception to the transport.
 */
public final class OcspResponder {
    private static final Logger LOG = LoggerFactory.getLogger(OcspResponder.class);
    /** RFC 8954 §2.1: Nonce ::= OCTET STRING (SIZE(1..32)); anything else is malformedRequest. */
    static final int MAX_NONCE_BYTES = 32;
    /** RFC 5280 §4.1.2.2: serials are at most 20 octets; longer ones cannot be ours and never reach the database. */
    private static final int MAX_SERIAL_BITS = 160;

    private static final Map<Status, byte[]> ERRORS = errorResponses();

    private final CertificateStore store;
    private final String issuerDn;
    private final DelegatedResponder signer;
    private final OcspSettings settings;
    private final Clock clock;
    private final DigestCalculatorProvider digests;
    private final Map<ASN1ObjectIdentifier, IssuerHashes> issuerHashes;

    public OcspResponder(CertificateStore store, IssuerIdentity issuer, DelegatedResponder signer, OcspSettings settings,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.issuerDn = Objects.requireNonNull(issuer, "issuer is null").dn();
        this.signer = Objects.requireNonNull(signer, "signer is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest provider", e);
        }
        this.issuerHashes = issuerHashes(issuer, digests);
    }

    public DelegatedResponder signer() {
        return signer;
    }

    /** Answers one DER OCSPRequest. Never throws: every failure is an OCSPResponse with an error status. */
    public OcspResult respond(byte[] request) {
        Objects.requireNonNull(request, "request is null");
        Parsed parsed;
        try {
            parsed = parse(request);
        } catch (Refused e) {
            LOG.debug("OCSP request refused: {}", e.getMessage());
            return error(Status.MALFORMED_REQUEST);
        }
        if (parsed.ids().stream().noneMatch(this::ours)) {
            // RFC 5019 §2.2.3: no authoritative record for any certificate asked about (another issuer, or a hash
            // algorithm we do not compute). Our delegated responder cannot speak for another issuer (RFC 6960
            // §4.2.2.2): a signed "unknown" would not even verify.
            LOG.debug("OCSP request for another issuer: unauthorized");
            return error(Status.UNAUTHORIZED);
        }
        List<Answer> answers = new ArrayList<>(parsed.ids().size());
        try {
            for (CertificateID id : parsed.ids()) {
                answers.add(new Answer(id, lookUp(id)));
            }
        } catch (RuntimeException e) {
            // The store is down or timed out: RFC 6960 §2.3 tryLater, the client may ask again.
            LOG.warn("OCSP status lookup failed: {}", e.toString());
            return error(Status.TRY_LATER);
        }
        try {
            return sign(answers, parsed.nonce());
        } catch (RuntimeException | OCSPException | OperatorCreationException | IOException e) {
            LOG.error("OCSP response signing failed: {}", e.toString());
            return error(Status.INTERNAL_ERROR);
        }
    }

    private Parsed parse(byte[] der) throws Refused {
        if (der.length == 0) {
            throw new Refused("empty request");
        }
        try {
            // fromByteArray refuses trailing bytes after the request.
            OCSPReq req = new OCSPReq(OCSPRequest.getInstance(ASN1Primitive.fromByteArray(der)));
            if (req.getVersionNumber() != 1) {
                throw new Refused("version " + req.getVersionNumber());
            }
            Req[] list = req.getRequestList();
            if (list.length == 0) {
                throw new Refused("no CertID");
            }
            if (list.length > settings.maxCertificatesPerRequest()) {
                throw new Refused(list.length + " CertIDs");
            }
            List<CertificateID> ids = new ArrayList<>(list.length);
            for (Req r : list) {
                Extensions single = r.getSingleRequestExtensions();
                if (single != null && single.getCriticalExtensionOIDs().length > 0) {
                    throw new Refused("critical singleRequestExtension"); // we understand none (RFC 6960 §4.4)
                }
                CertificateID id = r.getCertID();
                // Touch every field now, so a malformed CertID is malformedRequest rather than a failure later.
                Objects.requireNonNull(id.getHashAlgOID());
                Objects.requireNonNull(id.getIssuerNameHash());
                Objects.requireNonNull(id.getIssuerKeyHash());
                Objects.requireNonNull(id.getSerialNumber());
                ids.add(id);
            }
            for (Object oid : req.getCriticalExtensionOIDs()) {
                if (!OCSPObjectIdentifiers.id_pkix_ocsp_nonce.equals(oid)) {
                    throw new Refused("critical request extension " + oid);
                }
            }
            Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                int length = nonceLength(nonce.getExtnValue().getOctets());
                if (length < 1 || length > MAX_NONCE_BYTES) {
                    throw new Refused("nonce of " + length + " bytes");
                }
            }
            return new Parsed(ids, Optional.ofNullable(nonce));
        } catch (IOException | RuntimeException e) {
            throw new Refused("not an OCSPRequest (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * RFC 8954's nonce is an OCTET STRING inside the extension's OCTET STRING; some old clients put the raw bytes
     * there. Either way the extension value is echoed unchanged.
     */
    private static int nonceLength(byte[] extnValue) {
        try {
            if (extnValue.length > 1 && extnValue[0] == 0x04
                    && ASN1Primitive.fromByteArray(extnValue) instanceof ASN1OctetString inner) {
                return inner.getOctets().length;
            }
        } catch (IOException | RuntimeException e) {
            // not DER: raw nonce bytes
        }
        return extnValue.length;
    }

    private boolean ours(CertificateID id) {
        IssuerHashes ours = issuerHashes.get(id.getHashAlgOID());
        return ours != null && ours.matches(id.getIssuerNameHash(), id.getIssuerKeyHash());
    }

    private CertificateStatus lookUp(CertificateID id) {
        if (!ours(id)) {
            return new UnknownStatus(); // another issuer beside one of ours in the same request
        }
        BigInteger serial = id.getSerialNumber();
        if (serial.signum() <= 0 || serial.bitLength() > MAX_SERIAL_BITS) {
            return new UnknownStatus();
        }
        Optional<CertificateRecord> found = store.find(serial).filter(r -> r.issuerDn().equals(issuerDn));
        if (found.isEmpty()) {
            return new UnknownStatus();
        }
        CertificateRecord r = found.get();
        if (r.status() != org.scepca.ca.store.CertificateStatus.REVOKED) {
            return CertificateStatus.GOOD;
        }
        // Whole seconds, like the CRL entry for the same certificate.
        Date at = Date.from(r.revokedAt().orElseThrow().truncatedTo(ChronoUnit.SECONDS));
        RevocationReason reason = r.revocationReason().orElse(RevocationReason.UNSPECIFIED);
        return reason == RevocationReason.UNSPECIFIED ? new RevokedStatus(at) : new RevokedStatus(at, reason.code());
    }

    private OcspResult sign(List<Answer> answers, Optional<Extension> nonce)
            throws OCSPException, OperatorCreationException, IOException {
        ResponderCredential credential = signer.current();
        // GeneralizedTime without fractions (RFC 5280 §4.1.2.5.2, which RFC 6960 follows).
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(settings.responseValidity());
        // ResponderID byKey (RFC 6960 §4.2.2.3: SHA-1 of the key), as RFC 5019 §2.2.3 prefers.
        RespID id = new RespID(credential.holder().getSubjectPublicKeyInfo(), digests.get(CertificateID.HASH_SHA1));
        BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(id);
        for (Answer a : answers) {
            b.addResponse(a.id(), a.status(), Date.from(now), Date.from(next), null);
        }
        nonce.ifPresent(n -> b.setResponseExtensions(new Extensions(
                new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, n.getExtnValue()))));
        // The responder certificate travels with the answer: clients chain it to the issuer they already have.
        BasicOCSPResp basic = b.build(credential.newSigner(), new X509CertificateHolder[] {credential.holder()},
                Date.from(now));
        byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        return new OcspResult(der, Status.SUCCESSFUL, Optional.of(now), Optional.of(next), answers.stream()
                .map(a -> a.status() == CertificateStatus.GOOD ? OcspResult.CertStatus.GOOD
                        : a.status() instanceof RevokedStatus ? OcspResult.CertStatus.REVOKED : OcspResult.CertStatus.UNKNOWN)
                .toList());
    }

    private static OcspResult error(Status status) {
        return new OcspResult(ERRORS.get(status).clone(), status, Optional.empty(), Optional.empty());
    }

    private static Map<Status, byte[]> errorResponses() {
        Map<Status, byte[]> m = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            if (s == Status.SUCCESSFUL) {
                continue;
            }
            try {
                // Error responses carry no responseBytes and no signature (RFC 6960 §4.2.1).
                m.put(s, new OCSPRespBuilder().build(s.code(), null).getEncoded());
            } catch (OCSPException | IOException e) {
                throw new IllegalStateException("cannot encode OCSP status " + s, e);
            }
        }
        return m;
    }

    /** issuerNameHash and issuerKeyHash of our intermediate for every hash a CertID may use (SHA-1 and SHA-2). */
    private static Map<ASN1ObjectIdentifier, IssuerHashes> issuerHashes(IssuerIdentity issuer,
            DigestCalculatorProvider digests) {
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(issuer.certificate().getEncoded());
        } catch (CertificateEncodingException | IOException e) {
            throw new IllegalStateException("issuer certificate cannot be encoded", e);
        }
        List<AlgorithmIdentifier> algorithms = List.of(CertificateID.HASH_SHA1,
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256),
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384),
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha512));
        Map<ASN1ObjectIdentifier, IssuerHashes> m = new java.util.HashMap<>();
        for (AlgorithmIdentifier alg : algorithms) {
            try {
                CertificateID probe = new CertificateID(digests.get(alg), holder, BigInteger.ONE);
                m.put(alg.getAlgorithm(), new IssuerHashes(probe.getIssuerNameHash(), probe.getIssuerKeyHash()));
            } catch (OCSPException | OperatorCreationException e) {
                throw new IllegalStateException("cannot hash the issuer with " + alg.getAlgorithm(), e);
            }
        }
        return Map.copyOf(m);
    }

    private record IssuerHashes(byte[] nameHash, byte[] keyHash) {
        boolean matches(byte[] name, byte[] key) {
            return MessageDigest.isEqual(nameHash, name) && MessageDigest.isEqual(keyHash, key);
        }
    }

    private record Parsed(List<CertificateID> ids, Optional<Extension> nonce) {
    }

    private record Answer(CertificateID id, CertificateStatus status) {
    }

    /** A request we do not answer; the message is for the debug log only. */
    private static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }
}
