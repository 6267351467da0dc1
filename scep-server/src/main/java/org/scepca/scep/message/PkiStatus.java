package org.scepca.scep.message;

/** SCEP pkiStatus values (RFC 8894 §3.2.1.3). */
public enum PkiStatus {
    SUCCESS(0),
    FAILURE(2),
    PENDING(3);

    private final int code;

    PkiStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
