package org.scepca.scep.message;

import java.util.Optional;

/**
 * SCEP messageType values (RFC 8894 §3.2.1.2): the types this server sends or accepts, and {@link #UNSUPPORTED} for
 * any other number a signed request carries.
 */
public enum MessageType {
    CERT_REP(3),
    RENEWAL_REQ(17),
    PKCS_REQ(19),
    CERT_POLL(20),
    GET_CERT(21),
    GET_CRL(22),
    /**
     * A request whose messageType is a number this server does not handle (or CertRep, which only a server sends).
     * Never on the wire from us and never returned by {@link #fromCode}; such a request is answered with a signed
     * CertRep FAILURE badRequest, "the transaction was not permitted or supported" (RFC 8894 §3.2.1.4).
     */
    UNSUPPORTED(-1);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for the types a client sends to the server (and {@link #UNSUPPORTED}), i.e. everything except CertRep. */
    public boolean isRequest() {
        return this != CERT_REP;
    }

    public static Optional<MessageType> fromCode(int code) {
        for (MessageType type : values()) {
            if (type.code == code && type != UNSUPPORTED) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
