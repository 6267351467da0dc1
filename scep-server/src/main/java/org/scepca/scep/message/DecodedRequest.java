package org.scepca.scep.message;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * A request pkiMessage that was well-formed enough to be answered with a signed CertRep.
 *
 * <p>Either {@link #failure()} is empty and {@link #payload()} holds the decrypted messageData, or
 * {@link #failure()} names the failInfo the CertRep FAILURE must carry (RFC 8894 §3.3.2) and there is
 * no payload. {@link #failureDetail()} explains the failure for the server log only; it never goes on
 * the wire.
 */
public final class DecodedRequest {

    private final MessageType messageType;
    private final TransactionId transactionId;
    private final Nonce senderNonce;
    private final X509Certificate signerCertificate;
    private final ReplyParameters replyParameters;
    private final RequestPayload payload;
    private final FailInfo failure;
    private final String failureDetail;

    private DecodedRequest(MessageType messageType, TransactionId transactionId, Nonce senderNonce,
            X509Certificate signerCertificate, ReplyParameters replyParameters, RequestPayload payload,
            FailInfo failure, String failureDetail) {
        this.messageType = Objects.requireNonNull(messageType, "messageType is null");
        this.transactionId = Objects.requireNonNull(transactionId, "transactionId is null");
        this.senderNonce = Objects.requireNonNull(senderNonce, "senderNonce is null");
        this.signerCertificate = Objects.requireNonNull(signerCertificate, "signerCertificate is null");
        this.replyParameters = Objects.requireNonNull(replyParameters, "replyParameters is null");
        if (!messageType.isRequest()) {
            throw new IllegalArgumentException("not a request message type: " + messageType);
        }
        this.payload = payload;
        this.failure = failure;
        this.failureDetail = failureDetail;
    }

    /** A request that decrypted and parsed; {@code payload} must match {@code messageType}. */
    public static DecodedRequest accepted(MessageType messageType, TransactionId transactionId, Nonce senderNonce,
            X509Certificate signerCertificate, ReplyParameters replyParameters, RequestPayload payload) {
        Objects.requireNonNull(payload, "payload is null");
        if (!payloadFits(messageType, payload)) {
            throw new IllegalArgumentException(payload.getClass().getSimpleName() + " does not fit " + messageType);
        }
        return new DecodedRequest(messageType, transactionId, senderNonce, signerCertificate, replyParameters,
                payload, null, "");
    }

    /** A request to be answered with CertRep FAILURE carrying {@code failure}. */
    public static DecodedRequest failed(MessageType messageType, TransactionId transactionId, Nonce senderNonce,
            X509Certificate signerCertificate, ReplyParameters replyParameters, FailInfo failure,
            String failureDetail) {
        Objects.requireNonNull(failure, "failure is null");
        Objects.requireNonNull(failureDetail, "failureDetail is null");
        return new DecodedRequest(messageType, transactionId, senderNonce, signerCertificate, replyParameters,
                null, failure, failureDetail);
    }

    private static boolean payloadFits(MessageType type, RequestPayload payload) {
        return switch (type) {
            case PKCS_REQ, RENEWAL_REQ -> payload instanceof CsrPayload;
            case CERT_POLL -> payload instanceof IssuerAndSubjectPayload;
            case GET_CERT, GET_CRL -> payload instanceof IssuerAndSerialPayload;
            case CERT_REP, UNSUPPORTED -> false;
        };
    }

    public MessageType messageType() {
        return messageType;
    }

    public TransactionId transactionId() {
        return transactionId;
    }

    /** The request's senderNonce; the CertRep echoes it as recipientNonce (RFC 8894 §3.2.1.5). */
    public Nonce senderNonce() {
        return senderNonce;
    }

    /**
     * The certificate that signed the request: for PKCSReq usually a throwaway self-signed certificate
     * made from the CSR key, for RenewalReq the certificate being renewed. Not chained here.
     */
    public X509Certificate signerCertificate() {
        return signerCertificate;
    }

    public ReplyParameters replyParameters() {
        return replyParameters;
    }

    public Optional<FailInfo> failure() {
        return Optional.ofNullable(failure);
    }

    /** Why the request failed, for logs only; empty when it did not fail. */
    public String failureDetail() {
        return failureDetail;
    }

    /** The decrypted messageData; empty exactly when {@link #failure()} is present. */
    public Optional<RequestPayload> payload() {
        return Optional.ofNullable(payload);
    }

    @Override
    public String toString() {
        return "DecodedRequest[" + messageType + ", transactionId=" + transactionId
                + (failure == null ? "" : ", failure=" + failure) + "]";
    }
}
