package org.scepca.scep.message;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The content of a CertRep reply (RFC 8894 §3.3.2). Build it with the factories, which encode the rules:
 * FAILURE always carries a failInfo and nothing else; PENDING carries nothing; SUCCESS carries either
 * certificates (the issued or requested certificate first, then optionally its chain) or one CRL.
 *
 * @param transactionId  the request's transactionID
 * @param recipientNonce the request's senderNonce
 */
public record CertRep(TransactionId transactionId, Nonce recipientNonce, PkiStatus status,
        Optional<FailInfo> failInfo, List<X509Certificate> certificates, Optional<X509CRL> crl) {

    public CertRep {
        Objects.requireNonNull(transactionId, "transactionId is null");
        Objects.requireNonNull(recipientNonce, "recipientNonce is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(failInfo, "failInfo is null");
        certificates = List.copyOf(Objects.requireNonNull(certificates, "certificates is null"));
        Objects.requireNonNull(crl, "crl is null");
        if (failInfo.isPresent() != (status == PkiStatus.FAILURE)) {
            throw new IllegalArgumentException("failInfo is required with FAILURE and only with FAILURE");
        }
        if (status == PkiStatus.SUCCESS) {
            if (certificates.isEmpty() == crl.isEmpty()) {
                throw new IllegalArgumentException("SUCCESS carries either certificates or a CRL");
            }
        } else if (!certificates.isEmpty() || crl.isPresent()) {
            throw new IllegalArgumentException(status + " carries no certificates or CRL");
        }
    }

    /** SUCCESS for PKCSReq, RenewalReq, CertPoll or GetCert; {@code certificates.get(0)} is the issued one. */
    public static CertRep success(TransactionId transactionId, Nonce recipientNonce,
            List<X509Certificate> certificates) {
        return new CertRep(transactionId, recipientNonce, PkiStatus.SUCCESS, Optional.empty(), certificates,
                Optional.empty());
    }

    /** SUCCESS answering GetCRL. */
    public static CertRep successWithCrl(TransactionId transactionId, Nonce recipientNonce, X509CRL crl) {
        return new CertRep(transactionId, recipientNonce, PkiStatus.SUCCESS, Optional.empty(), List.of(),
                Optional.of(Objects.requireNonNull(crl, "crl is null")));
    }

    public static CertRep failure(TransactionId transactionId, Nonce recipientNonce, FailInfo failInfo) {
        return new CertRep(transactionId, recipientNonce, PkiStatus.FAILURE,
                Optional.of(Objects.requireNonNull(failInfo, "failInfo is null")), List.of(), Optional.empty());
    }

    public static CertRep pending(TransactionId transactionId, Nonce recipientNonce) {
        return new CertRep(transactionId, recipientNonce, PkiStatus.PENDING, Optional.empty(), List.of(),
                Optional.empty());
    }

    /** FAILURE answering a request the decoder refused, echoing its transactionID and nonce. */
    public static CertRep failure(DecodedRequest request) {
        Objects.requireNonNull(request, "request is null");
        FailInfo failInfo = request.failure()
                .orElseThrow(() -> new IllegalArgumentException("request did not fail"));
        return failure(request.transactionId(), request.senderNonce(), failInfo);
    }
}
