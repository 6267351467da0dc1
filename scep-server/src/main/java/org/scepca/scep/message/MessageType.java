package org.scepca.scep.message;

import java.util.Optional;

/** SCEP messageType values (RFC 8894 §3.2.1.2). Only the types this server sends or accepts. */
public enum MessageType {
    CERT_REP(3),
    RENEWAL_REQ(17),
    PKCS_REQ(19),
    CERT_POLL(20),
    GET_CERT(21),
    GET_CRL(22);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for the types a client sends to the server, i.e. everything except CertRep. */
    public boolean isRequest() {
        return this != CERT_REP;
    }

    public static Optional<MessageType> fromCode(int code) {
        for (MessageType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
