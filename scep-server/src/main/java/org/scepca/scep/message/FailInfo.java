package org.scepca.scep.message;

/**
 * SCEP failInfo values (RFC 8894 §3.2.1.4). These five are the only standard ones; clients map
 * anything else to a generic error, so the server never invents more.
 */
public enum FailInfo {
    BAD_ALG(0),
    BAD_MESSAGE_CHECK(1),
    BAD_REQUEST(2),
    BAD_TIME(3),
    BAD_CERT_ID(4);

    private final int code;

    FailInfo(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
